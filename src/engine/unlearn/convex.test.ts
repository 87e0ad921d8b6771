/**
 * The convex check: with exact attribution in a convex setting, DMM lands closer to the oracle than
 * gradient ascent.
 *
 * Setting: multinomial logistic regression (a linear softmax model, L2-regularised, so the optimum is unique) on
 * fixed features: the 48 normalised values of each image's top-left 4×4 pixels, drawn around a per-class mean
 * with heavy noise so the classes overlap and every training point matters. θ0 and the oracle (retrained on
 * R = S \ F) are computed exactly by Newton's method in float64. Exact attribution: the targets are the oracle's
 * own logits (what DM-Direct gives with a perfect β). Both methods run through the real UnlearningMethod code
 * on the same Model interface, each with its spec defaults and the best learning rate of the same small sweep
 * (GA gets its best per split, which favours it).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toInputTensor } from '../data/batches';
import { NUM_CLASSES, PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import { parseSpec, type MethodParams } from '../experiment/spec';
import { applyHead } from '../models/layers';
import type { Model } from '../models/model';
import { createRng } from '../rng';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { evaluateModel } from '../train/evaluate';
import { METHODS } from './index';

const N = 200;
const FEATURES = 48; // 4 × 4 × 3
const D = FEATURES + 1; // with the bias
const C = NUM_CLASSES;
const LAMBDA = 1e-2;

/** Images whose top-left 4×4 patch is a per-class mean plus N(0, 60²) noise; the rest is black. */
function convexSet(seed: number): ImageSet {
  const rng = createRng(seed);
  const means = Array.from({ length: C }, () => Float64Array.from({ length: FEATURES }, () => 60 + rng.next() * 136));
  const images = new Uint8Array(N * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const label = i % C;
    labels[i] = label;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        for (let ch = 0; ch < 3; ch++) {
          const f = (r * 4 + c) * 3 + ch;
          const v = means[label][f] + rng.normal() * 60;
          images[i * PIXELS_PER_IMAGE + (r * 32 + c) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
  }
  return { images, labels, count: N, sourceIndex: Uint32Array.from({ length: N }, (_, i) => i) };
}

/** A linear softmax Model on the patch features: logits = x[:, :4, :4, :]·W + b. θ is D×C row-major, bias last. */
function linearModel(theta: Float64Array): Model {
  const w = tf.tidy(() => tf.variable(tf.tensor2d(Float32Array.from(theta.subarray(0, FEATURES * C)), [FEATURES, C]), true));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(Float32Array.from(theta.subarray(FEATURES * C))), true));
  const head = { kernel: w, bias: b, scale: 1 };
  const features = (x: tf.Tensor4D) => tf.tidy(() => tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 4, 4, 3]), [-1, FEATURES]) as tf.Tensor2D);
  return {
    spec: { arch: 'tiny-cnn' }, // unused by the two methods under test (SCRUB's cloneModel would need a real one)
    trainable: [
      { name: 'linear.kernel', variable: w },
      { name: 'linear.bias', variable: b },
    ],
    state: [],
    features,
    head,
    apply: (x) => applyHead(head, features(x)),
    dispose: () => {
      w.dispose();
      b.dispose();
    },
  };
}

/** The features (normalised exactly as the model sees them) with a trailing 1, float64, N×D. */
function featureMatrix(set: ImageSet): Float64Array {
  const values = tf.tidy(() => {
    const x = toInputTensor(Float32Array.from(set.images), set.count);
    return tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 4, 4, 3]), [-1, FEATURES]).dataSync();
  });
  const out = new Float64Array(set.count * D);
  for (let i = 0; i < set.count; i++) {
    for (let f = 0; f < FEATURES; f++) out[i * D + f] = values[i * FEATURES + f];
    out[i * D + FEATURES] = 1;
  }
  return out;
}

function probabilities(X: Float64Array, theta: Float64Array, i: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    let z = 0;
    for (let d = 0; d < D; d++) z += X[i * D + d] * theta[d * C + c];
    out[c] = z;
    max = Math.max(max, z);
  }
  let sum = 0;
  for (let c = 0; c < C; c++) sum += out[c] = Math.exp(out[c] - max);
  for (let c = 0; c < C; c++) out[c] /= sum;
}

/** (1/m) Σ CE + (λ/2)‖θ‖² over `rows`. */
function objective(X: Float64Array, y: Uint8Array, rows: Int32Array, theta: Float64Array): number {
  const p = new Float64Array(C);
  let loss = 0;
  for (const i of rows) {
    probabilities(X, theta, i, p);
    loss -= Math.log(p[y[i]]);
  }
  let norm = 0;
  for (const t of theta) norm += t * t;
  return loss / rows.length + (LAMBDA / 2) * norm;
}

/** The unique minimiser of the L2-regularised softmax regression on `rows`, by damped Newton in float64. */
function fitExactly(X: Float64Array, y: Uint8Array, rows: Int32Array): { theta: Float64Array; gradNorm: number } {
  const P = D * C;
  const theta = new Float64Array(P);
  const p = new Float64Array(C);
  const m = rows.length;
  let gradNorm = Infinity;
  for (let iter = 0; iter < 100 && gradNorm > 1e-11; iter++) {
    const grad = new Float64Array(P);
    const H = new Float64Array(P * P);
    for (const i of rows) {
      probabilities(X, theta, i, p);
      for (let d = 0; d < D; d++) {
        const xd = X[i * D + d] / m;
        for (let c = 0; c < C; c++) grad[d * C + c] += xd * (p[c] - (c === y[i] ? 1 : 0));
      }
      // H[(d,c),(e,k)] += x_d x_e (p_c δ_ck − p_c p_k) / m
      for (let d = 0; d < D; d++) {
        const xd = X[i * D + d] / m;
        for (let e = 0; e <= d; e++) {
          const xde = xd * X[i * D + e];
          for (let c = 0; c < C; c++) {
            const row = (d * C + c) * P + e * C;
            for (let k = 0; k < C; k++) H[row + k] += xde * ((c === k ? p[c] : 0) - p[c] * p[k]);
          }
        }
      }
    }
    for (let j = 0; j < P; j++) {
      grad[j] += LAMBDA * theta[j];
      H[j * P + j] += LAMBDA;
    }
    // Mirror the lower block triangle (d ≥ e) to the upper.
    for (let r = 0; r < P; r++) for (let s = r + 1; s < P; s++) if (Math.floor(s / C) > Math.floor(r / C)) H[r * P + s] = H[s * P + r];
    gradNorm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0));
    if (gradNorm <= 1e-11) break;
    const step = choleskySolve(H, grad, P);
    const f0 = objective(X, y, rows, theta);
    const slope = grad.reduce((s, g, j) => s + g * step[j], 0);
    let t = 1;
    const trial = new Float64Array(P);
    for (;;) {
      for (let j = 0; j < P; j++) trial[j] = theta[j] - t * step[j];
      if (objective(X, y, rows, trial) <= f0 - 0.25 * t * slope || t < 1e-8) break;
      t /= 2;
    }
    theta.set(trial);
  }
  return { theta, gradNorm };
}

function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

function paramsOf<M extends 'dmm' | 'gradient-ascent'>(method: M, overrides: Record<string, unknown>): MethodParams<M> {
  const spec = parseSpec({ v: 1, forget: [{ kind: 'random', k: 1 }], methods: [{ id: 'm', method, params: overrides }] });
  return spec.methods[0].params as MethodParams<M>;
}

const set = convexSet(11);
const forget = Int32Array.from(pick(20, 5));
const retain = Int32Array.from({ length: N }, (_, i) => i).filter((i) => !forget.includes(i));

/** k distinct random indices of 0..N−1, ascending. */
function pick(k: number, seed: number): number[] {
  const rng = createRng(seed);
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(rng.int(N));
  return [...chosen].sort((a, b) => a - b);
}

let theta0: Float64Array;
let oracleLogits: Float32Array;

/** RMS distance of the model's logits to the oracle's on `rows`. */
async function distance(model: Model, rows: Int32Array): Promise<number> {
  const { logits } = await evaluateModel(model, set, rows);
  let sum = 0;
  rows.forEach((i, r) => {
    for (let c = 0; c < C; c++) sum += (logits[r * C + c] - oracleLogits[i * C + c]) ** 2;
  });
  return Math.sqrt(sum / (rows.length * C));
}

beforeAll(async () => {
  await useWasmBackend();
  const X = featureMatrix(set);
  const all = Int32Array.from({ length: N }, (_, i) => i);
  const original = fitExactly(X, set.labels, all);
  const oracle = fitExactly(X, set.labels, retain);
  expect(original.gradNorm).toBeLessThan(1e-9);
  expect(oracle.gradNorm).toBeLessThan(1e-9);
  theta0 = original.theta;
  oracleLogits = new Float32Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      let z = 0;
      for (let d = 0; d < D; d++) z += X[i * D + d] * oracle.theta[d * C + c];
      oracleLogits[i * C + c] = z;
    }
  }
});

describe('convex check: exact attribution', () => {
  it('DMM lands closer to the oracle than gradient ascent (each at its best learning rate)', async () => {
    const before = tf.memory().numTensors;
    const start = linearModel(theta0);
    const base = { F: await distance(start, forget), R: await distance(start, retain) };
    start.dispose();
    // Sanity: forgetting F matters here (the oracle differs from θ0 on F far more than the float noise).
    expect(base.F).toBeGreaterThan(0.1);

    // Measured (WASM): θ0 F 0.39 / R 0.21; DMM best (20 epochs, lr 1e-2) F 0.041 / R 0.046; GA best F 0.14
    // (5 epochs, lr 0.32), best R 0.14 (5 epochs, lr 0.18): GA's path only passes by the oracle at a distance.
    // The same sweep for both: lr = 10^(k/4) from 1e-4 to 1, epochs 5 (both methods' spec default) or 20; every other
    // hyperparameter at its spec default.
    const lrs = Array.from({ length: 17 }, (_, k) => 10 ** ((k - 16) / 4));
    const results: { method: string; epochs: number; lr: number; F: number; R: number }[] = [];
    for (const method of ['dmm', 'gradient-ascent'] as const) {
      for (const epochs of [5, 20]) {
        for (const lr of lrs) {
          const model = linearModel(theta0);
          const inputs = { model, set, forget, retain, targets: oracleLogits, seed: 3 };
          if (method === 'dmm') await METHODS.dmm({ ...inputs, params: paramsOf('dmm', { lr, epochs }) });
          else await METHODS['gradient-ascent']({ ...inputs, params: paramsOf('gradient-ascent', { lr, epochs }) });
          results.push({ method, epochs, lr, F: await distance(model, forget), R: await distance(model, retain) });
          model.dispose();
        }
      }
    }
    const best = (rows: typeof results, key: 'F' | 'R') => rows.reduce((a, b) => (b[key] < a[key] ? b : a));
    const dmm = best(
      results.filter((r) => r.method === 'dmm'),
      'F',
    );
    const ga = results.filter((r) => r.method === 'gradient-ascent');
    const gaBestF = best(ga, 'F');
    const gaBestR = best(ga, 'R');
    // GA's best is inside the sweep (larger learning rates overshoot), so the sweep is wide enough.
    expect(gaBestF.lr).toBeLessThan(lrs[lrs.length - 1]);
    // DMM (chosen by its forget distance) beats GA's best on F and GA's best on R, each chosen separately.
    expect(dmm.F).toBeLessThan(0.5 * gaBestF.F);
    expect(dmm.R).toBeLessThan(gaBestR.R);
    expect(dmm.F).toBeLessThan(0.5 * base.F);
    expect(tf.memory().numTensors).toBe(before);
  });
});
