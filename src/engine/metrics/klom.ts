/**
 * KLoM, the paper's unlearning score (KL divergence of margins), per example:
 * clip every margin to [−100, 100]; 20 equal-width bins spanning [min, max] of the pooled unlearned and
 * oracle margins; p = histogram(unlearned)/|U|, q = histogram(oracle)/|O|; where p > 0, q is floored at
 * 1e-5; KLoM = Σ p·ln(p/q) = KL(unlearned ‖ oracle). If every pooled margin is equal, KLoM = 0.
 * Bin convention: bins are [lo + k·w, lo + (k+1)·w) and the top edge (the pooled maximum) belongs to the
 * last bin, as in numpy.histogram. The upper bound is ln(1e5) ≈ 11.51 (all unlearned mass in a bin
 * without any oracle mass).
 */
import { pick, type SplitIds, type SplitKey } from './splits';

export const KLOM_BINS = 20;
export const KLOM_CLIP = 100;
export const KLOM_Q_FLOOR = 1e-5;
export const KLOM_MAX = Math.log(1 / KLOM_Q_FLOOR);

const clip = (x: number) => Math.max(-KLOM_CLIP, Math.min(KLOM_CLIP, x));

/** KLoM of one example from its unlearned and oracle margins (one per model). */
export function klom(unlearned: ArrayLike<number>, oracle: ArrayLike<number>, bins = KLOM_BINS): number {
  if (unlearned.length === 0 || oracle.length === 0) throw new Error('KLoM needs at least one unlearned and one oracle margin');
  let lo = Infinity;
  let hi = -Infinity;
  for (const set of [unlearned, oracle]) {
    for (let i = 0; i < set.length; i++) {
      const v = clip(set[i]);
      if (Number.isNaN(v)) throw new Error('KLoM got a NaN margin');
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (hi === lo) return 0;
  const width = (hi - lo) / bins;
  const binOf = (v: number) => Math.min(bins - 1, Math.floor((clip(v) - lo) / width));
  const p = new Float64Array(bins);
  const q = new Float64Array(bins);
  for (let i = 0; i < unlearned.length; i++) p[binOf(unlearned[i])] += 1 / unlearned.length;
  for (let i = 0; i < oracle.length; i++) q[binOf(oracle[i])] += 1 / oracle.length;
  let kl = 0;
  for (let b = 0; b < bins; b++) {
    if (p[b] > 0) kl += p[b] * Math.log(p[b] / Math.max(q[b], KLOM_Q_FLOOR));
  }
  return kl;
}

/**
 * KLoM for every example. `unlearned[m][j]` and `oracle[m][j]` are model m's margin on example j
 * (the ExperimentResult layout).
 */
export function klomPerExample(unlearned: ArrayLike<number>[], oracle: ArrayLike<number>[]): Float64Array {
  const n = unlearned[0]?.length ?? 0;
  for (const row of [...unlearned, ...oracle]) {
    if (row.length !== n) throw new Error(`every model needs a margin for each of the ${n} examples`);
  }
  const out = new Float64Array(n);
  const u = new Float64Array(unlearned.length);
  const o = new Float64Array(oracle.length);
  for (let j = 0; j < n; j++) {
    unlearned.forEach((row, m) => (u[m] = row[j]));
    oracle.forEach((row, m) => (o[m] = row[j]));
    out[j] = klom(u, o);
  }
  return out;
}

/** Percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(values: ArrayLike<number>, pct: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = (pct / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export interface KlomSummary {
  p95: number;
  p99: number;
  mean: number;
  count: number;
}

export function summariseKlom(values: ArrayLike<number>): KlomSummary {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return { p95: percentile(values, 95), p99: percentile(values, 99), mean: sum / values.length, count: values.length };
}

/** KLoM per example summarised on each split. */
export function klomBySplit(perExample: ArrayLike<number>, splits: SplitIds): Record<SplitKey, KlomSummary> {
  return {
    forget: summariseKlom(pick(perExample, splits.forget)),
    retain: summariseKlom(pick(perExample, splits.retain)),
    validation: summariseKlom(pick(perExample, splits.validation)),
  };
}

/** Replaces NaN margins (a diverged model) by the worst clipped margin, in place; returns how many there were. */
export function sanitiseMargins(margins: Float32Array[]): number {
  let count = 0;
  for (const row of margins) {
    for (let j = 0; j < row.length; j++) {
      if (Number.isNaN(row[j])) {
        row[j] = -KLOM_CLIP;
        count++;
      }
    }
  }
  return count;
}
