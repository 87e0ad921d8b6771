/** Entries for the cache tests. */
import { expect } from 'vitest';
import type { CachedModel, CachedModelKind } from '../../src/engine/cache/types';

/** Float32 values a lossy path (e.g. through JSON or float64) would change: -0, NaN, ±Infinity, a subnormal, the largest float. */
const SPECIAL = [-0, NaN, Infinity, -Infinity, 1.4e-45, 3.4028234663852886e38];

function values(length: number, seed: number): Float32Array {
  const v = new Float32Array(length);
  for (let i = 0; i < length; i++) v[i] = i < SPECIAL.length ? SPECIAL[i] : Math.sin(seed * 1000 + i) * 10;
  if (length > SPECIAL.length) new Uint32Array(v.buffer)[SPECIAL.length] = 0x7fc0_0123; // a NaN with a payload
  return v;
}

interface EntryOptions {
  kind?: CachedModelKind;
  seed?: number;
  /** Rows of 10 outputs. */
  train?: number;
  validation?: number;
  createdAt?: string;
}

/** A model entry: 2 weights (3·3·2·4 + 4 values) and train/validation outputs; bytes = 4·(72 + 4 + 10·n + 10·m). */
export function makeEntry(key: string, options: EntryOptions = {}): CachedModel {
  const seed = options.seed ?? 1;
  return {
    key,
    kind: options.kind ?? 'original',
    description: `model ${key}`,
    weights: [
      { name: 'conv1', shape: [3, 3, 2, 4], values: values(72, seed) },
      { name: 'bn1.gamma', shape: [4], values: values(4, seed + 1) },
    ],
    outputs: { train: values(10 * (options.train ?? 20), seed + 2), validation: values(10 * (options.validation ?? 5), seed + 3) },
    meta: { trainingMs: 1234.5, examplesProcessed: 6000, accuracy: { train: 0.9, validation: 0.7 }, note: null },
    createdAt: options.createdAt ?? '2025-01-01T00:00:00.000Z',
  };
}

export const bytesOf = (e: CachedModel) =>
  (e.weights ?? []).reduce((s, w) => s + w.values.byteLength, 0) + Object.values(e.outputs).reduce((s, v) => s + v.byteLength, 0);

/** True when both arrays hold the same bytes (NaN payloads and -0 included). */
export function sameBytes(a: Float32Array, b: Float32Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** Asserts `back` is `entry`, byte for byte, in fresh arrays. */
export function expectSameEntry(back: CachedModel | undefined, entry: CachedModel): void {
  expect(back).toBeDefined();
  const { weights, outputs, ...rest } = back!;
  const { weights: w0, outputs: o0, ...rest0 } = entry;
  expect(rest).toEqual(rest0);
  expect(weights?.map((w) => [w.name, w.shape])).toEqual(w0?.map((w) => [w.name, w.shape]));
  weights?.forEach((w, i) => {
    expect(sameBytes(w.values, w0![i].values)).toBe(true);
    expect(w.values === w0![i].values).toBe(false);
  });
  expect(Object.keys(outputs)).toEqual(Object.keys(o0));
  for (const k of Object.keys(o0)) {
    expect(sameBytes(outputs[k], o0[k])).toBe(true);
    expect(outputs[k] === o0[k]).toBe(false);
  }
}
