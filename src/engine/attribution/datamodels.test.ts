import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { pearson, spearman } from '../metrics/correlation';
import { dmDirectLogits, forgetBetaDiagonal, forgetBetaPooled, forgetBetaSum, forgetModelWeights, halfSubsetMasks } from './datamodels';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) out[t] = rng.normal();
  return out;
}

/** β[i, j, c] straight from the definition (difference of the two means), materialised. */
function bruteForceBeta(masks: Uint8Array, models: number, trainCount: number, outputs: Float32Array, rowSize: number): Float64Array {
  const beta = new Float64Array(trainCount * rowSize);
  for (let i = 0; i < trainCount; i++) {
    const inSum = new Float64Array(rowSize);
    const outSum = new Float64Array(rowSize);
    let nIn = 0;
    let nOut = 0;
    for (let m = 0; m < models; m++) {
      const target = masks[m * trainCount + i] ? inSum : outSum;
      if (masks[m * trainCount + i]) nIn++;
      else nOut++;
      for (let t = 0; t < rowSize; t++) target[t] += outputs[m * rowSize + t];
    }
    for (let t = 0; t < rowSize; t++) beta[i * rowSize + t] = inSum[t] / nIn - outSum[t] / nOut;
  }
  return beta;
}

/** Z[m] = Σ_{i∈S_m} θ[i] + bias: an exactly additive "model" of its training set. */
function linearOutputs(masks: Uint8Array, models: number, trainCount: number, theta: Float64Array, bias: Float64Array): Float32Array {
  const rowSize = bias.length;
  const out = new Float32Array(models * rowSize);
  const acc = new Float64Array(rowSize);
  for (let m = 0; m < models; m++) {
    acc.set(bias);
    for (let i = 0; i < trainCount; i++) {
      if (!masks[m * trainCount + i]) continue;
      for (let t = 0; t < rowSize; t++) acc[t] += theta[i * rowSize + t];
    }
    out.set(acc, m * rowSize);
  }
  return out;
}

/** Brute-force leave-F-out: the additive model trained on S \ F. */
function leaveOut(trainCount: number, theta: Float64Array, bias: Float64Array, forget: number[]): Float64Array {
  const rowSize = bias.length;
  const out = Float64Array.from(bias);
  for (let i = 0; i < trainCount; i++) {
    if (forget.includes(i)) continue;
    for (let t = 0; t < rowSize; t++) out[t] += theta[i * rowSize + t];
  }
  return out;
}

/** Random θ[i, j, c], centred over i (Σ_i θ[i] = 0), and a random bias. */
function randomLinearModel(trainCount: number, rowSize: number, seed: number): { theta: Float64Array; bias: Float64Array } {
  const rng = createRng(seed);
  const theta = new Float64Array(trainCount * rowSize);
  for (let t = 0; t < theta.length; t++) theta[t] = rng.normal();
  for (let t = 0; t < rowSize; t++) {
    let mean = 0;
    for (let i = 0; i < trainCount; i++) mean += theta[i * rowSize + t];
    mean /= trainCount;
    for (let i = 0; i < trainCount; i++) theta[i * rowSize + t] -= mean;
  }
  const bias = new Float64Array(rowSize);
  for (let t = 0; t < rowSize; t++) bias[t] = 3 * rng.normal();
  return { theta, bias };
}

function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += (a[t] - b[t]) ** 2;
  return Math.sqrt(s / a.length);
}

const popcount = (v: number): number => {
  let c = 0;
  for (let x = v; x; x &= x - 1) c++;
  return c;
};

describe('halfSubsetMasks', () => {
  it('draws subsets of size round(alpha·|S|), deterministically, with model m independent of M', () => {
    const n = 101;
    const masks = halfSubsetMasks(n, 20, 7);
    expect(masks.length).toBe(20 * n);
    for (let m = 0; m < 20; m++) {
      let size = 0;
      for (let i = 0; i < n; i++) {
        expect(masks[m * n + i] === 0 || masks[m * n + i] === 1).toBe(true);
        size += masks[m * n + i];
      }
      expect(size).toBe(Math.round(0.5 * n));
    }
    const third = halfSubsetMasks(n, 5, 7, 0.3);
    for (let m = 0; m < 5; m++) expect(third.subarray(m * n, (m + 1) * n).reduce((a, b) => a + b, 0)).toBe(30);

    expect(halfSubsetMasks(n, 20, 7)).toEqual(masks);
    expect(halfSubsetMasks(n, 20, 8)).not.toEqual(masks);
    expect(halfSubsetMasks(n, 5, 7)).toEqual(masks.subarray(0, 5 * n));
    // Different models get different subsets.
    expect(masks.subarray(0, n)).not.toEqual(masks.subarray(n, 2 * n));
  });

  it('includes every point about alpha of the time', () => {
    const n = 50;
    const models = 400;
    const masks = halfSubsetMasks(n, models, 3);
    for (let i = 0; i < n; i++) {
      let count = 0;
      for (let m = 0; m < models; m++) count += masks[m * n + i];
      expect(Math.abs(count / models - 0.5)).toBeLessThan(0.1);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => halfSubsetMasks(0, 3, 1)).toThrow(/trainCount/);
    expect(() => halfSubsetMasks(10, 3, 1, 1)).toThrow(/alpha/);
  });
});

describe('forgetBetaDiagonal', () => {
  it('keeps only each forget point’s effect on itself: β[f, f, :] for f ∈ F, zero on every other example', () => {
    const trainCount = 9;
    const models = 30;
    const points = 12; // 9 training examples, then 3 validation examples
    const classes = 3;
    const masks = halfSubsetMasks(trainCount, models, 11);
    const outputs = randomArray(models * points * classes, 12);
    const beta = bruteForceBeta(masks, models, trainCount, outputs, points * classes);
    const forget = [0, 3, 8];
    const got = forgetBetaDiagonal(masks, models, trainCount, outputs, points, classes, forget);
    for (let j = 0; j < points; j++) {
      for (let c = 0; c < classes; c++) {
        const expected = forget.includes(j) ? beta[j * points * classes + j * classes + c] : 0;
        expect(got[j * classes + c]).toBeCloseTo(expected, 5);
      }
    }
    // One forget point: its row is the same as the full sum's.
    const one = forgetBetaSum(masks, models, trainCount, outputs, points, classes, [4]);
    const diag = forgetBetaDiagonal(masks, models, trainCount, outputs, points, classes, [4]);
    for (let c = 0; c < classes; c++) expect(diag[4 * classes + c]).toBeCloseTo(one[4 * classes + c], 5);
  });
});

describe('forgetBetaPooled', () => {
  // 60 training points, 300 validation points, 2 classes; F = the first 10 training points.
  const trainCount = 60;
  const points = 360;
  const classes = 2;
  const rowSize = points * classes;
  const forget = Array.from({ length: 10 }, (_, i) => i);
  // Ten labels, as in CIFAR-10: points are pooled by label within their split.
  const labels = Array.from({ length: points }, (_, j) => j % 10);

  /** Z = additive model with effects θ plus independent noise of sd `noise` per model and output. */
  function noisyOutputs(models: number, theta: Float64Array, noise: number, seed: number) {
    const masks = halfSubsetMasks(trainCount, models, seed);
    const outputs = linearOutputs(masks, models, trainCount, theta, new Float64Array(rowSize));
    const rng = createRng(seed + 1);
    for (let t = 0; t < outputs.length; t++) outputs[t] += noise * rng.normal();
    return { masks, outputs };
  }

  it('is the diagonal plus, on forget and validation rows, the mean off-diagonal row of their label; retain rows stay', () => {
    const { masks, outputs } = noisyOutputs(
      20,
      Float64Array.from(randomArray(trainCount * rowSize, 4), (x) => x * 0.1),
      1,
      9,
    );
    const pooled = forgetBetaPooled(masks, 20, trainCount, outputs, points, classes, forget, labels);
    const diagonal = forgetBetaDiagonal(masks, 20, trainCount, outputs, points, classes, forget);
    const full = forgetBetaSum(masks, 20, trainCount, outputs, points, classes, forget);
    const groupMean = (rows: number[], c: number) =>
      rows.reduce((t, j) => t + full[j * classes + c] - diagonal[j * classes + c], 0) / rows.length;
    for (const j of [3, 12, 59, 60, 217, 359]) {
      const split = j < forget.length ? 'forget' : j < trainCount ? 'retain' : 'validation';
      for (let c = 0; c < classes; c++) {
        const same = Array.from({ length: points }, (_, k) => k).filter(
          (k) => labels[k] === labels[j] && (k < forget.length ? 'forget' : k < trainCount ? 'retain' : 'validation') === split,
        );
        const expected = split === 'retain' ? 0 : diagonal[j * classes + c] + groupMean(same, c);
        expect(pooled[j * classes + c]).toBeCloseTo(expected, 4);
      }
    }
  });

  it('keeps a coherent effect (a class) that one point’s own sum drowns in noise', () => {
    // Every forget point lowers class 0 of every validation point by 0.3: the sum over F is −3 there.
    const theta = new Float64Array(trainCount * rowSize);
    for (const f of forget) for (let j = trainCount; j < points; j++) theta[f * rowSize + j * classes] = -0.3;
    const { masks, outputs } = noisyOutputs(40, theta, 1, 5);
    const pooled = forgetBetaPooled(masks, 40, trainCount, outputs, points, classes, forget, labels);
    const truth = new Float64Array(rowSize);
    for (let j = trainCount; j < points; j++) truth[j * classes] = -3;
    const diagonal = forgetBetaDiagonal(masks, 40, trainCount, outputs, points, classes, forget);
    const full = forgetBetaSum(masks, 40, trainCount, outputs, points, classes, forget);
    const validationRows = (a: ArrayLike<number>) => Array.from(a).slice(trainCount * classes);
    expect(rms(validationRows(pooled), validationRows(truth))).toBeLessThan(rms(validationRows(diagonal), validationRows(truth)) / 2);
    expect(rms(validationRows(pooled), validationRows(truth))).toBeLessThan(rms(validationRows(full), validationRows(truth)) / 2);
  });
});

describe('forgetBetaSum', () => {
  it('equals Σ_{i∈F} β[i] computed from an explicitly materialised β', () => {
    const trainCount = 9;
    const models = 30;
    const points = 5;
    const classes = 3;
    const masks = halfSubsetMasks(trainCount, models, 11);
    const outputs = randomArray(models * points * classes, 12);
    const beta = bruteForceBeta(masks, models, trainCount, outputs, points * classes);
    for (const forget of [[4], [0, 3, 8], [1, 2, 5, 6, 7]]) {
      const got = forgetBetaSum(masks, models, trainCount, outputs, points, classes, forget);
      expect(got.length).toBe(points * classes);
      for (let t = 0; t < points * classes; t++) {
        let expected = 0;
        for (const i of forget) expected += beta[i * points * classes + t];
        expect(got[t]).toBeCloseTo(expected, 5);
      }
    }
    // Empty forget set: zero correction.
    expect(Array.from(forgetBetaSum(masks, models, trainCount, outputs, points, classes, []))).toEqual(new Array(15).fill(0));
  });

  it('recovers an additive model exactly with a balanced (Hadamard) design: DM-Direct = leave-F-out', () => {
    // Rows of a Sylvester–Hadamard matrix of order 16, columns 1..12: each point is in half of the models and
    // any two points' inclusions are independent, so the difference in means is exactly θ_i.
    const trainCount = 12;
    const models = 16;
    const points = 4;
    const classes = 3;
    const rowSize = points * classes;
    const masks = new Uint8Array(models * trainCount);
    for (let m = 0; m < models; m++)
      for (let i = 0; i < trainCount; i++) masks[m * trainCount + i] = popcount(m & (i + 1)) % 2 === 0 ? 1 : 0;
    const { theta, bias } = randomLinearModel(trainCount, rowSize, 5);
    const outputs = linearOutputs(masks, models, trainCount, theta, bias);
    const full = Float32Array.from(leaveOut(trainCount, theta, bias, []));
    for (const forget of [[2], [0, 5, 11], [1, 3, 4, 6, 7, 8, 9, 10]]) {
      const betaSum = forgetBetaSum(masks, models, trainCount, outputs, points, classes, forget);
      const predicted = dmDirectLogits(full, betaSum);
      const truth = leaveOut(trainCount, theta, bias, forget);
      for (let t = 0; t < rowSize; t++) expect(predicted[t]).toBeCloseTo(truth[t], 4);
    }
  });

  it('documents the fixed-size-subset bias: over all C(8,4) subsets, β_i = θ_i − Σ_{k≠i} θ_k / (|S|−1)', () => {
    const trainCount = 8;
    const rowSize = 6;
    const subsets = [];
    for (let bits = 0; bits < 1 << trainCount; bits++) if (popcount(bits) === 4) subsets.push(bits);
    const models = subsets.length; // 70
    const masks = new Uint8Array(models * trainCount);
    subsets.forEach((bits, m) => {
      for (let i = 0; i < trainCount; i++) masks[m * trainCount + i] = (bits >> i) & 1;
    });
    const { theta, bias } = randomLinearModel(trainCount, rowSize, 9);
    const outputs = linearOutputs(masks, models, trainCount, theta, bias);
    const got = forgetBetaSum(masks, models, trainCount, outputs, 2, 3, [3]);
    for (let t = 0; t < rowSize; t++) {
      let others = 0;
      for (let k = 0; k < trainCount; k++) if (k !== 3) others += theta[k * rowSize + t];
      expect(got[t]).toBeCloseTo(theta[3 * rowSize + t] - others / (trainCount - 1), 4);
    }
  });

  it('predicts brute-force leave-F-out of an additive model from random half subsets, better with more models', () => {
    const trainCount = 20;
    const points = 4;
    const classes = 3;
    const rowSize = points * classes;
    const forget = [2, 7, 13];
    const { theta, bias } = randomLinearModel(trainCount, rowSize, 21);
    const full = Float32Array.from(leaveOut(trainCount, theta, bias, []));
    const truth = leaveOut(trainCount, theta, bias, forget);
    // Where the estimator converges for fixed-size subsets (see the previous test).
    const limit = new Float64Array(rowSize);
    for (let t = 0; t < rowSize; t++) {
      limit[t] = full[t];
      for (const i of forget) {
        let others = 0;
        for (let k = 0; k < trainCount; k++) if (k !== i) others += theta[k * rowSize + t];
        limit[t] -= theta[i * rowSize + t] - others / (trainCount - 1);
      }
    }
    const allMasks = halfSubsetMasks(trainCount, 2000, 17);
    const allOutputs = linearOutputs(allMasks, 2000, trainCount, theta, bias);
    const errors = [50, 2000].map((models) => {
      const masks = allMasks.subarray(0, models * trainCount);
      const outputs = allOutputs.subarray(0, models * rowSize);
      const predicted = dmDirectLogits(full, forgetBetaSum(masks, models, trainCount, outputs, points, classes, forget));
      return { toTruth: rms(predicted, truth), toLimit: rms(predicted, limit) };
    });
    // θ has unit scale; forgetting 3 points moves the logits by ~√3.
    expect(rms(full, truth)).toBeGreaterThan(1);
    expect(errors[1].toTruth).toBeLessThan(errors[0].toTruth / 3);
    expect(errors[1].toTruth).toBeLessThan(0.3);
    // Noise shrinks like 1/√M (√40 ≈ 6.3 here); allow slack for a single draw.
    expect(errors[1].toLimit).toBeLessThan(errors[0].toLimit / 3);
  });

  it('says which forget point is in all or none of the subsets and suggests more models', () => {
    const trainCount = 4;
    const models = 3;
    // Point 0: in all; point 1: in none; points 2, 3: mixed.
    const masks = Uint8Array.from([1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1]);
    const outputs = randomArray(models * 2, 1);
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 2, 1, [2, 0])).toThrow(
      /training point 0 is in all of the 3 subset models.*more subset models/,
    );
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 2, 1, [1])).toThrow(/training point 1 is in none.*more subset models/);
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 2, 1, [2, 3])).not.toThrow();
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 2, 1, [2, 2])).toThrow(/twice/);
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 2, 1, [4])).toThrow(/not a training index/);
    expect(() => forgetBetaSum(masks, models, trainCount, outputs, 3, 1, [2])).toThrow(/outputs has/);
  });

  it('exposes the per-model weights: each forget point contributes +1 over its in-models and −1 over its out-models', () => {
    const masks = Uint8Array.from([1, 0, 0, 1, 1, 1]); // 3 models × 2 points
    expect(Array.from(forgetModelWeights(masks, 3, 2, [0]))).toEqual([1 / 2, -1, 1 / 2]);
    const w = forgetModelWeights(masks, 3, 2, [0, 1]);
    expect(w[0]).toBeCloseTo(1 / 2 - 1 / 1, 12);
    expect(w[1]).toBeCloseTo(-1 + 1 / 2, 12);
    expect(w[2]).toBeCloseTo(1 / 2 + 1 / 2, 12);
  });
});

describe('dmDirectLogits', () => {
  it('subtracts the summed β from the original logits', () => {
    expect(Array.from(dmDirectLogits(Float32Array.from([1, 2, 3]), Float32Array.from([0.5, -1, 3])))).toEqual([0.5, 3, 0]);
    expect(() => dmDirectLogits(new Float32Array(2), new Float32Array(3))).toThrow(/betaSum/);
  });
});

describe('pearson and spearman', () => {
  it('handles perfect, reversed, affine, constant and tiny inputs', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [-5, 10, 25])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [4, 4, 4])).toBeNaN();
    expect(pearson([1], [2])).toBeNaN();
    expect(() => pearson([1, 2], [1])).toThrow(/equal lengths/);
    // Hand-computed: deviations [−1, 0, 1] and [−1, 1, 0] → Σdxdy = 1, Σdx² = Σdy² = 2 → 0.5.
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(pearson(Float32Array.from([0, 1, 0, 1]), Float32Array.from([0, 0, 1, 1]))).toBeCloseTo(0, 12);
  });

  it('spearman is rank-based, averages ties', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [1, 8, 27, 1000])).toBeLessThan(0.9);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks of [1, 1, 2] are [1.5, 1.5, 3]; against [1, 2, 3]: Pearson of those = √3/2.
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(spearman([5, 5, 5], [1, 2, 3])).toBeNaN();
  });
});
