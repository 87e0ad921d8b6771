import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { fillBatch, toInputTensor } from '../data/batches';
import { syntheticImageSet } from '../data/synthetic';
import { PIXELS_PER_IMAGE } from '../data/types';
import { createModel } from '../models/model';
import { createRng } from '../rng';
import { kernelForgetEffect, kernelSolver, marginGradientKernel, type GradientKernel } from './gradientKernel';
import { choleskyInPlace, choleskySolve } from './trak';

beforeAll(async () => {
  await useWasmBackend();
});

/** Random features Φ [points, d]; the kernel of the first `train` rows against all. */
function randomKernel(points: number, train: number, d: number, seed: number) {
  const rng = createRng(seed);
  const phi = Float64Array.from({ length: points * d }, () => rng.normal());
  const kernel = new Float32Array(points * train);
  for (let j = 0; j < points; j++)
    for (let i = 0; i < train; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += phi[j * d + t] * phi[i * d + t];
      kernel[j * train + i] = s;
    }
  const residual = Float32Array.from({ length: train }, () => rng.next());
  return { phi, d, k: { kernel, residual, points, trainCount: train } satisfies GradientKernel };
}

describe('kernel-form TRAK', () => {
  it('equals the feature-form Gauss–Newton step φ_jᵀ(ΦᵀΦ + λI)⁻¹ Σ_F (1 − p_i)φ_i', () => {
    const { phi, d, k } = randomKernel(40, 30, 8, 1);
    const solver = kernelSolver(k, 0.3);
    const forget = [2, 5, 11, 29];
    const got = kernelForgetEffect(solver, forget);
    // Feature form: (Φ_SᵀΦ_S + ridge·I) u = Σ_F r_i φ_i.
    const a = new Float64Array(d * d);
    for (let i = 0; i < k.trainCount; i++)
      for (let x = 0; x < d; x++) for (let y = 0; y < d; y++) a[x * d + y] += phi[i * d + x] * phi[i * d + y];
    for (let x = 0; x < d; x++) a[x * d + x] += solver.ridge;
    const b = new Float64Array(d);
    for (const i of forget) for (let x = 0; x < d; x++) b[x] += k.residual[i] * phi[i * d + x];
    choleskyInPlace(a, d);
    const u = choleskySolve(a, d, b);
    for (let j = 0; j < k.points; j++) {
      let want = 0;
      for (let x = 0; x < d; x++) want += phi[j * d + x] * u[x];
      expect(got[j]).toBeCloseTo(want, 4);
    }
  });

  it('gives each training point its own effect in closed form', () => {
    const { k } = randomKernel(25, 20, 12, 2);
    const solver = kernelSolver(k, 0.1);
    for (let i = 0; i < k.trainCount; i++) expect(solver.selfEffect[i]).toBeCloseTo(kernelForgetEffect(solver, [i])[i], 5);
  });

  it('names a forget index outside the training points', () => {
    const { k } = randomKernel(10, 8, 4, 3);
    expect(() => kernelForgetEffect(kernelSolver(k, 0.3), [8])).toThrow(/forget index 8 is not a training index/);
    expect(() => kernelSolver(k, 0)).toThrow(/lambda must be > 0/);
  });
});

describe('marginGradientKernel', () => {
  const set = syntheticImageSet(6, 4);
  const points = { train: { set, indices: [0, 1, 2, 3] }, validation: { set, indices: [4, 5] } };

  /** Each point's margin gradient, written independently: f = log p_y − log(1 − p_y). */
  async function gradients(model: ReturnType<typeof createModel>): Promise<Float32Array[]> {
    const raw = new Float32Array(PIXELS_PER_IMAGE);
    const label = new Int32Array(1);
    const out: Float32Array[] = [];
    for (const i of [0, 1, 2, 3, 4, 5]) {
      fillBatch(set, [i], raw, label);
      const g = tf.tidy(() => {
        const x = toInputTensor(raw, 1);
        const { grads } = tf.variableGrads(
          () => {
            const p = tf.softmax(model.apply(x, false).reshape([10]));
            const py = tf.sum(tf.mul(p, tf.oneHot(tf.tensor1d([label[0]], 'int32'), 10).reshape([10])));
            return tf.sub(tf.log(py), tf.log(tf.sub(1, py))) as tf.Scalar;
          },
          model.trainable.map((v) => v.variable),
        );
        return tf.concat(model.trainable.map((v) => tf.reshape(grads[v.variable.name], [-1])));
      });
      out.push((await g.data()) as Float32Array);
      g.dispose();
    }
    return out;
  }

  it('holds the dot products of the whole network’s margin gradients, and 1 − p on training points', async () => {
    const model = createModel({ arch: 'tiny-cnn' }, 7);
    const g = await gradients(model);
    const exact = await marginGradientKernel(model, points, { sketchDim: 1e6 });
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, t) => s + v * b[t], 0);
    for (let j = 0; j < 6; j++)
      for (let i = 0; i < 4; i++) {
        const want = dot(g[j], g[i]);
        expect(Math.abs(exact.kernel[j * 4 + i] - want)).toBeLessThan(1e-3 * Math.abs(want) + 1e-4);
      }
    const logits = tf.tidy(() => {
      const raw = new Float32Array(4 * PIXELS_PER_IMAGE);
      fillBatch(set, [0, 1, 2, 3], raw, new Int32Array(4));
      return tf.softmax(model.apply(toInputTensor(raw, 4), false));
    });
    const p = (await logits.data()) as Float32Array;
    logits.dispose();
    for (let i = 0; i < 4; i++) expect(exact.residual[i]).toBeCloseTo(1 - p[i * 10 + set.labels[i]], 5);

    // Count-sketched to 4,096 of the ≈ 34k dimensions: the squared norms stay within a few percent.
    const sketched = await marginGradientKernel(model, points, { sketchDim: 4096, seed: 3 });
    for (let i = 0; i < 4; i++) {
      const want = dot(g[i], g[i]);
      expect(Math.abs(sketched.kernel[i * 4 + i] - want) / want).toBeLessThan(0.1);
    }
    expect(sketched.kernel).not.toEqual(exact.kernel);
    model.dispose();
  });
});
