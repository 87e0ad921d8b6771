import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  CHALLENGE_DELTA,
  EPSILON_CAP,
  challengeScore,
  epsilonBuckets,
  epsilonOfExample,
  epsilonPerExample,
  epsilonPoints,
  forgetQualityScore,
  thresholdEpsilon,
} from './epsilon';

/**
 * A literal transcription of the challenge's `_get_epsilons` for one example (every threshold pair
 * materialised, rates by full scans, np.nanmax), to check the pointer-walking implementation against.
 */
function referenceEpsilon(unlearned: number[], oracle: number[]): number {
  const med = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const h = s.length >> 1;
    return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
  };
  const linspace = (a: number, b: number, n: number) => {
    if (n === 1) return [a];
    const step = (b - a) / (n - 1);
    return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : i * step + a));
  };
  const [pos, neg] = med(oracle) > med(unlearned) ? [oracle, unlearned] : [unlearned, oracle];
  const range = (v: number[]) => Math.max(...v) - Math.min(...v);
  const [pd, nd] = [range(pos), range(neg)];
  const largest = pd > nd ? pd : nd;
  const smallest = pd > nd ? nd : pd;
  if (smallest / largest < 0.01) return EPSILON_CAP;
  const rates: [number, number][] = []; // [fpr, fnr]
  const frac = (v: number[], f: (c: number) => boolean) => v.filter(f).length / v.length;
  // double
  const [p2, n2] = pd >= nd ? [neg, pos] : [pos, neg];
  const min = Math.min(...p2) + smallest - 2;
  const max = Math.max(...p2) + 2;
  for (const r of linspace(min, max, Math.ceil((max - min) * 100))) {
    for (const l of linspace(r - smallest - 2, r - smallest + 2, 400)) {
      const pp = (c: number) => l <= c && c <= r;
      rates.push([frac(n2, pp), frac(p2, (c) => !pp(c))]);
    }
  }
  // single
  const all = [...pos, ...neg];
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  for (const t of linspace(lo, hi, Math.ceil((hi - lo) * 100))) rates.push([frac(neg, (c) => c >= t), frac(pos, (c) => c < t)]);
  let best = Number.NaN;
  for (const [fpr, fnr] of rates) {
    let e: number;
    if (fpr + fnr === 0) e = Infinity;
    else if (fpr * fnr === 0) continue;
    else {
      const a = Math.log(1 - CHALLENGE_DELTA - fpr) - Math.log(fnr);
      const b = Math.log(1 - CHALLENGE_DELTA - fnr) - Math.log(fpr);
      e = Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
      if (Number.isNaN(e)) continue;
      e = Math.max(0, e);
    }
    if (Number.isNaN(best) || e > best) best = e;
  }
  return Number.isNaN(best) ? 0 : Math.min(EPSILON_CAP, best);
}

function normals(n: number, rng: ReturnType<typeof createRng>, mean = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

/** [model][example] margins, every example drawn from N(mean, sd). */
function group(models: number, examples: number, seed: number, mean = 0, sd = 1): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: models }, () => Float64Array.from(normals(examples, rng, mean, sd)));
}

describe('ε per example (the NeurIPS 2023 challenge estimator)', () => {
  it('matches a hand-computed case', () => {
    // oracle (higher median) = positive. Best single threshold t ∈ (2.5, 3]: 3 of 4 oracle margins above,
    // 1 of 4 unlearned: FPR = FNR = 1/4 → ε = log((1 − δ − 1/4) / (1/4)) = log(3 − 4δ). No threshold does better
    // without zeroing FPR or FNR (those are discarded), and the double thresholds reach the same rates.
    const unlearned = [0, 1, 2, 3];
    const oracle = [2.5, 3.5, 4.5, 5.5];
    expect(epsilonOfExample(unlearned, oracle)).toBeCloseTo(Math.log(3 - 4 * CHALLENGE_DELTA), 12);
    expect(referenceEpsilon(unlearned, oracle)).toBeCloseTo(Math.log(3 - 4 * CHALLENGE_DELTA), 12);
    // N = 4: buckets below ⌈log 3⌉ = 2; log 3 ≈ 1.0986 is in [1, 1.5) → ¼
    expect(forgetQualityScore([epsilonOfExample(unlearned, oracle)], 4)).toBe(0.25);
  });

  it('agrees with a literal transcription of the challenge code', () => {
    const rng = createRng(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + (trial % 7);
      const shift = rng.next() * 3;
      const sdO = 0.3 + rng.next() * 2;
      const u = normals(n, rng, 0, 1).map((v) => Math.round(v * 20) / 20); // ties and grid-exact values too
      const o = normals(n, rng, shift, sdO);
      expect(epsilonOfExample(u, o)).toBeCloseTo(referenceEpsilon(u, o), 12);
    }
  });

  it('rules: perfect separation → cap, one peaky side → cap, per-threshold handling of zero rates', () => {
    expect(epsilonOfExample([0, 1, 2, 3], [10, 11, 12, 13])).toBe(EPSILON_CAP);
    expect(epsilonOfExample([5, 5, 5, 5.001], [0, 3, 6, 9])).toBe(EPSILON_CAP); // range ratio < 1 %
    expect(epsilonOfExample([1, 1, 1], [1, 1, 1])).toBe(0); // every threshold discarded (the challenge asserts)
    expect(thresholdEpsilon(0, 0)).toBe(Infinity);
    expect(thresholdEpsilon(0, 0.5)).toBeNaN();
    expect(thresholdEpsilon(0.5, 0.5)).toBe(0);
    expect(thresholdEpsilon(1, 1)).toBeNaN();
    // the larger of log((1 − δ − FPR)/FNR) = log(0.9/0.2) and log((1 − δ − FNR)/FPR) = log(0.8/0.1)
    expect(thresholdEpsilon(0.1, 0.2)).toBeCloseTo(Math.log((1 - CHALLENGE_DELTA - 0.2) / 0.1), 12);
  });

  it('finite ε is bounded by log(N − 1): stronger evidence jumps to the cap', () => {
    for (const n of [4, 10, 32]) {
      const rng = createRng(n);
      // strongly shifted but overlapping by one sample per side: the best finite threshold has FPR = FNR = 1/N
      const u = normals(n, rng, 0, 1);
      const o = normals(n, rng, 20, 1);
      u[0] = 25;
      o[0] = -5;
      const e = epsilonOfExample(u, o);
      expect(e).toBeLessThan(Math.log(n - 1));
      expect(e).toBeCloseTo(Math.log((1 - CHALLENGE_DELTA - 1 / n) * n), 9);
    }
  });

  it('identical distributions: ε ≈ log 5 and score ≈ 0.17 at any N (tail thresholds); shifted lower; separated 0', () => {
    // Measured (100 examples of N(0,1) vs N(0,1)): median ε = log 5 ≈ 1.61 for N = 8…256, score 0.15–0.20. The
    // estimator's best threshold sits in a tail, where e.g. 1 of N negatives vs 6 of N positives lie above it
    // (ε = log((1 − δ − 26/32)/(1/32)) ≈ log 6 at N = 32): small counts give large ratios at every N. So even
    // oracle vs oracle scores ≈ 0.17, not 1: show this score next to its oracle-vs-oracle floor.
    const n = 32;
    const same = epsilonPerExample(group(n, 60, 1), group(n, 60, 2));
    const sorted = Float64Array.from(same).sort();
    expect(sorted[30]).toBeGreaterThan(0.5);
    expect(sorted[30]).toBeLessThan(Math.log(n - 1));
    const score = forgetQualityScore(same, n);
    expect(score).toBeGreaterThan(0.1);
    expect(score).toBeLessThan(0.3);
    const shifted = forgetQualityScore(epsilonPerExample(group(n, 60, 3), group(n, 60, 4, 1)), n);
    expect(shifted).toBeLessThan(score);
    const apart = epsilonPerExample(group(n, 20, 5), group(n, 20, 6, 30));
    apart.forEach((e) => expect(e).toBe(EPSILON_CAP));
    expect(forgetQualityScore(apart, n)).toBe(0);
  });

  it('is computed per example from [model][example] rows', () => {
    const per = epsilonPerExample(
      [
        [0, 0],
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      [
        [2.5, 1000],
        [3.5, 1010],
        [4.5, 1020],
        [5.5, 1030],
      ],
    );
    expect(per[0]).toBeCloseTo(Math.log(3 - 4 * CHALLENGE_DELTA), 12);
    expect(per[1]).toBe(EPSILON_CAP);
    expect(() => epsilonPerExample([[1, 2]], [[1]])).toThrow(/every model/);
  });
});

describe('challenge score', () => {
  it('buckets ε in 0.5-wide buckets below ⌈log(N − 1)⌉ worth 1, ½, ¼, …', () => {
    expect(epsilonBuckets(512).length).toBe(14); // ⌈log 511⌉ = 7
    expect(epsilonBuckets(10)).toEqual([
      [0, 1],
      [0.5, 0.5],
      [1, 0.25],
      [1.5, 0.125],
      [2, 0.0625],
      [2.5, 0.03125],
    ]);
    expect(epsilonPoints(0, 10)).toBe(1);
    expect(epsilonPoints(0.49, 10)).toBe(1);
    expect(epsilonPoints(0.5, 10)).toBe(0.5);
    expect(epsilonPoints(2.99, 10)).toBe(0.03125);
    expect(epsilonPoints(3, 10)).toBe(0);
    expect(epsilonPoints(EPSILON_CAP, 10)).toBe(0);
    expect(epsilonBuckets(2)).toEqual([]); // N ≤ 2: no bucket, score 0
    expect(forgetQualityScore([0, 0.6, 1.2, 50], 10)).toBeCloseTo((1 + 0.5 + 0.25 + 0) / 4, 12);
  });

  it('final = forget score · RA_u/RA_r · TA_u/TA_r (accuracies averaged over models)', () => {
    const s = challengeScore({
      unlearnedForget: [[0], [1], [2], [3]],
      oracleForget: [[2.5], [3.5], [4.5], [5.5]],
      unlearnedRetainAccuracy: [0.8, 0.9],
      oracleRetainAccuracy: 0.9,
      unlearnedTestAccuracy: [0.7],
      oracleTestAccuracy: [0.6, 0.8],
    });
    expect(s.forgetScore).toBe(0.25);
    expect(s.retainRatio).toBeCloseTo(0.85 / 0.9, 12);
    expect(s.testRatio).toBeCloseTo(1, 12);
    expect(s.finalScore).toBeCloseTo((0.25 * 0.85) / 0.9, 12);
  });
});
