import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { random, useKernelTestBackends, type Shape4 } from '../../../../test/support/wasmKernels';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';

useKernelTestBackends();

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
  const v = random(
    c.x.reduce((a, b) => a * b),
    5,
  );
  for (let i = 0; i < v.length; i++) {
    if (c.data === 'ties')
      v[i] = Math.max(0, Math.round(v[i] * 2)); // many equal values and all-zero windows
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
      const weights = tf.tensor(
        random(
          pooled.reduce((a, b) => a * b),
          6,
        ),
        pooled,
      ); // distinct upstream gradients
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad), weights)))(xt);
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
