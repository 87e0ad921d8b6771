import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv2DBackpropFilterViaConv,
  conv2DBackpropInputByPhases,
  conv2DBackpropFilterViaSwappedConv,
  conv2DBackpropFilterViaTaps,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from './wasmTrainingKernels';
import { batchNorm, type BatchNormParams } from '../models/layers';
import { createModel } from '../models/model';
import type { ModelSpec } from '../models/modelSpec';
import { globalMaxPool } from '../models/resnet9';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic uniform values in [-1, 1). */
function random(size: number, seed: number): Float32Array {
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
function relErr(got: ArrayLike<number> | undefined, ref: ArrayLike<number>): number {
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
async function runKernelOn(
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
function callDirect(
  fn: (args: Parameters<typeof conv2DBackpropFilterViaConv>[0]) => tf.TensorInfo | undefined,
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

/** Float64 reference of the filter gradient (NHWC, explicit top/left padding from tfjs' own conv info). */
function filterGradReference(
  x: Float32Array,
  dy: Float32Array,
  xShape: Shape4,
  filter: Shape4,
  stride: number,
  pad: Pad,
): Float64Array {
  const info = tf.backend_util.computeConv2DInfo(xShape, filter, stride, 1, pad);
  const [b, h, w, ci] = xShape;
  const [kh, kw, , co] = filter;
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const acc = new Float64Array(kh * kw * ci * co);
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyBase = ((n * oh + r) * ow + c) * co;
        for (let i = 0; i < kh; i++) {
          const xr = r * stride + i - top;
          if (xr < 0 || xr >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xc = c * stride + j - left;
            if (xc < 0 || xc >= w) continue;
            const xBase = ((n * h + xr) * w + xc) * ci;
            for (let k = 0; k < ci; k++) {
              const xv = x[xBase + k];
              const accBase = ((i * kw + j) * ci + k) * co;
              for (let o = 0; o < co; o++) acc[accBase + o] += xv * dy[dyBase + o];
            }
          }
        }
      }
    }
  }
  return acc;
}

function convOutShape(x: Shape4, filter: Shape4, stride: number, pad: Pad): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(x, filter, stride, 1, pad);
  return info.outShape;
}

beforeAll(async () => {
  // In Node the wasm binaries load from the package's dist folder (a file path, not a URL).
  const dist = decodeURIComponent(
    new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname,
  );
  setWasmPaths(dist);
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(tf.getBackend()).toBe('wasm');
  expect(await tf.setBackend('cpu')).toBe(true);
  registerWasmTrainingKernels();
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('registration', () => {
  it('registers its kernels for wasm, idempotently', () => {
    const first = registerWasmTrainingKernels();
    const again = registerWasmTrainingKernels();
    expect([...again]).toEqual([...first]);
    expect([...first].sort()).toEqual([
      'BatchMatMul',
      'Cast',
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'Identity',
      'MaxPoolGrad',
      'Mean',
      'Sum',
      'Tile',
    ]);
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined(); // cpu untouched
  });

  it('unregister restores the stock wasm backend (no filter gradient), register brings it back', async () => {
    const stockInput = () => tf.getKernel('Conv2DBackpropInput', 'wasm');
    const ours = stockInput();
    unregisterWasmTrainingKernels();
    try {
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
      expect(stockInput()).toBeDefined();
      expect(stockInput()).not.toBe(ours);
      expect(await tf.setBackend('wasm')).toBe(true);
      const w = tf.variable(tf.ones([3, 3, 2, 2])) as tf.Variable<tf.Rank.R4>;
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      expect(() => tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 1, 'same')), [w])).toThrow(
        /Conv2DBackpropFilter/,
      );
      tf.dispose([w, x]);
    } finally {
      registerWasmTrainingKernels();
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

interface FilterCase {
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

// Batch ≤ 16: checked against the cpu backend's Conv2DBackpropFilter (whose scalar TensorBuffer loops need ≈ 10 s
// per batch-128 case), and the float64 reference against it too. Batch 128: against the float64 reference.
const filterCases: FilterCase[] = [
  { x: [1, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [128, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [1, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [1, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [8, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [128, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [1, 4, 4, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [16, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [128, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'valid' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 2, pad: 'same' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'valid' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { x: [4, 15, 15, 16], filter: [3, 3, 16, 8], stride: 2, pad: 'valid' },
  { x: [4, 9, 9, 5], filter: [3, 3, 5, 8], stride: 3, pad: 'same' },
  { x: [4, 8, 8, 4], filter: [2, 3, 4, 6], stride: 1, pad: 'same' },
  { x: [3, 9, 7, 4], filter: [3, 3, 4, 6], stride: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
];

function describeCase(c: { x: number[]; filter?: number[]; stride?: number; pad: unknown }): string {
  return `x ${c.x.join('×')}${c.filter ? ` f ${c.filter.join('×')}` : ''} s${c.stride ?? ''} ${JSON.stringify(c.pad)}`;
}

describe('Conv2DBackpropFilter on wasm matches the cpu kernel', () => {
  it.each(filterCases)('$x $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.x, c.filter, c.stride, c.pad);
    const inputs = {
      x: { values: random(c.x.reduce((a, b) => a * b), 1), shape: c.x },
      dy: { values: random(dyShape.reduce((a, b) => a * b), 2), shape: dyShape },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const exact = filterGradReference(inputs.x.values, inputs.dy.values, c.x, c.filter, c.stride, c.pad);
    if (c.x[0] <= 16) {
      const cpu = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      expect(relErr(cpu.values, exact), 'cpu kernel vs float64 reference').toBeLessThan(1e-5);
      const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      expect(got.shape).toEqual(c.filter);
      expect(relErr(got.values, cpu.values), describeCase(c)).toBeLessThan(1e-4);
    }
    const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(got.shape).toEqual(c.filter);
    expect(relErr(got.values, exact), describeCase(c)).toBeLessThan(1e-4);
    // Both formulations, not only the one the registered kernel picks for this shape.
    expect(relErr(callDirect(conv2DBackpropFilterViaConv, inputs, attrs), exact)).toBeLessThan(1e-4);
    if (c.stride === 1) {
      expect(relErr(callDirect(conv2DBackpropFilterViaTaps, inputs, attrs), exact)).toBeLessThan(1e-4);
      const swapped = callDirect(conv2DBackpropFilterViaSwappedConv, inputs, attrs);
      // The swapped form declines padding of KH or more on a side (the explicit case below: 3 on the right).
      const padFits = !Array.isArray(c.pad) || c.pad.every(([a, b]) => a < c.filter[0] && b < c.filter[1]);
      expect(swapped !== undefined).toBe(padFits);
      if (swapped !== undefined) expect(relErr(swapped, exact)).toBeLessThan(1e-4);
    }
  });

  it('rejects NCHW with a clear error', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.ones([1, 2, 4, 4]);
    const dy = tf.ones([1, 3, 4, 4]);
    expect(() =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] },
      ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});

interface InputCase {
  dx: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

const inputCases: InputCase[] = [
  { dx: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { dx: [128, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { dx: [2, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { dx: [4, 9, 9, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'valid' },
  { dx: [4, 16, 16, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { dx: [4, 15, 15, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { dx: [4, 15, 15, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'valid' },
  { dx: [4, 16, 16, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'valid' },
  { dx: [2, 10, 11, 3], filter: [3, 3, 3, 5], stride: 3, pad: 'same' },
  { dx: [3, 8, 8, 4], filter: [2, 3, 4, 6], stride: 1, pad: 'same' },
  { dx: [3, 9, 7, 4], filter: [3, 3, 4, 6], stride: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  // Strided, H and W multiples of the stride: one convolution over all output phases (conv2DBackpropInputByPhases).
  { dx: [8, 32, 32, 16], filter: [5, 5, 16, 32], stride: 2, pad: 2 }, // ResNet-9's layer1
  { dx: [2, 12, 12, 5], filter: [4, 4, 5, 3], stride: 2, pad: 'same' },
  { dx: [2, 12, 18, 4], filter: [1, 1, 4, 6], stride: 2, pad: 'valid' },
  { dx: [2, 12, 9, 3], filter: [3, 3, 3, 5], stride: 3, pad: 'same' },
  { dx: [2, 10, 10, 3], filter: [5, 5, 3, 4], stride: 2, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { dx: [2, 10, 10, 3], filter: [5, 3, 3, 4], stride: 2, pad: [[0, 0], [4, 0], [0, 2], [0, 0]] },
];

const phaseCases = inputCases.filter((c) => c.stride > 1 && c.dx[1] % c.stride === 0 && c.dx[2] % c.stride === 0);

describe('Conv2DBackpropInput on wasm matches the cpu kernel', () => {
  it.each(inputCases)('$dx $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.dx, c.filter, c.stride, c.pad);
    const inputs = {
      dy: { values: random(dyShape.reduce((a, b) => a * b), 3), shape: dyShape },
      filter: { values: random(c.filter.reduce((a, b) => a * b), 4), shape: c.filter },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.dx };
    const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    const got = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    expect(got.shape).toEqual(c.dx);
    expect(relErr(got.values, ref.values), describeCase({ x: c.dx, ...c })).toBeLessThan(1e-4);
  });

  it.each(phaseCases)('by phases: $dx $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.dx, c.filter, c.stride, c.pad);
    const inputs = {
      dy: { values: random(dyShape.reduce((a, b) => a * b), 3), shape: dyShape },
      filter: { values: random(c.filter.reduce((a, b) => a * b), 4), shape: c.filter },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.dx };
    const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    expect(await tf.setBackend('wasm')).toBe(true);
    const got = callDirect(conv2DBackpropInputByPhases, inputs, attrs);
    expect(relErr(got, ref.values), describeCase({ x: c.dx, ...c })).toBeLessThan(1e-4);
  });
});

interface PoolCase {
  x: Shape4;
  size: number;
  stride: number;
  pad: 'same' | 'valid';
  data: 'ties' | 'negative' | 'distinct';
}

const poolCases: PoolCase[] = [
  { x: [128, 32, 32, 16], size: 2, stride: 2, pad: 'valid', data: 'ties' },
  { x: [8, 8, 8, 4], size: 2, stride: 2, pad: 'valid', data: 'negative' },
  { x: [4, 7, 9, 3], size: 2, stride: 2, pad: 'valid', data: 'ties' },
  { x: [4, 7, 9, 3], size: 2, stride: 2, pad: 'same', data: 'negative' },
  { x: [2, 9, 9, 3], size: 3, stride: 3, pad: 'valid', data: 'ties' },
  { x: [2, 10, 10, 3], size: 3, stride: 3, pad: 'same', data: 'ties' },
  // Overlapping windows are delegated to the stock kernel, which is right for distinct positive values.
  { x: [2, 9, 9, 3], size: 3, stride: 2, pad: 'valid', data: 'distinct' },
];

function poolInput(c: PoolCase): Float32Array {
  const v = random(c.x.reduce((a, b) => a * b), 5);
  for (let i = 0; i < v.length; i++) {
    if (c.data === 'ties') v[i] = Math.max(0, Math.round(v[i] * 2)); // many equal values and all-zero windows
    else if (c.data === 'negative') v[i] = -Math.abs(v[i]) - 0.01;
    else v[i] = 1 + i + 0.5 * v[i];
  }
  return v;
}

describe('MaxPoolGrad on wasm matches the cpu kernel exactly', () => {
  it.each(poolCases)('$x size $size stride $stride $pad $data', async (c) => {
    const x = poolInput(c);
    const gradOf = async (backend: 'cpu' | 'wasm') => {
      expect(await tf.setBackend(backend)).toBe(true);
      const xt = tf.tensor4d(x, c.x);
      const pooled = tf.backend_util.computePool2DInfo(c.x, c.size, c.stride, 1, c.pad).outShape;
      const weights = tf.tensor(random(pooled.reduce((a, b) => a * b), 6), pooled); // distinct upstream gradients
      const g = tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad), weights)),
      )(xt);
      const values = await g.data();
      tf.dispose([xt, weights, g]);
      return values;
    };
    const ref = await gradOf('cpu');
    const got = await gradOf('wasm');
    expect(got.length).toBe(ref.length);
    let differing = 0;
    for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) differing++;
    expect(differing).toBe(0);
  });

  it('stock wasm MaxPoolGrad misroutes non-positive windows (why it is replaced; tfjs 4.22)', async () => {
    // Two 2×2 windows side by side: [[1, 2 | −2, −1], [3, 4 | −3, −4]]. cpu: gradient 1 to the 4 and to the −1.
    const values = [1, 2, -2, -1, 3, 4, -3, -4];
    const cpuGrad = [0, 0, 0, 1, 0, 1, 0, 0];
    const grad = async () => {
      const x = tf.tensor4d(values, [1, 2, 4, 1]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(x);
      const out = Array.from(await g.data());
      tf.dispose([x, g]);
      return out;
    };
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(await grad()).toEqual(cpuGrad);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(await grad()).toEqual(cpuGrad);
    const ours = tf.getKernel('MaxPoolGrad', 'wasm');
    unregisterWasmTrainingKernels();
    let stock: number[];
    try {
      expect(tf.getKernel('MaxPoolGrad', 'wasm')).not.toBe(ours);
      stock = await grad();
    } finally {
      registerWasmTrainingKernels();
    }
    expect(stock).toEqual([0, 0, 0, 0, 0, 1, 0, 0]); // the all-negative window's gradient is lost
  });
});

describe('Sum and Mean on wasm match the cpu kernels', () => {
  it.each(
    (['Sum', 'Mean'] as const).flatMap((op) =>
      [
        { shape: [128, 32, 32, 16], axis: [0, 1, 2], keepDims: false },
        { shape: [128, 16, 16, 32], axis: [0, 1, 2], keepDims: true },
        { shape: [8, 7, 9, 5], axis: [1, 2], keepDims: false },
        { shape: [8, 7, 9, 5], axis: [2, 1], keepDims: true },
        { shape: [8, 7, 9, 5], axis: [-2, -3, 0], keepDims: false },
        { shape: [8, 2, 2, 5], axis: [0, 1, 2], keepDims: false }, // small: stock kernel
        { shape: [8, 7, 9, 5], axis: [3], keepDims: false }, // other axes: stock kernel
        { shape: [8, 7, 9, 5], axis: [0], keepDims: true },
        { shape: [64, 10], axis: [0], keepDims: false },
      ].map((c) => ({ op, ...c })),
    ),
  )('$op $shape over $axis keepDims $keepDims', async (c) => {
    const inputs = { x: { values: random(c.shape.reduce((a, b) => a * b), 9), shape: c.shape } };
    const attrs = { axis: c.axis, keepDims: c.keepDims };
    const ref = await runKernelOn('cpu', c.op, inputs, attrs);
    const got = await runKernelOn('wasm', c.op, inputs, attrs);
    expect(got.shape).toEqual(ref.shape);
    expect(relErr(got.values, ref.values)).toBeLessThan(1e-5);
  });
});

describe('Tile on wasm matches the cpu kernel', () => {
  it.each([
    { shape: [1, 1, 1, 16], reps: [32, 16, 16, 1] }, // the batch-norm gradient's pattern
    { shape: [2, 3], reps: [2, 2] },
    { shape: [3, 1, 4], reps: [1, 5, 2] },
    { shape: [2, 1, 3, 1, 2], reps: [2, 3, 2, 2, 3] }, // needs more than 6 broadcast dims: stock kernel
    { shape: [2, 2], reps: [1, 1] }, // nothing repeated: stock kernel
    { shape: [5], reps: [3] },
  ])('$shape × $reps', async (c) => {
    const inputs = { x: { values: random(c.shape.reduce((a, b) => a * b), 11), shape: c.shape } };
    const ref = await runKernelOn('cpu', 'Tile', inputs, { reps: c.reps });
    const got = await runKernelOn('wasm', 'Tile', inputs, { reps: c.reps });
    expect(got.shape).toEqual(ref.shape);
    expect(Array.from(got.values)).toEqual(Array.from(ref.values));
  });
});

describe('BatchMatMul on wasm matches the cpu kernel', () => {
  it.each([
    { a: [128, 1024], b: [128, 10], transposeA: true, transposeB: false }, // dense dW = xᵀ·dy
    { a: [128, 10], b: [1024, 10], transposeA: false, transposeB: true }, // dense dx = dy·Wᵀ
    { a: [1, 7, 5], b: [1, 6, 7], transposeA: true, transposeB: true },
    { a: [3, 7, 5], b: [3, 7, 4], transposeA: true, transposeB: false }, // batched: stock kernel
    { a: [6, 5], b: [5, 4], transposeA: false, transposeB: false }, // no transpose: stock kernel
  ])('$a × $b transposeA $transposeA transposeB $transposeB', async (c) => {
    const inputs = {
      a: { values: random(c.a.reduce((x, y) => x * y), 11), shape: c.a },
      b: { values: random(c.b.reduce((x, y) => x * y), 12), shape: c.b },
    };
    const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
    const ref = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
    const got = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
    expect(got.shape).toEqual(ref.shape);
    expect(relErr(got.values, ref.values)).toBeLessThan(1e-5);
  });
});

describe('Identity and same-dtype Cast on wasm share the buffer', () => {
  it('clone and cast keep their values after the original is disposed; other casts convert', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor([1.5, -2.25, 3], [3], 'float32');
    const clone = x.clone();
    const same = tf.cast(x, 'float32');
    const viaKernel = tf.engine().runKernel('Cast', { x }, { dtype: 'float32' }) as tf.Tensor;
    const asInt = tf.cast(x, 'int32');
    expect(tf.memory().numDataBuffers).toBe(before + 2); // x (shared by 3 tensors) and the int32 copy
    x.dispose();
    expect(Array.from(await clone.data())).toEqual([1.5, -2.25, 3]);
    expect(Array.from(await same.data())).toEqual([1.5, -2.25, 3]);
    expect(Array.from(await viaKernel.data())).toEqual([1.5, -2.25, 3]);
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(await asInt.data())).toEqual([1, -2, 3]);
    tf.dispose([clone, same, viaKernel]);
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    asInt.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A full training step: conv 3×3 same → batch norm by hand from tf.moments over N,H,W → relu → conv (fused
// bias+relu) → residual add → maxPool 2×2 → conv → tf.batchNorm4d with tf.moments → relu → global mean → dense →
// softmax cross-entropy + L2 weight decay.

type Params = Record<string, tf.Variable>;

function initialValues(): Record<string, { values: Float32Array; shape: number[] }> {
  const spec: Record<string, { shape: number[]; scale: number; offset?: number }> = {
    w1: { shape: [3, 3, 3, 8], scale: 0.4 },
    gamma: { shape: [8], scale: 0.1, offset: 1 },
    beta: { shape: [8], scale: 0.1 },
    w2: { shape: [3, 3, 8, 8], scale: 0.2 },
    b2: { shape: [8], scale: 0.1 },
    w3: { shape: [3, 3, 8, 16], scale: 0.2 },
    gamma3: { shape: [16], scale: 0.1, offset: 1 },
    beta3: { shape: [16], scale: 0.1 },
    wd: { shape: [16, 10], scale: 0.3 },
    bd: { shape: [10], scale: 0.1 },
  };
  let seed = 100;
  const out: Record<string, { values: Float32Array; shape: number[] }> = {};
  for (const [name, s] of Object.entries(spec)) {
    const v = random(s.shape.reduce((a, b) => a * b), seed++);
    for (let i = 0; i < v.length; i++) v[i] = v[i] * s.scale + (s.offset ?? 0);
    out[name] = { values: v, shape: s.shape };
  }
  return out;
}

function makeParams(): Params {
  const p: Params = {};
  for (const [name, v] of Object.entries(initialValues())) p[name] = tf.variable(tf.tensor(v.values, v.shape));
  return p;
}

function loss(p: Params, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const as4 = (t: tf.Tensor) => t as tf.Tensor4D;
    const as1 = (t: tf.Tensor) => t as tf.Tensor1D;
    let h = tf.conv2d(x, as4(p.w1), 1, 'same'); // no bias before a batch norm: its gradient would be 0 ± rounding
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = as4(tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-3))), p.gamma), p.beta));
    h = tf.relu(h);
    const r = tf.fused.conv2d({ x: h, filter: as4(p.w2), strides: 1, pad: 'same', bias: p.b2, activation: 'relu' });
    h = tf.maxPool(as4(tf.add(h, r)), 2, 2, 'valid');
    h = tf.conv2d(h, as4(p.w3), 1, 'same');
    const m3 = tf.moments(h, [0, 1, 2]);
    const bn3 = tf.batchNorm4d(h, as1(m3.mean), as1(m3.variance), as1(p.beta3), as1(p.gamma3), 1e-3);
    h = tf.relu(bn3);
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, p.wd as tf.Tensor2D), p.bd);
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits);
    const l2 = tf.mul(5e-3, tf.addN([p.w1, p.w2, p.w3, p.wd].map((w) => tf.sum(tf.square(w)))));
    return tf.add(ce, l2) as tf.Scalar;
  });
}

const BATCH = 8;
const xValues = random(BATCH * 16 * 16 * 3, 42);
const labelValues = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10);

async function stepGradients(backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
  expect(await tf.setBackend(backend)).toBe(true);
  const p = makeParams();
  const x = tf.tensor4d(xValues, [BATCH, 16, 16, 3]);
  const labels = tf.tensor1d(labelValues, 'int32');
  const { value, grads } = tf.variableGrads(() => loss(p, x, labels), Object.values(p));
  const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
  for (const [name, v] of Object.entries(p)) out[name] = (await grads[v.name].data()) as Float32Array;
  tf.dispose([value, x, labels, ...Object.values(grads), ...Object.values(p)]);
  return out;
}

describe('a full training step on wasm', () => {
  it('gives the cpu gradients (variableGrads)', async () => {
    const ref = await stepGradients('cpu');
    const got = await stepGradients('wasm');
    expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
    for (const name of Object.keys(ref)) {
      expect(relErr(got[name], ref[name]), name).toBeLessThan(1e-4);
    }
  });

  it.each(['momentum', 'adam'] as const)('keeps tf.memory() flat over repeated %s steps', async (kind) => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const p = makeParams();
    const x = tf.tensor4d(xValues, [BATCH, 16, 16, 3]);
    const labels = tf.tensor1d(labelValues, 'int32');
    const optimizer = kind === 'momentum' ? tf.train.momentum(0.05, 0.9) : tf.train.adam(1e-2);
    const losses: number[] = [];
    const counts: { numTensors: number; numDataBuffers: number; numBytes: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const cost = optimizer.minimize(() => loss(p, x, labels), true, Object.values(p));
      if (cost === null) throw new Error('minimize returned no cost');
      losses.push((await cost.data())[0]);
      cost.dispose();
      const m = tf.memory();
      counts.push({ numTensors: m.numTensors, numDataBuffers: m.numDataBuffers, numBytes: m.numBytes });
    }
    // Optimizer slots are created on the first step; from then on nothing may accumulate (engine tensors and the
    // wasm backend's own buffers, which would reveal leaked kernel intermediates).
    for (const c of counts.slice(2)) expect(c).toEqual(counts[1]);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]); // it actually trains
    optimizer.dispose();
    tf.dispose([x, labels, ...Object.values(p)]);
  });

  it('kernels leave no wasm buffers behind (direct calls, both filter-gradient formulations)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const inputs = {
      x: { values: random(2 * 8 * 8 * 3, 7), shape: [2, 8, 8, 3] },
      dy: { values: random(2 * 8 * 8 * 4, 8), shape: [2, 8, 8, 4] },
    };
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    callDirect(conv2DBackpropFilterViaConv, inputs, attrs);
    callDirect(conv2DBackpropFilterViaTaps, inputs, attrs);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) {
      callDirect(conv2DBackpropFilterViaConv, inputs, attrs);
      callDirect(conv2DBackpropFilterViaTaps, inputs, attrs);
    }
    const after = tf.memory();
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numTensors).toBe(before.numTensors);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The app's models: their custom-gradient ops (models/layers.ts batchNorm, models/resnet9.ts globalMaxPool) against
// tfjs autodiff on the cpu backend, and whole-model gradients on wasm against the cpu backend.

function bnParams(c: number, seed: number): BatchNormParams {
  const v = (values: Float32Array) => tf.variable(tf.tensor1d(values)) as tf.Variable<tf.Rank.R1>;
  const gamma = random(c, seed).map((g) => 1 + 0.5 * g);
  return {
    gamma: v(gamma),
    beta: v(random(c, seed + 1).map((b) => 0.3 * b)),
    runningMean: v(new Float32Array(c)),
    runningVar: v(new Float32Array(c).fill(1)),
  };
}

/** Training-mode batch norm the way autodiff sees it (what models/layers.ts did before its custom gradient). */
function batchNormAutodiff(x: tf.Tensor4D, p: BatchNormParams, relu: boolean): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(0.9).add(mean.mul(0.1)));
    p.runningVar.assign(p.runningVar.mul(0.9).add(variance.mul((0.1 * count) / (count - 1))));
  });
  const y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, p.beta, p.gamma, 1e-5);
  return relu ? tf.relu(y) : y;
}

async function bnGradients(
  backend: 'cpu' | 'wasm',
  impl: 'custom' | 'autodiff',
  relu: boolean,
): Promise<Record<string, Float32Array>> {
  expect(await tf.setBackend(backend)).toBe(true);
  const shape: Shape4 = [4, 6, 6, 5];
  const p = bnParams(5, 30);
  const x = tf.variable(tf.tensor4d(random(4 * 6 * 6 * 5, 31).map((v) => 2 * v + 0.5), shape));
  const r = tf.tensor4d(random(4 * 6 * 6 * 5, 32), shape);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => {
    const y = impl === 'custom' ? batchNorm(x, p, true, relu) : batchNormAutodiff(x, p, relu);
    return tf.sum(tf.mul(y, r)) as tf.Scalar;
  }, [x, p.gamma, p.beta]);
  const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
  out.dx = (await grads[x.name].data()) as Float32Array;
  out.dgamma = (await grads[p.gamma.name].data()) as Float32Array;
  out.dbeta = (await grads[p.beta.name].data()) as Float32Array;
  out.runningMean = (await p.runningMean.data()) as Float32Array;
  out.runningVar = (await p.runningVar.data()) as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before); // nothing left behind but the results
  tf.dispose([x, r, p.gamma, p.beta, p.runningMean, p.runningVar]);
  return out;
}

describe("the app's models: custom-gradient ops and whole-model gradients", () => {
  it.each([false, true])('batchNorm (relu %s) gives the autodiff gradients and running statistics', async (relu) => {
    const ref = await bnGradients('cpu', 'autodiff', relu);
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await bnGradients(backend, 'custom', relu);
      for (const name of Object.keys(ref)) {
        expect(relErr(got[name], ref[name]), `${backend} ${name}`).toBeLessThan(1e-5);
      }
    }
  });

  it('globalMaxPool gives tf.max’s gradient (every tied maximum), on cpu and wasm', async () => {
    const values = random(3 * 4 * 5 * 6, 40).map((v) => Math.round(v * 3)); // many ties
    const dyValues = random(3 * 6, 41);
    const grad = async (backend: 'cpu' | 'wasm', op: (x: tf.Tensor4D) => tf.Tensor2D) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(values, [3, 4, 5, 6]);
      const dy = tf.tensor2d(dyValues, [3, 6]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t as tf.Tensor4D), dy)))(x);
      const y = op(x);
      const out = { y: (await y.data()) as Float32Array, g: (await g.data()) as Float32Array };
      tf.dispose([x, dy, g, y]);
      return out;
    };
    const ref = await grad('cpu', (t) => tf.max(t, [1, 2]) as tf.Tensor2D);
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await grad(backend, globalMaxPool);
      expect(Array.from(got.y)).toEqual(Array.from(ref.y));
      expect(Array.from(got.g)).toEqual(Array.from(ref.g));
    }
  });

  async function modelGradients(spec: ModelSpec, backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
    expect(await tf.setBackend(backend)).toBe(true);
    const model = createModel(spec, 3);
    const x = tf.tensor4d(random(4 * 32 * 32 * 3, 50).map((v) => 2 * v), [4, 32, 32, 3]);
    const labels = tf.oneHot(tf.tensor1d([1, 7, 3, 0], 'int32'), 10);
    const variables = model.trainable.map((t) => t.variable);
    const step = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, true)) as tf.Scalar, variables);
    const first = step();
    tf.dispose([first.value, ...Object.values(first.grads)]);
    const before = tf.memory().numTensors;
    const { value, grads } = step(); // a second step: from the running statistics the first one left
    const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
    for (const { name, variable } of model.trainable) out[name] = (await grads[variable.name].data()) as Float32Array;
    for (const { name, variable } of model.state) out[name] = (await variable.data()) as Float32Array;
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    model.dispose();
    return out;
  }

  it.each([
    ['tiny CNN', { arch: 'tiny-cnn' }],
    ['ResNet-9 ×0.125', { arch: 'resnet9', width: 0.125 }],
  ] as [string, ModelSpec][])(
    '%s: a training step on wasm gives the cpu gradients and running statistics',
    async (_, spec) => {
      const ref = await modelGradients(spec, 'cpu');
      const got = await modelGradients(spec, 'wasm');
      expect(Object.keys(got)).toEqual(Object.keys(ref));
      for (const name of Object.keys(ref)) expect(relErr(got[name], ref[name]), name).toBeLessThan(1e-4);
    },
  );
});
