/**
 * TRAK-style gradient attribution on the LAST LAYER: the
 * cheap alternative to subset datamodels for DM-Direct / DMM. One trained model (or a few, averaged) instead of
 * hundreds of subset models; less accurate.
 *
 * Parameters θ = the final linear layer (kernel W [D, C] and bias b if the model has one); the rest of the
 * network is frozen, so with h̃ = [scale·h, 1 if bias] the logits are z = W̃ᵀh̃ and every per-example gradient
 * w.r.t. θ is an outer product h̃ ⊗ (∂out/∂z) (tfjs-notes: ≈40× cheaper than full per-example gradients).
 *
 * - TRAK's output function is the margin f = z_y − logsumexp_{c≠y} z_c = log(p_y / (1 − p_y)), with
 *   ∂f/∂z = e_y − q (q = softmax over the classes c ≠ y, q_y = 0): φ_i = Pᵀ(h̃_i ⊗ (e_y − q_i)).
 * - TRAK's training term (1 − p_i)·φ_i is exactly Pᵀ(h̃_i ⊗ (e_y − p_i)) = −Pᵀ∇_θ CE_i: we call it g_i.
 * - β_margin[i, j] = φ_jᵀ (ΦᵀΦ + λI)⁻¹ g_i: the effect of including training point i on the margin of j
 *   (a Gauss–Newton step with TRAK's unit-weight kernel), summed over an ensemble by averaging.
 * - Per-logit effects (what DMM needs): the same (projected) parameter change (ΦᵀΦ + λI)⁻¹ g_i, read out
 *   through each logit's gradient ψ_{j,c} = Pᵀ(h̃_j ⊗ e_c) instead of the margin's:
 *   β[i, j, c] = ψ_{j,c}ᵀ (ΦᵀΦ + λI)⁻¹ g_i. By the chain rule β_margin[i, j] = Σ_c (∂f_j/∂z_c)·β[i, j, c]
 *   (`marginEffects`), so the two readouts are consistent. Σ_c β[i, j, c] = 0 in the unprojected case: margin
 *   and CE gradients have zero class sum, so Δθ never moves all logits together (softmax ignores that anyway).
 * - Σ_{i∈F} β[i, j, :] for every evaluated point j = h̃_jᵀ ΔW_F with ΔW_F = P (ΦᵀΦ + λI)⁻¹ Σ_{i∈F} g_i:
 *   one k×k solve per forget set, β is never materialised.
 * - Projection P: Gaussian entries N(0, 1/k) (so E[PPᵀ] = I and λ means the same with or without it), seeded,
 *   independent per ensemble member. When k ≥ (D + bias)·C the exact gradients are used (P = I): the
 *   ResNet-9 head (32·10 at width 0.25) is smaller than the default k = 512; the tiny CNN's (1025·10) is not.
 * - λ is floored at 1e-9 × the mean diagonal of ΦᵀΦ so the Cholesky solve exists when ΦᵀΦ is singular (always
 *   so without projection: the class-sum directions above). Those directions are never excited by Σ g_i, so
 *   the floor does not change the result there.
 *
 * tfjs runs the feature extraction and, when projecting, the one O(n·D·C·k) product (batched, in tidy);
 * the kernel (float64), Cholesky and solves are plain JS. Memory per model: features of every point
 * (points·D floats), P (D·C·k floats), the training g's (n·k). Measured on 2 CPU cores (WASM): building the
 * state for the tiny CNN's head (1025·10 → k = 512) takes ≈ 2.8 s per 1,000 training points (the projection
 * product dominates); one forget set's Σ_F β for 1,500 points ≈ 0.14 s.
 *
 * Departures from TRAK (Park et al. 2023): last layer only (TRAK projects full-network gradients); features
 * in evaluation mode; no TRAK "soft-thresholding"; λ instead of TRAK's unregularised inverse.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunControl } from '../control';
import { fillBatch, toInputTensor } from '../data/batches';
import { PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import { applyHead } from '../models/layers';
import type { Model } from '../models/model';
import { createRng } from '../rng';

export interface TrakOptions {
  /** k: dimension of the random projection (default 512). */
  projectionDim?: number;
  /** Ridge term λ of (ΦᵀΦ + λI) (default 0.01). */
  lambda?: number;
  seed?: number;
}

/** The last layer's inputs and outputs on every evaluated point: the training points S first, then V. */
export interface LastLayerData {
  /** [points, dim] penultimate features h. */
  features: Float32Array;
  /** [points, classes] logits. */
  logits: Float32Array;
  /** Labels of (at least) the first trainCount points. */
  labels: ArrayLike<number>;
  points: number;
  trainCount: number;
  dim: number;
  classes: number;
  /** logits = scale·(h·W) + b. */
  scale: number;
  bias: boolean;
}

export interface TrakState {
  data: LastLayerData;
  /** k (= (dim + bias)·classes without projection). */
  k: number;
  /** [(dim + bias)·classes, k] row-major, row d·classes + c; null = identity (no projection). */
  projection: Float32Array | null;
  /** g_i = (1 − p_i)·φ_i for each training point, [trainCount, k]. */
  trainGrads: Float32Array;
  /** Lower Cholesky factor of ΦᵀΦ + λI, [k, k]. */
  chol: Float64Array;
}

/**
 * Builds one model's TRAK state: φ_i and g_i for every training point, the kernel and its Cholesky factor.
 * Uses tfjs only when it projects.
 */
export async function buildTrakState(data: LastLayerData, options: TrakOptions = {}): Promise<TrakState> {
  const { trainCount, classes } = data;
  const inDim = data.dim + (data.bias ? 1 : 0);
  const p = inDim * classes;
  const requested = options.projectionDim ?? 512;
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`projectionDim must be a positive integer, got ${requested}`);
  const lambda = options.lambda ?? 0.01;
  if (!(lambda >= 0)) throw new Error(`lambda must be ≥ 0, got ${lambda}`);
  if (data.features.length !== data.points * data.dim)
    throw new Error(`features: expected ${data.points}·${data.dim} values, got ${data.features.length}`);
  if (data.logits.length !== data.points * classes)
    throw new Error(`logits: expected ${data.points}·${classes} values, got ${data.logits.length}`);
  if (trainCount > data.points || data.labels.length < trainCount) throw new Error('every training point needs a row and a label');

  // Output-gradient coefficients per training point: a = ∂margin/∂z = e_y − q, r = e_y − p = (1 − p_y)·a.
  const a = new Float32Array(trainCount * classes);
  const r = new Float32Array(trainCount * classes);
  for (let i = 0; i < trainCount; i++) outputGradients(data.logits, i, classes, data.labels[i], a, r);

  const projected = requested < p;
  const k = projected ? requested : p;
  const phi = new Float32Array(trainCount * k);
  const trainGrads = new Float32Array(trainCount * k);
  let projection: Float32Array | null = null;
  if (projected) {
    const rng = createRng(options.seed ?? 0).fork('trak-projection');
    projection = new Float32Array(p * k);
    const sd = 1 / Math.sqrt(k);
    for (let t = 0; t < projection.length; t++) projection[t] = rng.normal() * sd;
    await projectOnDevice(data, inDim, a, r, projection, k, phi, trainGrads);
  } else {
    const h = new Float64Array(inDim);
    for (let i = 0; i < trainCount; i++) {
      augmented(data, i, h);
      for (let d = 0; d < inDim; d++) {
        for (let c = 0; c < classes; c++) {
          phi[i * k + d * classes + c] = h[d] * a[i * classes + c];
          trainGrads[i * k + d * classes + c] = h[d] * r[i * classes + c];
        }
      }
    }
  }

  const kernel = gram(phi, trainCount, k);
  let meanDiag = 0;
  for (let t = 0; t < k; t++) meanDiag += kernel[t * k + t] / k;
  const ridge = Math.max(lambda, 1e-9 * meanDiag, 1e-30);
  for (let t = 0; t < k; t++) kernel[t * k + t] += ridge;
  choleskyInPlace(kernel, k);
  return { data, k, projection, trainGrads, chol: kernel };
}

/** Σ_{i∈F} β[i, j, :] for every evaluated point j, as [points, classes] (float64), from one model's state. */
export function trakStateForgetBetaSum(state: TrakState, forget: ArrayLike<number>): Float64Array {
  const { data, k } = state;
  const { classes, trainCount } = data;
  const s = new Float64Array(k);
  const seen = new Set<number>();
  for (let f = 0; f < forget.length; f++) {
    const i = forget[f];
    if (!Number.isInteger(i) || i < 0 || i >= trainCount)
      throw new Error(`forget index ${i} is not a training index in [0, ${trainCount})`);
    if (seen.has(i)) throw new Error(`forget index ${i} appears twice; the forget set must list distinct training points`);
    seen.add(i);
    for (let t = 0; t < k; t++) s[t] += state.trainGrads[i * k + t];
  }
  const u = choleskySolve(state.chol, k, s);
  // ΔW = P·u: the parameter change, [(dim + bias)·classes].
  const inDim = data.dim + (data.bias ? 1 : 0);
  let dW: Float64Array;
  if (state.projection) {
    dW = new Float64Array(inDim * classes);
    for (let row = 0; row < dW.length; row++) {
      let acc = 0;
      const o = row * k;
      for (let t = 0; t < k; t++) acc += state.projection[o + t] * u[t];
      dW[row] = acc;
    }
  } else dW = u;
  const out = new Float64Array(data.points * classes);
  const h = new Float64Array(inDim);
  for (let j = 0; j < data.points; j++) {
    augmented(data, j, h);
    for (let d = 0; d < inDim; d++) {
      const hd = h[d];
      if (hd === 0) continue; // ReLU features are often 0
      for (let c = 0; c < classes; c++) out[j * classes + c] += hd * dW[d * classes + c];
    }
  }
  return out;
}

/**
 * The ensemble's Σ_{i∈F} β[i, j, :] (mean over models) for each forget set, as Float32Array [points, 10],
 * points = training points S (`train.indices`; forget sets index into it) then validation points V.
 * Models are processed one at a time; only one model's state is held.
 */
export async function trakForgetBetaSums(
  models: Model[],
  train: { set: ImageSet; indices: ArrayLike<number> },
  validation: { set: ImageSet; indices: ArrayLike<number> } | null,
  forgetSets: ArrayLike<number>[],
  options: TrakOptions & { batchSize?: number; control?: RunControl } = {},
): Promise<Float32Array[]> {
  if (models.length === 0) throw new Error('TRAK needs at least one model');
  const sums: Float64Array[] = [];
  const base = createRng(options.seed ?? 0);
  for (let m = 0; m < models.length; m++) {
    const data = await extractLastLayer(models[m], train, validation, options);
    const state = await buildTrakState(data, { ...options, seed: base.fork(`model-${m}`).nextUint32() });
    forgetSets.forEach((forget, f) => {
      const one = trakStateForgetBetaSum(state, forget);
      if (!sums[f]) sums[f] = new Float64Array(one.length);
      for (let t = 0; t < one.length; t++) sums[f][t] += one[t] / models.length;
    });
    await options.control?.checkpoint();
  }
  return sums.map((s) => Float32Array.from(s));
}

/** One forget set: Σ_{i∈F} β[i, j, :] as [points, 10] (S then V), averaged over the models. */
export async function trakForgetBetaSum(
  models: Model[],
  train: { set: ImageSet; indices: ArrayLike<number> },
  validation: { set: ImageSet; indices: ArrayLike<number> } | null,
  forget: ArrayLike<number>,
  options: TrakOptions & { batchSize?: number; control?: RunControl } = {},
): Promise<Float32Array> {
  return (await trakForgetBetaSums(models, train, validation, [forget], options))[0];
}

/**
 * Penultimate features and logits of `model` (evaluation mode) on S then V, batched like evaluateModel
 * (the last batch padded to a fixed shape).
 */
export async function extractLastLayer(
  model: Model,
  train: { set: ImageSet; indices: ArrayLike<number> },
  validation: { set: ImageSet; indices: ArrayLike<number> } | null,
  options: { batchSize?: number; control?: RunControl } = {},
): Promise<LastLayerData> {
  const parts = validation ? [train, validation] : [train];
  const points = parts.reduce((n, p) => n + p.indices.length, 0);
  const [dim, classes] = model.head.kernel.shape as [number, number];
  const features = new Float32Array(points * dim);
  const logits = new Float32Array(points * classes);
  const labels = new Int32Array(points);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 256, points));
  const raw = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const batchLabels = new Int32Array(batchSize);
  const batchIdx = new Int32Array(batchSize);
  let offset = 0;
  for (const { set, indices } of parts) {
    for (let start = 0; start < indices.length; start += batchSize) {
      await options.control?.checkpoint();
      const count = Math.min(batchSize, indices.length - start);
      for (let b = 0; b < batchSize; b++) batchIdx[b] = indices[start + Math.min(b, count - 1)];
      fillBatch(set, batchIdx, raw, batchLabels);
      const [h, z] = tf.tidy(() => {
        const feats = model.features(toInputTensor(raw, batchSize), false);
        return [feats, applyHead(model.head, feats)];
      });
      const [hv, zv] = (await Promise.all([h.data(), z.data()])) as Float32Array[];
      tf.dispose([h, z]);
      features.set(hv.subarray(0, count * dim), (offset + start) * dim);
      logits.set(zv.subarray(0, count * classes), (offset + start) * classes);
      labels.set(batchLabels.subarray(0, count), offset + start);
    }
    offset += indices.length;
  }
  return {
    features,
    logits,
    labels,
    points,
    trainCount: train.indices.length,
    dim,
    classes,
    scale: model.head.scale,
    bias: model.head.bias !== undefined,
  };
}

/**
 * Margin effects from per-logit effects: Σ_c (∂f_j/∂z_c)·Δz_jc with ∂f/∂z = e_y − q (the chain rule that links
 * β[i, j, :] to TRAK's β_margin[i, j]). `labels[j]` for every point j.
 */
export function marginEffects(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  logitEffects: ArrayLike<number>,
  classes = 10,
): Float64Array {
  const n = labels.length;
  const a = new Float32Array(n * classes);
  const r = new Float32Array(n * classes);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    outputGradients(logits, j, classes, labels[j], a, r);
    for (let c = 0; c < classes; c++) out[j] += a[j * classes + c] * logitEffects[j * classes + c];
  }
  return out;
}

/** Row i: a = e_y − softmax_{c≠y} (margin gradient), r = e_y − softmax (negative CE gradient). */
export function outputGradients(logits: ArrayLike<number>, i: number, classes: number, label: number, a: Float32Array, r: Float32Array) {
  const o = i * classes;
  let max = -Infinity;
  let maxOther = -Infinity;
  for (let c = 0; c < classes; c++) {
    max = Math.max(max, logits[o + c]);
    if (c !== label) maxOther = Math.max(maxOther, logits[o + c]);
  }
  let sum = 0;
  let sumOther = 0;
  for (let c = 0; c < classes; c++) {
    sum += Math.exp(logits[o + c] - max);
    if (c !== label) sumOther += Math.exp(logits[o + c] - maxOther);
  }
  for (let c = 0; c < classes; c++) {
    const onehot = c === label ? 1 : 0;
    a[o + c] = c === label ? 1 : -Math.exp(logits[o + c] - maxOther) / sumOther;
    r[o + c] = onehot - Math.exp(logits[o + c] - max) / sum;
  }
}

/** h̃_j = [scale·h_j, 1 if bias] into `out`. */
function augmented(data: LastLayerData, j: number, out: Float64Array) {
  const o = j * data.dim;
  for (let d = 0; d < data.dim; d++) out[d] = data.scale * data.features[o + d];
  if (data.bias) out[data.dim] = 1;
}

/**
 * φ_i and g_i for every training point through the projection, on the tfjs backend: per batch
 * M = H̃·P ([B, C·k], P viewed as [D̃, C·k]), then [a_i; r_i] (2×C) · M_i (C×k).
 */
async function projectOnDevice(
  data: LastLayerData,
  inDim: number,
  a: Float32Array,
  r: Float32Array,
  projection: Float32Array,
  k: number,
  phi: Float32Array,
  g: Float32Array,
) {
  const { trainCount, classes } = data;
  const batch = Math.max(1, Math.min(256, trainCount));
  const h = new Float32Array(batch * inDim);
  const coef = new Float32Array(batch * 2 * classes);
  const row = new Float64Array(inDim);
  const P = tf.tensor2d(projection, [inDim, classes * k]);
  try {
    for (let start = 0; start < trainCount; start += batch) {
      const count = Math.min(batch, trainCount - start);
      for (let b = 0; b < count; b++) {
        const i = start + b;
        augmented(data, i, row);
        h.set(row, b * inDim);
        coef.set(a.subarray(i * classes, (i + 1) * classes), b * 2 * classes);
        coef.set(r.subarray(i * classes, (i + 1) * classes), b * 2 * classes + classes);
      }
      const out = tf.tidy(() => {
        const m = tf.reshape(tf.matMul(tf.tensor2d(h.subarray(0, count * inDim), [count, inDim]), P), [count, classes, k]);
        return tf.matMul(tf.tensor3d(coef.subarray(0, count * 2 * classes), [count, 2, classes]), m as tf.Tensor3D);
      });
      const values = (await out.data()) as Float32Array;
      out.dispose();
      for (let b = 0; b < count; b++) {
        phi.set(values.subarray(b * 2 * k, b * 2 * k + k), (start + b) * k);
        g.set(values.subarray(b * 2 * k + k, (b + 1) * 2 * k), (start + b) * k);
      }
    }
  } finally {
    P.dispose();
  }
}

/** ΦᵀΦ in float64 for row-major Φ [n, k] (lower triangle computed, mirrored). */
function gram(phi: Float32Array, n: number, k: number): Float64Array {
  const K = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let x = 0; x < k; x++) {
      const v = phi[o + x];
      if (v === 0) continue;
      const rowOff = x * k;
      for (let y = 0; y <= x; y++) K[rowOff + y] += v * phi[o + y];
    }
  }
  for (let x = 0; x < k; x++) for (let y = 0; y < x; y++) K[y * k + x] = K[x * k + y];
  return K;
}

/** In-place Cholesky A = LLᵀ of a symmetric positive-definite [n, n] matrix; L in the lower triangle. */
export function choleskyInPlace(A: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let t = 0; t < j; t++) d -= A[j * n + t] * A[j * n + t];
    if (!(d > 0)) throw new Error(`matrix is not positive definite (pivot ${j} = ${d}); increase λ`);
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let t = 0; t < j; t++) s -= A[i * n + t] * A[j * n + t];
      A[i * n + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) A[i * n + j] = 0;
  }
}

/** Solves LLᵀx = b given the factor from `choleskyInPlace`. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let t = 0; t < i; t++) s -= L[i * n + t] * x[t];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let t = i + 1; t < n; t++) s -= L[t * n + i] * x[t];
    x[i] = s / L[i * n + i];
  }
  return x;
}
