import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../models/model';
import { createRng, permutation } from '../rng';
import { syntheticImageSet } from '../data/synthetic';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { pearson } from '../metrics/correlation';
import {
  buildTrakState,
  choleskyInPlace,
  choleskySolve,
  extractLastLayer,
  marginEffects,
  trakForgetBetaSum,
  trakForgetBetaSums,
  trakStateForgetBetaSum,
  type LastLayerData,
} from './trak';

beforeAll(async () => {
  await useWasmBackend();
});

const C = 10;

/** A linear softmax model z = Wᵀ[x; 1] on fixed features, trained to its unique L2-regularised optimum. */
class LinearSoftmax {
  constructor(
    readonly x: Float64Array, // [n, D]
    readonly n: number,
    readonly dim: number,
  ) {}

  logits(theta: Float64Array, j: number, out: Float64Array) {
    const p = this.dim + 1;
    for (let c = 0; c < C; c++) {
      let z = theta[this.dim * C + c];
      for (let d = 0; d < this.dim; d++) z += this.x[j * this.dim + d] * theta[d * C + c];
      out[c] = z;
    }
    return p;
  }

  /** Newton's method on Σ_{i∈train} CE_i + (μ/2)‖θ‖² (every parameter penalised: strictly convex). */
  fit(train: number[], labels: Uint8Array, mu: number, start?: Float64Array): Float64Array {
    const P = (this.dim + 1) * C;
    const theta = start ? Float64Array.from(start) : new Float64Array(P);
    const z = new Float64Array(C);
    const h = new Float64Array(this.dim + 1);
    for (let iter = 0; iter < 50; iter++) {
      const grad = Float64Array.from(theta, (v) => mu * v);
      const hess = new Float64Array(P * P);
      for (let t = 0; t < P; t++) hess[t * P + t] = mu;
      for (const i of train) {
        this.logits(theta, i, z);
        const max = Math.max(...z);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
        const p = Array.from(z, (v) => Math.exp(v - max) / sum);
        for (let d = 0; d < this.dim; d++) h[d] = this.x[i * this.dim + d];
        h[this.dim] = 1;
        for (let d = 0; d <= this.dim; d++) {
          for (let c = 0; c < C; c++) {
            grad[d * C + c] += h[d] * (p[c] - (c === labels[i] ? 1 : 0));
            for (let e = 0; e <= this.dim; e++) {
              for (let c2 = 0; c2 < C; c2++) {
                hess[(d * C + c) * P + e * C + c2] += h[d] * h[e] * ((c === c2 ? p[c] : 0) - p[c] * p[c2]);
              }
            }
          }
        }
      }
      const norm = Math.hypot(...grad);
      if (norm < 1e-10) break;
      choleskyInPlace(hess, P);
      const step = choleskySolve(hess, P, grad);
      for (let t = 0; t < P; t++) theta[t] -= step[t];
    }
    return theta;
  }

  allLogits(theta: Float64Array): Float64Array {
    const out = new Float64Array(this.n * C);
    const z = new Float64Array(C);
    for (let j = 0; j < this.n; j++) {
      this.logits(theta, j, z);
      out.set(z, j * C);
    }
    return out;
  }
}

/** Features and labels from a noisy linear teacher: n points, the first `train` of them the training set. */
function problem(n: number, dim: number, seed: number) {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: n * dim }, () => rng.normal());
  const teacher = Float64Array.from({ length: dim * C }, () => rng.normal());
  const labels = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      let z = -Math.log(-Math.log(rng.next() + 1e-12)); // Gumbel noise: labels ~ softmax(teacher)
      for (let d = 0; d < dim; d++) z += x[j * dim + d] * teacher[d * C + c];
      if (z > best) {
        best = z;
        labels[j] = c;
      }
    }
  }
  return { x, labels, model: new LinearSoftmax(x, n, dim) };
}

describe('TRAK (last layer) on a linear softmax model', () => {
  const trainCount = 300;
  const n = 400;
  const dim = 6;
  const mu = 1;
  const { x, labels, model } = problem(n, dim, 3);
  const train = Array.from({ length: trainCount }, (_, i) => i);
  const thetaS = model.fit(train, labels, mu);
  const logitsS = model.allLogits(thetaS);
  const data: LastLayerData = {
    features: Float32Array.from(x),
    logits: Float32Array.from(logitsS),
    labels,
    points: n,
    trainCount,
    dim,
    classes: C,
    scale: 1,
    bias: true,
  };
  const rng = createRng(9);
  const forgetSets = Array.from({ length: 6 }, () => Array.from(permutation(trainCount, rng).subarray(0, 15)));
  /** Brute force: the effect of including F on every logit, z(θ_S) − z(θ_{S∖F}). */
  const actual = forgetSets.map((forget) => {
    const theta = model.fit(
      train.filter((i) => !forget.includes(i)),
      labels,
      mu,
      thetaS,
    );
    const without = model.allLogits(theta);
    return Float64Array.from(logitsS, (v, t) => v - without[t]);
  });

  it('correlates with brute-force leave-F-out retraining (exact gradients and projected)', async () => {
    // Measured over these 6 forget sets of 15: exact gradients (70 parameters < k) per-logit Pearson 0.82–0.93,
    // margin Pearson 0.84–0.90; projected to k = 40 of 70: per-logit 0.55–0.68, margin 0.62–0.79.
    for (const [k, logitMin, marginMin] of [
      [512, 0.75, 0.75],
      [40, 0.45, 0.5],
    ] as const) {
      const state = await buildTrakState(data, { projectionDim: k, lambda: 0.01, seed: 1 });
      expect(state.projection === null).toBe(k >= (dim + 1) * C);
      forgetSets.forEach((forget, f) => {
        const predicted = trakStateForgetBetaSum(state, forget);
        const truth = actual[f];
        const logitR = pearson(predicted, truth);
        const marginR = pearson(marginEffects(logitsS, labels, predicted), marginEffects(logitsS, labels, truth));
        expect(logitR).toBeGreaterThan(logitMin);
        expect(marginR).toBeGreaterThan(marginMin);
      });
    }
  });

  it('per-logit effects read out through the margin gradient give TRAK’s β_margin = φ_jᵀ(ΦᵀΦ + λI)⁻¹ Σ_F g_i', async () => {
    const state = await buildTrakState(data, { projectionDim: 512, lambda: 0.01 });
    const forget = forgetSets[0];
    const perLogit = trakStateForgetBetaSum(state, forget);
    const viaChain = marginEffects(logitsS, labels, perLogit);
    // direct: φ_j = h̃_j ⊗ (e_y − q_j), g_i = h̃_i ⊗ (e_y − p_i) (exact case, P = I)
    const k = state.k;
    const grads = (j: number, margin: boolean) => {
      const z = Array.from(logitsS.subarray(j * C, (j + 1) * C));
      const y = labels[j];
      const others = z.map((v, c) => (c === y ? -Infinity : v));
      const lse = (v: number[]) => {
        const m = Math.max(...v);
        return m + Math.log(v.reduce((s, t) => s + Math.exp(t - m), 0));
      };
      const coef = z.map((v, c) => (c === y ? 1 : 0) - (margin ? (c === y ? 0 : Math.exp(v - lse(others))) : Math.exp(v - lse(z))));
      const h = [...Array.from(x.subarray(j * dim, (j + 1) * dim)), 1];
      return Float64Array.from({ length: k }, (_, t) => h[Math.floor(t / C)] * coef[t % C]);
    };
    const s = new Float64Array(k);
    for (const i of forget) grads(i, false).forEach((v, t) => (s[t] += v));
    const u = choleskySolve(state.chol, k, s);
    for (const j of [0, 5, 299, 350]) {
      const direct = grads(j, true).reduce((acc, v, t) => acc + v * u[t], 0);
      expect(viaChain[j]).toBeCloseTo(direct, 4);
    }
    // exact case: Δθ has zero class sum, so the per-logit effects sum to 0 over classes
    for (const j of [0, 350]) {
      const row = perLogit.subarray(j * C, (j + 1) * C);
      const largest = Math.max(...row.map(Math.abs));
      // up to float32 rounding of g, which the null direction of ΦᵀΦ (only λ there) amplifies by ≈ 1/λ
      expect(Math.abs(row.reduce((a, b) => a + b, 0))).toBeLessThan(1e-3 * largest);
    }
  });

  it('is deterministic for a seed and validates forget sets', async () => {
    const a = trakStateForgetBetaSum(await buildTrakState(data, { projectionDim: 40, seed: 4 }), forgetSets[1]);
    const b = trakStateForgetBetaSum(await buildTrakState(data, { projectionDim: 40, seed: 4 }), forgetSets[1]);
    const c = trakStateForgetBetaSum(await buildTrakState(data, { projectionDim: 40, seed: 5 }), forgetSets[1]);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const state = await buildTrakState(data);
    expect(() => trakStateForgetBetaSum(state, [1, 1])).toThrow(/appears twice/);
    expect(() => trakStateForgetBetaSum(state, [trainCount])).toThrow(/not a training index/);
    expect(Array.from(trakStateForgetBetaSum(state, [])).every((v) => v === 0)).toBe(true);
  });
});

describe('Cholesky', () => {
  it('solves a symmetric positive-definite system', () => {
    const A = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const b = [1, 2, 3];
    const L = Float64Array.from(A);
    choleskyInPlace(L, 3);
    const x = choleskySolve(L, 3, b);
    for (let i = 0; i < 3; i++) expect(A[i * 3] * x[0] + A[i * 3 + 1] * x[1] + A[i * 3 + 2] * x[2]).toBeCloseTo(b[i], 12);
    expect(() => choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('TRAK on the app’s models (tfjs features)', () => {
  const set = syntheticImageSet(50, 2);
  const train = { set, indices: Int32Array.from({ length: 40 }, (_, i) => i) };
  const validation = { set, indices: Int32Array.from({ length: 10 }, (_, i) => 40 + i) };

  it('returns Σ_F β as [|S| + |V|, 10], deterministic, ensemble = mean of members, no tensor leaks', async () => {
    const models = [createModel({ arch: 'tiny-cnn' }, 1), createModel({ arch: 'tiny-cnn' }, 2)];
    const before = tf.memory().numTensors;
    const options = { projectionDim: 64, lambda: 0.01, seed: 3, batchSize: 16 };
    const forgets = [[0, 3, 7], [10]];
    const [f0, f1] = await trakForgetBetaSums(models, train, validation, forgets, options);
    expect(tf.memory().numTensors).toBe(before);
    expect(f0.length).toBe(50 * 10);
    expect(f1.length).toBe(50 * 10);
    expect(f0.every(Number.isFinite)).toBe(true);
    expect(f0.some((v) => v !== 0)).toBe(true);
    const again = await trakForgetBetaSum(models, train, validation, forgets[0], options);
    expect(Array.from(again)).toEqual(Array.from(f0));
    // the ensemble is the mean of its members (member m projects with seed fork `model-m`)
    const members = await Promise.all(
      models.map(async (model, m) => {
        const state = await buildTrakState(await extractLastLayer(model, train, validation, options), {
          ...options,
          seed: createRng(options.seed).fork(`model-${m}`).nextUint32(),
        });
        return trakStateForgetBetaSum(state, forgets[0]);
      }),
    );
    f0.forEach((v, t) => expect(v).toBeCloseTo((members[0][t] + members[1][t]) / 2, 5));
    models.forEach((m) => m.dispose());
  });

  it('extracts features with the head’s scale and bias; ResNet-9’s small head needs no projection', async () => {
    const model = createModel({ arch: 'resnet9', width: 0.125 }, 1);
    const data = await extractLastLayer(model, train, validation, { batchSize: 16 });
    expect(data.dim).toBe(16);
    expect(data.bias).toBe(false);
    expect(data.scale).toBe(0.2);
    expect(Array.from(data.labels)).toEqual(Array.from(set.labels));
    const state = await buildTrakState(data, { projectionDim: 512 });
    expect(state.projection).toBeNull();
    expect(state.k).toBe(160);
    const sum = trakStateForgetBetaSum(state, [0, 1]);
    expect(sum.length).toBe(500);
    model.dispose();
  });
});
