import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { marginsFromLogits } from './margins';
import { fitLogistic1d, lossesFromLogits, lossesFromMargins, meanSimpleMia, simpleMia, simpleMiaDetailed } from './mia';

function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => mean + sd * rng.normal());
}

describe('losses', () => {
  it('are per-example cross-entropy, equal to softplus(−margin)', () => {
    const logits = Float32Array.from([2, 0, 0, 0, 1, 3, 1000, 0, -1000]);
    const labels = [0, 2, 0];
    const ce = lossesFromLogits(logits, labels, 3);
    expect(ce[0]).toBeCloseTo(Math.log(Math.exp(2) + 2) - 2, 12);
    expect(ce[1]).toBeCloseTo(Math.log(1 + Math.exp(1) + Math.exp(3)) - 3, 12);
    expect(ce[2]).toBeCloseTo(0, 12); // no overflow at large logits
    const fromMargins = lossesFromMargins(marginsFromLogits(Float32Array.from(logits), labels, 3));
    for (let i = 0; i < 3; i++) expect(fromMargins[i]).toBeCloseTo(ce[i], 5);
    expect(() => lossesFromLogits(logits, [0, 1], 3)).toThrow(/expected 6 logits/);
  });
});

describe('1-D logistic regression', () => {
  it('reaches the stationary point of sklearn’s objective (½w² + C·Σ log-loss, free intercept)', () => {
    const x = Float64Array.from([...normals(40, 1, 0), ...normals(40, 2, 1.5)]);
    const y = Uint8Array.from({ length: 80 }, (_, i) => (i >= 40 ? 1 : 0));
    for (const C of [1, 0.01]) {
      const { w, b } = fitLogistic1d(x, y, C);
      let gw = w;
      let gb = 0;
      x.forEach((v, i) => {
        const r = C * (1 / (1 + Math.exp(-(w * v + b))) - y[i]);
        gw += r * v;
        gb += r;
      });
      expect(Math.abs(gw)).toBeLessThan(1e-8);
      expect(Math.abs(gb)).toBeLessThan(1e-8);
      expect(w).toBeGreaterThan(0);
    }
    // stronger regularisation shrinks the slope
    expect(fitLogistic1d(x, y, 0.01).w).toBeLessThan(fitLogistic1d(x, y, 1).w);
  });

  it('stays finite on separable data (the penalty bounds w) and on a constant feature', () => {
    const x = Float64Array.from([0, 0.1, 0.2, 5, 5.1, 5.2]);
    const y = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const { w, b } = fitLogistic1d(x, y);
    expect(Number.isFinite(w) && Number.isFinite(b)).toBe(true);
    x.forEach((v, i) => expect(Number(w * v + b > 0)).toBe(y[i]));
    const flat = fitLogistic1d(new Float64Array(6).fill(3), y);
    expect(flat.w).toBe(0);
    expect(Math.abs(flat.b)).toBeLessThan(1e-8);
  });
});

describe('simple MIA', () => {
  it('is ≈ 1 for separable losses (members have lower loss)', () => {
    const forget = normals(200, 3, 0.05, 0.01);
    const validation = normals(200, 4, 2, 0.3);
    expect(simpleMia(forget, validation, { seed: 1 })).toBeGreaterThan(0.99);
    expect(simpleMia(forget, validation, { seed: 1, cv: 'k-fold' })).toBeGreaterThan(0.99);
  });

  it('is ≈ 0.5 for identical distributions', () => {
    for (const seed of [1, 2, 3]) {
      const acc = simpleMia(normals(300, 10 + seed), normals(300, 20 + seed), { seed });
      expect(Math.abs(acc - 0.5)).toBeLessThan(0.1);
    }
  });

  it('balances the classes by subsampling the larger side', () => {
    const r = simpleMiaDetailed(normals(500, 5), normals(80, 6), { seed: 2 });
    expect(r.perClass).toBe(80);
    // 160 points: ⌈16⌉ test points per split, 10 splits (the kit's StratifiedShuffleSplit)
    expect(r.splitAccuracies).toHaveLength(10);
    r.splitAccuracies.forEach((a) => expect(Math.round(a * 16)).toBeCloseTo(a * 16, 9));
    expect(simpleMiaDetailed(normals(30, 5), normals(90, 6), { seed: 2, cv: 'k-fold' }).perClass).toBe(30);
  });

  it('subsamples at random (the kept larger-side points depend on the seed)', () => {
    // forget = 20 separable low losses + 180 unseen-like ones: which of them survive the cut changes the score
    const forget = Float64Array.from([...normals(20, 7, -5, 0.01), ...normals(180, 8, 1, 1)]);
    const validation = normals(20, 9, 1, 1);
    const scores = new Set([1, 2, 3, 4, 5].map((seed) => simpleMia(forget, validation, { seed })));
    expect(scores.size).toBeGreaterThan(1);
  });

  it('is deterministic for a seed', () => {
    const f = normals(100, 11, 0.3);
    const v = normals(120, 12, 0.8);
    expect(simpleMiaDetailed(f, v, { seed: 5 })).toEqual(simpleMiaDetailed(f, v, { seed: 5 }));
    expect(meanSimpleMia([f, v], [v, f], { seed: 5 })).toBe(meanSimpleMia([f, v], [v, f], { seed: 5 }));
  });

  it('is NaN when the splits cannot hold both classes', () => {
    expect(simpleMia([1, 2, 3], [4, 5, 6])).toBeNaN();
    expect(simpleMia(normals(6, 1), normals(6, 2))).not.toBeNaN(); // 12 points: 2 test, 10 train
    expect(simpleMia([1, 2, 3, 4], [4, 5, 6, 7], { cv: 'k-fold', splits: 5 })).toBeNaN();
  });
});
