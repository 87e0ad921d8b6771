/**
 * Whole-network gradient kernel: TRAK over every parameter, in kernel form.
 *
 * For one trained model, φ_j = ∇_θ f_j is the gradient of point j's margin f = z_y − logsumexp_{c≠y} z_c with
 * respect to every trainable parameter (evaluation mode). TRAK's effect of including training point i on the
 * margin of point j is β[i, j] = φ_jᵀ (ΦᵀΦ + λI)⁻¹ φ_i · (1 − p_i) (Φ: the training points' gradients as rows),
 * and by the push-through identity (ΦᵀΦ + λI)⁻¹Φᵀ = Φᵀ(ΦΦᵀ + λI)⁻¹ it needs only the kernel K[j, i] = φ_jᵀφ_i:
 *
 *   Σ_{i∈F} β[i, j] = K[j, S] · (K[S, S] + λI)⁻¹ r_F,   r_F[i] = (1 − p_i) for i ∈ F, 0 elsewhere,
 *
 * one |S|-sized solve per forget set. Each point's effect on itself has a closed form:
 * β[i, i] = (1 − p_i)·(K(K + λI)⁻¹)_{ii} = (1 − p_i)·(1 − λ·((K + λI)⁻¹)_{ii}).
 *
 * Why whole-network: the last layer's kernel only sees penultimate features; the whole network's gradients
 * also say which validation images a removed group taught the model about (measured at browser scale, the
 * shift it predicts on validation points correlates with retraining's at r ≈ 0.3 for a subpopulation and
 * ≈ 0.9 for a class, where 100 subset models reach r ≈ 0.15–0.2). Its magnitudes are not to be trusted
 * (Gauss–Newton at the end of training): `kernelTerms` in datamodels.ts calibrates them.
 *
 * Gradients come one example at a time (no per-example vectorisation in tfjs). When the model has more than
 * `sketchDim` parameters, each gradient is count-sketched to `sketchDim` dimensions (every parameter adds its
 * value, with a seeded random sign, to one seeded random bucket): inner products are kept in expectation and
 * memory stays points × sketchDim floats.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunControl } from '../control';
import { fillBatch, toInputTensor } from '../data/batches';
import { PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import type { Model } from '../models/model';
import { createRng } from '../rng';
import { choleskyInPlace, choleskySolve } from './trak';

/** One model's gradient kernel on every evaluated point (the training points S first, then V). */
export interface GradientKernel {
  /** K[j, i] = φ_jᵀφ_i for every evaluated point j and training point i: [points, trainCount] row-major. */
  kernel: Float32Array;
  /** 1 − p_i: one minus the model's probability of training point i's label, [trainCount]. */
  residual: Float32Array;
  points: number;
  trainCount: number;
}

/** Per-point inputs: images and labels of S then V. */
export interface KernelPoints {
  train: { set: ImageSet; indices: ArrayLike<number> };
  validation: { set: ImageSet; indices: ArrayLike<number> } | null;
}

/**
 * The margin-gradient kernel of `model` on S then V. `onPoint(done, total)` reports progress.
 */
export async function marginGradientKernel(
  model: Model,
  { train, validation }: KernelPoints,
  options: { sketchDim?: number; seed?: number; control?: RunControl; onPoint?: (done: number, total: number) => void } = {},
): Promise<GradientKernel> {
  const parts = validation ? [train, validation] : [train];
  const points = parts.reduce((n, p) => n + p.indices.length, 0);
  const trainCount = train.indices.length;
  const variables = model.trainable.map((v) => v.variable);
  const size = variables.reduce((n, v) => n + v.size, 0);
  const sketchDim = options.sketchDim ?? 8192;
  const dim = Math.min(size, sketchDim);
  const sketch = size > sketchDim ? countSketch(size, dim, options.seed ?? 0) : null;
  const phi = new Float32Array(points * dim);
  const residual = new Float32Array(trainCount);
  const raw = new Float32Array(PIXELS_PER_IMAGE);
  const label = new Int32Array(1);
  let j = 0;
  for (const { set, indices } of parts) {
    for (let n = 0; n < indices.length; n++, j++) {
      if (j % 50 === 0) {
        await options.control?.checkpoint();
        options.onPoint?.(j, points);
      }
      fillBatch(set, [indices[n]], raw, label);
      const [grad, probability] = tf.tidy(() => {
        const x = toInputTensor(raw, 1);
        const onehot = tf.oneHot(tf.tensor1d([label[0]], 'int32'), 10).reshape([10]);
        let p: tf.Tensor = tf.scalar(0);
        const { grads } = tf.variableGrads(() => {
          const z = model.apply(x, false).reshape([10]);
          p = tf.keep(tf.sum(tf.mul(tf.softmax(z), onehot)));
          // Margin without gather (its gradient needs a kernel the WASM backend lacks).
          const zy = tf.sum(tf.mul(z, onehot));
          return tf.sub(zy, tf.logSumExp(tf.add(z, tf.mul(onehot, -1e9)))) as tf.Scalar;
        }, variables);
        return [tf.concat(variables.map((v) => tf.reshape(grads[v.name], [-1]))), p];
      });
      const g = (await grad.data()) as Float32Array;
      const pv = (await probability.data())[0];
      tf.dispose([grad, probability]);
      if (j < trainCount) residual[j] = 1 - pv;
      const row = j * dim;
      if (sketch) for (let t = 0; t < size; t++) phi[row + sketch.bucket[t]] += sketch.sign[t] * g[t];
      else phi.set(g, row);
    }
  }
  options.onPoint?.(points, points);
  const kernel = tf.tidy(() => {
    const all = tf.tensor2d(phi, [points, dim]);
    return tf.matMul(all, tf.slice(all, [0, 0], [trainCount, dim]), false, true);
  });
  const values = (await kernel.data()) as Float32Array;
  kernel.dispose();
  return { kernel: values, residual, points, trainCount };
}

function countSketch(size: number, dim: number, seed: number): { bucket: Int32Array; sign: Float32Array } {
  const rng = createRng(seed).fork('count-sketch');
  const bucket = new Int32Array(size);
  const sign = new Float32Array(size);
  for (let t = 0; t < size; t++) {
    bucket[t] = rng.int(dim);
    sign[t] = rng.next() < 0.5 ? -1 : 1;
  }
  return { bucket, sign };
}

/** A kernel ready for forget sets: the Cholesky factor of K[S, S] + λI and each training point's self-effect. */
export interface KernelSolver {
  kernel: GradientKernel;
  /** The ridge actually used: `lambda` × the mean of K[S, S]'s diagonal. */
  ridge: number;
  chol: Float64Array;
  /** β[i, i] for every training point i. */
  selfEffect: Float64Array;
}

/** Factors K[S, S] + λ·mean(diag K)·I; `lambda` is relative so it means the same for every model and sketch. */
export function kernelSolver(kernel: GradientKernel, lambda: number): KernelSolver {
  if (!(lambda > 0)) throw new Error(`lambda must be > 0, got ${lambda}`);
  const n = kernel.trainCount;
  const a = new Float64Array(n * n);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) a[i * n + k] = kernel.kernel[i * n + k];
    meanDiag += a[i * n + i] / n;
  }
  // The float32 product is symmetric only to rounding: use the lower triangle's mirror.
  for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) a[k * n + i] = a[i * n + k];
  const ridge = lambda * Math.max(meanDiag, 1e-30);
  for (let i = 0; i < n; i++) a[i * n + i] += ridge;
  choleskyInPlace(a, n);
  // diag((K + λI)⁻¹)_i = ‖L⁻¹e_i‖²: forward substitution of each unit vector, from row i on.
  const selfEffect = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let r = i; r < n; r++) {
      let s = r === i ? 1 : 0;
      for (let t = i; t < r; t++) s -= a[r * n + t] * y[t];
      y[r] = s / a[r * n + r];
      norm += y[r] * y[r];
    }
    selfEffect[i] = kernel.residual[i] * (1 - ridge * norm);
  }
  return { kernel, ridge, chol: a, selfEffect };
}

/** Σ_{i∈F} β[i, j] for every evaluated point j: the margin effect of including F (removing it shifts by minus this). */
export function kernelForgetEffect(solver: KernelSolver, forget: ArrayLike<number>): Float64Array {
  const { kernel, chol } = solver;
  const n = kernel.trainCount;
  const r = new Float64Array(n);
  for (let f = 0; f < forget.length; f++) {
    const i = forget[f];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`forget index ${i} is not a training index in [0, ${n})`);
    r[i] = kernel.residual[i];
  }
  const u = choleskySolve(chol, n, r);
  const out = new Float64Array(kernel.points);
  for (let j = 0; j < kernel.points; j++) {
    let s = 0;
    const row = j * n;
    for (let i = 0; i < n; i++) s += kernel.kernel[row + i] * u[i];
    out[j] = s;
  }
  return out;
}
