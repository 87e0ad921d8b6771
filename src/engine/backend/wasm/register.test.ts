import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useKernelTestBackends } from '../../../../test/support/wasmKernels';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register';

useKernelTestBackends();

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
      expect(() => tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 1, 'same')), [w])).toThrow(/Conv2DBackpropFilter/);
      tf.dispose([w, x]);
    } finally {
      registerWasmTrainingKernels();
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
