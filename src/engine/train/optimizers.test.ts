import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { Adam, SgdMomentum } from './optimizers';

beforeAll(async () => {
  await useWasmBackend();
});

const theta0 = [0.5, -1.25, 2, 0, 3e-3, -7];
const grad1 = [0.1, -2, 0, 1e-6, -3e-4, 40];
const grad2 = [-0.3, 1, 0.5, 2e-6, 1e-4, -10];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected[i])),
    );
  }
}

describe('Adam', () => {
  it('takes the closed-form first step θ − lr·g/(|g| + ε), then matches a float64 reference', () => {
    const before = tf.memory().numTensors;
    const theta = tf.tidy(() => tf.variable(tf.tensor1d(theta0), true, 'adam_test_theta'));
    const adam = new Adam([theta]);
    const lr = 1e-3;
    const eps = 1e-8;

    tf.tidy(() => adam.step({ [theta.name]: tf.tensor1d(grad1) }, lr));
    const first = theta.dataSync();
    expectClose(
      first,
      theta0.map((t, i) => t - (lr * grad1[i]) / (Math.abs(grad1[i]) + eps)),
      1e-6,
    );
    expect(adam.iterations).toBe(1);

    // Second step with another lr (the per-step lr is what the matching methods need).
    const lr2 = 5e-4;
    tf.tidy(() => adam.step({ [theta.name]: tf.tensor1d(grad2) }, lr2));
    const expected = theta0.map((t, i) => {
      const b1 = 0.9;
      const b2 = 0.999;
      let m = (1 - b1) * grad1[i];
      let v = (1 - b2) * grad1[i] ** 2;
      let x = t - (lr * (m / (1 - b1))) / (Math.sqrt(v / (1 - b2)) + eps);
      m = b1 * m + (1 - b1) * grad2[i];
      v = b2 * v + (1 - b2) * grad2[i] ** 2;
      x -= (lr2 * (m / (1 - b1 ** 2))) / (Math.sqrt(v / (1 - b2 ** 2)) + eps);
      return x;
    });
    expectClose(theta.dataSync(), expected, 1e-6);

    adam.dispose();
    theta.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('SgdMomentum with masks', () => {
  it('never moves masked-out weights (weight decay and momentum included) and updates the others as PyTorch', () => {
    const before = tf.memory().numTensors;
    const theta = tf.tidy(() => tf.variable(tf.tensor1d(theta0), true, 'sgd_mask_test_theta'));
    const maskValues = [1, 0, 1, 0, 1, 0];
    const mask = tf.tensor1d(maskValues);
    const sgd = new SgdMomentum([theta], 0.9, 5e-4, new Map([[theta.name, mask]]));
    const lr = 0.1;
    for (const g of [grad1, grad2, grad1]) tf.tidy(() => sgd.step({ [theta.name]: tf.tensor1d(g) }, lr));
    const after = theta.dataSync();

    const expected = theta0.map((t, i) => {
      let x = t;
      let v = 0;
      for (const [k, g] of [grad1, grad2, grad1].entries()) {
        const d = maskValues[i] * (g[i] + 5e-4 * x);
        v = k === 0 ? d : 0.9 * v + d;
        x -= lr * v;
      }
      return x;
    });
    expectClose(after, expected, 1e-5);
    const start = Float32Array.from(theta0);
    for (let i = 0; i < theta0.length; i++) if (maskValues[i] === 0) expect(after[i]).toBe(start[i]);

    sgd.dispose();
    mask.dispose();
    theta.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
