/**
 * The NeurIPS 2023 Machine Unlearning Challenge score (github.com/google-deepmind/unlearning_evaluation,
 * metric.py and main.py), on plain arrays.
 *
 * Per forget example: N unlearned and N retrained ("oracle") outputs. The challenge's output is the
 * logit-scaled confidence log p_y − log(1 − p_y), which is exactly the margin z_y − logsumexp_{c≠y} z_c, so
 * margins go in unchanged. For each example the challenge estimates ε (δ = 1e-5) from threshold attacks:
 *
 * 1. Positive = whichever side has the larger median (np.median); negative = the other.
 * 2. If min(range)/max(range) of the two sides is < 0.01, ε = 50 (one side is "peaky"). Two constant sides
 *    (0/0) fall through to step 3.
 * 3. Single thresholds t = linspace(min, max, ⌈(max − min)·100⌉) over the pooled values; predict positive iff
 *    value ≥ t. Double thresholds: positive is redefined as the side with the smaller range w (the first side
 *    on a tie); right ends r = linspace(minP + w − 2, maxP + 2, ⌈(max − min)·100⌉), for each r left ends
 *    l = linspace(r − w − 2, r − w + 2, 400); predict positive iff l ≤ value ≤ r.
 * 4. Per threshold, from FPR and FNR: both 0 → ε = ∞ (perfect separation); exactly one 0 → discarded
 *    ("insufficient samples"); else ε = max(log(1 − δ − FPR) − log FNR, log(1 − δ − FNR) − log FPR),
 *    NaN terms (log of a negative) ignored, clipped below at 0. ε(example) = max over kept thresholds,
 *    clipped to [0, 50].
 *
 * Consequence (documented, tested): a finite ε needs FPR, FNR ≥ 1/N, so ε ≤ log((1 − δ − 1/N)·N) < log(N − 1);
 * anything stronger is "perfect separation" and jumps to the cap 50. Conversely, identical distributions do
 * not give ε ≈ 0: the best threshold sits in a tail (e.g. 1 of N negatives vs 6 of N positives above it), and
 * we measured a median ε ≈ log 5 and a forget score ≈ 0.15–0.20 for N = 8…256 (epsilon.test.ts). Show the
 * score next to its oracle-vs-oracle value, like KLoM's noise floor.
 *
 * Score: buckets [0, 0.5), [0.5, 1), … up to ⌈log(N − 1)⌉ (N = number of unlearned models) worth 1, ½, ¼, …;
 * an ε at or above ⌈log(N − 1)⌉ (in particular the cap) scores 0, as in the challenge's code (not 2^−last).
 * forget score = mean over examples; final = forget · (RA_u / RA_r) · (TA_u / TA_r), accuracies averaged over
 * models. With N ≤ 2 there is no bucket and every score is 0.
 *
 * Departures: thresholds and rates in float64 (the challenge's single-threshold grid is torch.linspace in
 * float32, its rates are float32 means), which can only matter for a margin lying within float32 rounding of
 * a threshold. Where every threshold is discarded (two constant, equal sides; or N = 1 with equal values) the
 * challenge's code fails an assertion; we return ε = 0 (no threshold separates them at all).
 */
import { pick, type SplitIds, type SplitKey } from './splits';

export const CHALLENGE_DELTA = 1e-5;
export const EPSILON_CAP = 50;
const THRESHOLDS_PER_UNIT = 100;
const BUFFER = 2;
const LEFT_THRESHOLDS = Math.ceil(2 * BUFFER * THRESHOLDS_PER_UNIT);

/** ε for every forget example; `unlearned[m][j]`, `oracle[m][j]` = model m's margin on example j. */
export function epsilonPerExample(unlearned: ArrayLike<number>[], oracle: ArrayLike<number>[], delta = CHALLENGE_DELTA): Float64Array {
  if (unlearned.length === 0 || oracle.length === 0) throw new Error('ε needs at least one unlearned and one oracle model');
  const n = unlearned[0].length;
  for (const row of [...unlearned, ...oracle]) {
    if (row.length !== n) throw new Error(`every model needs a margin for each of the ${n} examples`);
  }
  const out = new Float64Array(n);
  const u = new Float64Array(unlearned.length);
  const o = new Float64Array(oracle.length);
  for (let j = 0; j < n; j++) {
    unlearned.forEach((row, m) => (u[m] = row[j]));
    oracle.forEach((row, m) => (o[m] = row[j]));
    out[j] = epsilonOfExample(u, o, delta);
  }
  return out;
}

/** ε of one example from its unlearned and oracle margins (one per model). */
export function epsilonOfExample(unlearned: ArrayLike<number>, oracle: ArrayLike<number>, delta = CHALLENGE_DELTA): number {
  const u = Float64Array.from(unlearned).sort();
  const o = Float64Array.from(oracle).sort();
  for (const v of [u[0], u[u.length - 1], o[0], o[o.length - 1]]) {
    if (!Number.isFinite(v)) throw new Error('ε got a non-finite margin');
  }
  const retrainIsPositive = median(o) > median(u);
  const pos = retrainIsPositive ? o : u;
  const neg = retrainIsPositive ? u : o;
  const posDiff = pos[pos.length - 1] - pos[0];
  const negDiff = neg[neg.length - 1] - neg[0];
  const largest = posDiff > negDiff ? posDiff : negDiff;
  const smallest = posDiff > negDiff ? negDiff : posDiff;
  if (smallest / largest < 0.01) return EPSILON_CAP;

  let best = Number.NaN;
  const consider = (seen: Uint8Array, nPos: number, nNeg: number) => {
    // seen[a·(nNeg+1) + b]: some threshold predicted a positives and b negatives as positive.
    for (let a = 0; a <= nPos; a++) {
      for (let b = 0; b <= nNeg; b++) {
        if (!seen[a * (nNeg + 1) + b]) continue;
        const e = thresholdEpsilon(b / nNeg, (nPos - a) / nPos, delta);
        if (!Number.isNaN(e) && !(e <= best)) best = e;
      }
    }
  };
  // Double thresholds: "positive" is the peakier side (the challenge swaps when posDiff ≥ negDiff).
  const [peaky, other] = posDiff >= negDiff ? [neg, pos] : [pos, neg];
  consider(doubleThresholdCounts(peaky, other, smallest), peaky.length, other.length);
  consider(singleThresholdCounts(pos, neg), pos.length, neg.length);
  if (Number.isNaN(best)) return 0;
  return Math.min(EPSILON_CAP, Math.max(0, best));
}

/** ε of one threshold from its rates: ∞ when both are 0, NaN (discarded) when exactly one is 0. */
export function thresholdEpsilon(fpr: number, fnr: number, delta = CHALLENGE_DELTA): number {
  if (fpr === 0 && fnr === 0) return Infinity;
  if (fpr * fnr === 0) return Number.NaN;
  const e1 = Math.log(1 - delta - fpr) - Math.log(fnr);
  const e2 = Math.log(1 - delta - fnr) - Math.log(fpr);
  const e = Number.isNaN(e1) ? e2 : Number.isNaN(e2) ? e1 : Math.max(e1, e2);
  return Number.isNaN(e) ? e : Math.max(0, e);
}

/** numpy.linspace: start + i·step, the last point set to stop. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(Math.max(0, num));
  if (num === 1) out[0] = start;
  if (num < 2) return out;
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

function median(sorted: Float64Array): number {
  const h = sorted.length >> 1;
  return sorted.length % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/** Marks the (positives ≥ t, negatives ≥ t) counts reached by the single-threshold grid. */
function singleThresholdCounts(pos: Float64Array, neg: Float64Array): Uint8Array {
  const seen = new Uint8Array((pos.length + 1) * (neg.length + 1));
  const lo = Math.min(pos[0], neg[0]);
  const hi = Math.max(pos[pos.length - 1], neg[neg.length - 1]);
  const thresholds = linspace(lo, hi, Math.ceil((hi - lo) * THRESHOLDS_PER_UNIT));
  let ip = 0; // values < t, thresholds ascending
  let ineg = 0;
  for (const t of thresholds) {
    while (ip < pos.length && pos[ip] < t) ip++;
    while (ineg < neg.length && neg[ineg] < t) ineg++;
    seen[(pos.length - ip) * (neg.length + 1) + (neg.length - ineg)] = 1;
  }
  return seen;
}

/**
 * Marks the (peaky in [l, r], other in [l, r]) counts reached by the double-threshold grid (the same
 * floating-point grid as the challenge's np.linspace calls). Counts in [l, r] = #(≤ r) − #(< l), walked with
 * pointers: rights ascend, and for each right its lefts ascend.
 */
function doubleThresholdCounts(peaky: Float64Array, other: Float64Array, width: number): Uint8Array {
  const seen = new Uint8Array((peaky.length + 1) * (other.length + 1));
  const min = peaky[0] + width - BUFFER;
  const max = peaky[peaky.length - 1] + BUFFER;
  const rights = linspace(min, max, Math.ceil((max - min) * THRESHOLDS_PER_UNIT));
  let rp = 0; // #peaky ≤ r
  let ro = 0;
  for (const r of rights) {
    while (rp < peaky.length && peaky[rp] <= r) rp++;
    while (ro < other.length && other[ro] <= r) ro++;
    const lefts = linspace(r - width - BUFFER, r - width + BUFFER, LEFT_THRESHOLDS);
    let lp = lowerBound(peaky, lefts[0]); // #peaky < l
    let lo = lowerBound(other, lefts[0]);
    for (const l of lefts) {
      while (lp < peaky.length && peaky[lp] < l) lp++;
      while (lo < other.length && other[lo] < l) lo++;
      seen[Math.max(0, rp - lp) * (other.length + 1) + Math.max(0, ro - lo)] = 1;
    }
  }
  return seen;
}

/** Number of entries < x in an ascending array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The challenge's buckets for N models: [start, points] pairs, [0, 0.5) → 1, [0.5, 1) → ½, … below ⌈log(N − 1)⌉. */
export function epsilonBuckets(numModels: number): [number, number][] {
  const maxEpsilon = Math.ceil(Math.log(numModels - 1));
  const out: [number, number][] = [];
  let points = 1;
  for (let start = 0; start + 0.5 <= maxEpsilon; start += 0.5) {
    out.push([start, points]);
    points /= 2;
  }
  return out;
}

/** Points of one ε: 2^−bucket, or 0 at or beyond the last bucket's end. */
export function epsilonPoints(epsilon: number, numModels: number): number {
  for (const [start, points] of epsilonBuckets(numModels)) if (epsilon < start + 0.5) return points;
  return 0;
}

/** The forget-quality score: mean over examples of 2^−bucket(ε); `numModels` is N of the unlearned side. */
export function forgetQualityScore(epsilons: ArrayLike<number>, numModels: number): number {
  if (epsilons.length === 0) return Number.NaN;
  const buckets = epsilonBuckets(numModels);
  let sum = 0;
  for (let j = 0; j < epsilons.length; j++) {
    const bucket = buckets.find(([start]) => epsilons[j] < start + 0.5);
    sum += bucket ? bucket[1] : 0;
  }
  return sum / epsilons.length;
}

export interface ChallengeInput {
  /** Forget-set margins [model][example] of the unlearned models and of the oracles (retrained on R). */
  unlearnedForget: ArrayLike<number>[];
  oracleForget: ArrayLike<number>[];
  /** Retain and test (validation) accuracies, one per model (or already averaged). */
  unlearnedRetainAccuracy: number | ArrayLike<number>;
  oracleRetainAccuracy: number | ArrayLike<number>;
  unlearnedTestAccuracy: number | ArrayLike<number>;
  oracleTestAccuracy: number | ArrayLike<number>;
  delta?: number;
}

export interface ChallengeScore {
  epsilons: Float64Array;
  forgetScore: number;
  /** RA_u / RA_r and TA_u / TA_r (means over models). */
  retainRatio: number;
  testRatio: number;
  /** forgetScore · retainRatio · testRatio. */
  finalScore: number;
}

export function challengeScore(input: ChallengeInput): ChallengeScore {
  const epsilons = epsilonPerExample(input.unlearnedForget, input.oracleForget, input.delta);
  const forgetScore = forgetQualityScore(epsilons, input.unlearnedForget.length);
  const retainRatio = mean(input.unlearnedRetainAccuracy) / mean(input.oracleRetainAccuracy);
  const testRatio = mean(input.unlearnedTestAccuracy) / mean(input.oracleTestAccuracy);
  return { epsilons, forgetScore, retainRatio, testRatio, finalScore: forgetScore * retainRatio * testRatio };
}

function mean(v: number | ArrayLike<number>): number {
  if (typeof v === 'number') return v;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** The challenge score of a group against the oracles: ε on the forget split; retain and validation accuracy ratios. */
export function epsilonScore(
  margins: ArrayLike<number>[],
  accuracy: Record<SplitKey, number>,
  oracleMargins: ArrayLike<number>[],
  oracleAccuracy: Record<SplitKey, number>,
  splits: SplitIds,
): { forgetScore: number; finalScore: number } {
  const score = challengeScore({
    unlearnedForget: margins.map((row) => pick(row, splits.forget)),
    oracleForget: oracleMargins.map((row) => pick(row, splits.forget)),
    unlearnedRetainAccuracy: accuracy.retain,
    oracleRetainAccuracy: oracleAccuracy.retain,
    unlearnedTestAccuracy: accuracy.validation,
    oracleTestAccuracy: oracleAccuracy.validation,
  });
  return { forgetScore: score.forgetScore, finalScore: score.finalScore };
}
