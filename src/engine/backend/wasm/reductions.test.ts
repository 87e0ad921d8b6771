import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { random, relErr, runKernelOn, useKernelTestBackends } from '../../../../test/support/wasmKernels';

useKernelTestBackends();

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
    const inputs = {
      x: {
        values: random(
          c.shape.reduce((a, b) => a * b),
          9,
        ),
        shape: c.shape,
      },
    };
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
    const inputs = {
      x: {
        values: random(
          c.shape.reduce((a, b) => a * b),
          11,
        ),
        shape: c.shape,
      },
    };
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
      a: {
        values: random(
          c.a.reduce((x, y) => x * y),
          11,
        ),
        shape: c.a,
      },
      b: {
        values: random(
          c.b.reduce((x, y) => x * y),
          12,
        ),
        shape: c.b,
      },
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
