/**
 * Moderated Gaussian KL (GKL), the small-N distance: per example, KL(unlearned ‖ oracle) between two
 * normals whose variances are shrunk towards a shared prior. It ranks methods at the N a browser affords
 * (8–32 models per side), where KLoM's 20-bin histograms saturate.
 *
 * Margins are clipped to ±100 (as KLoM does). For each side, m = mean and s² = unbiased variance of its N
 * margins on the example; s0² = median over all examples of the oracle group's s_o² (one number per request);
 * d = 8 prior degrees of freedom:
 *   ṽ = ((N − 1)·s² + d·s0²) / (N − 1 + d)
 *   GKL = ½ · [ ln(ṽ_o / ṽ_u) + (ṽ_u + (m_u − m_o)²) / ṽ_o − 1 ]
 * With N = 1 on a side its variance is undefined; (N − 1)·s² is 0 there, so ṽ = s0²: the prior alone.
 * s0² needs at least two oracles and some spread; without a positive finite s0² GKL is NaN (not measurable).
 */
import { KLOM_CLIP, percentile } from './klom';

export const GKL_PRIOR_DF = 8;

const clip = (x: number) => Math.max(-KLOM_CLIP, Math.min(KLOM_CLIP, x));

/** Mean and sum of squared deviations of model rows' clipped margins on example j. */
function moments(rows: ArrayLike<number>[], j: number): { mean: number; ss: number } {
  let mean = 0;
  for (const row of rows) mean += clip(row[j]);
  mean /= rows.length;
  let ss = 0;
  for (const row of rows) ss += (clip(row[j]) - mean) ** 2;
  return { mean, ss };
}

function checkRows(rows: ArrayLike<number>[], n: number, what: string): void {
  if (rows.length === 0) throw new Error(`GKL needs at least one ${what} model`);
  for (const row of rows) if (row.length !== n) throw new Error(`every model needs a margin for each of the ${n} examples`);
}

/** s0²: the median over all examples of the oracles' unbiased margin variance (NaN with fewer than 2 oracles). */
export function gklPrior(oracle: ArrayLike<number>[]): number {
  const n = oracle[0]?.length ?? 0;
  checkRows(oracle, n, 'oracle');
  if (oracle.length < 2) return Number.NaN;
  const variances = Float64Array.from({ length: n }, (_, j) => moments(oracle, j).ss / (oracle.length - 1));
  return percentile(variances, 50);
}

/** The moderated variance ṽ of a side with `count` models and sum of squared deviations `ss`. */
export function moderatedVariance(ss: number, count: number, prior: number, df = GKL_PRIOR_DF): number {
  return (ss + df * prior) / (count - 1 + df);
}

/** GKL of two normals given their moderated variances. */
export function gaussianKl(meanU: number, varU: number, meanO: number, varO: number): number {
  return 0.5 * (Math.log(varO / varU) + (varU + (meanU - meanO) ** 2) / varO - 1);
}

/**
 * GKL for every example. `unlearned[m][j]` and `oracle[m][j]` are model m's margin on example j (the
 * ExperimentResult layout); `prior` is s0² (gklPrior of the request's oracle group).
 */
export function gklPerExample(unlearned: ArrayLike<number>[], oracle: ArrayLike<number>[], prior: number): Float64Array {
  const n = unlearned[0]?.length ?? 0;
  checkRows(unlearned, n, 'unlearned');
  checkRows(oracle, n, 'oracle');
  const out = new Float64Array(n);
  if (!(prior > 0 && Number.isFinite(prior))) return out.fill(Number.NaN);
  for (let j = 0; j < n; j++) {
    const u = moments(unlearned, j);
    const o = moments(oracle, j);
    out[j] = gaussianKl(u.mean, moderatedVariance(u.ss, unlearned.length, prior), o.mean, moderatedVariance(o.ss, oracle.length, prior));
  }
  return out;
}
