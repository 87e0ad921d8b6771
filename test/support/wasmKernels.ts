/** Helpers for the wasm kernel tests: deterministic inputs, error measures, and running kernels on cpu or wasm. */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, expect } from 'vitest';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../src/engine/backend/wasm/register';
import type { KernelArgs } from '../../src/engine/backend/wasm/scratch';

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Both backends started, the training kernels registered for the file's tests (and removed after them). */
export function useKernelTestBackends(): void {
  beforeAll(async () => {
    // In Node the wasm binaries load from the package's dist folder (a file path, not a URL).
    setWasmPaths(decodeURIComponent(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname));
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
    expect(await tf.setBackend('cpu')).toBe(true);
    registerWasmTrainingKernels();
  });
  afterAll(() => {
    unregisterWasmTrainingKernels();
  });
}

/** Deterministic uniform values in [-1, 1). */
export function random(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** max |a − b| / max |ref|; fails on a missing result, a length mismatch or an all-zero reference. */
export function relErr(got: ArrayLike<number> | undefined, ref: ArrayLike<number>): number {
  if (got === undefined) throw new Error('no result to compare');
  expect(got.length).toBe(ref.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  expect(maxRef).toBeGreaterThan(0);
  return Number.isNaN(maxDiff) ? Infinity : maxDiff / maxRef;
}

/** Runs one kernel through the engine on `backend` with the given float32 inputs; returns its output values. */
export async function runKernelOn(
  backend: 'cpu' | 'wasm',
  kernel: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: object,
): Promise<{ values: Float32Array; shape: number[] }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(inputs)) tensors[name] = tf.tensor(v.values, v.shape, 'float32');
  try {
    const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    const values = (await out.data()) as Float32Array;
    const shape = out.shape;
    out.dispose();
    return { values, shape };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Calls a kernel function directly on the wasm backend (no engine), disposing its output. */
export function callDirect(
  fn: (args: KernelArgs) => tf.TensorInfo | undefined,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: object,
): Float32Array | undefined {
  const backend = tf.backend();
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(inputs)) tensors[name] = tf.tensor(v.values, v.shape, 'float32');
  try {
    const out = fn({ inputs: tensors, backend, attrs: attrs as tf.NamedAttrMap });
    if (out === undefined) return undefined; // the formulation declined these arguments
    const values = (backend.readSync(out.dataId) as Float32Array).slice();
    backend.disposeData(out.dataId);
    return values;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

export function convOutShape(x: Shape4, filter: Shape4, stride: number, pad: Pad): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(x, filter, stride, 1, pad);
  return info.outShape;
}

export function describeCase(c: { x: number[]; filter?: number[]; stride?: number; pad: unknown }): string {
  return `x ${c.x.join('×')}${c.filter ? ` f ${c.filter.join('×')}` : ''} s${c.stride ?? ''} ${JSON.stringify(c.pad)}`;
}
