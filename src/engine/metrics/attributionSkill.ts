/**
 * Attribution skill: does DM-Direct's prediction capture what retraining changes? Correlating predicted margins
 * with the oracles' is misleading (the original's own margins already correlate at r ≈ 0.8–0.95), so measure the
 * shift instead. Per split, with m̄ori the originals' mean margins, m̄ora the oracles' and m̂ the prediction:
 * - true shift Δ = m̄ora − m̄ori, predicted shift Δ̂ = m̂ − m̄ori;
 * - shiftR = Pearson(Δ̂, Δ); shiftSlope = OLS slope of Δ̂ on Δ (1 = right size, < 1 timid, > 1 overshoots);
 * - skill = 1 − Σ(m̂ − m̄ora)² / Σ(m̄ori − m̄ora)²: > 0 closer to the oracles than doing nothing, 1 perfect;
 * - ceiling: the same skill with an independent oracle group's mean as the predictor (finite N keeps even a
 *   perfect predictor below 1).
 * Each is NaN where it is undefined (fewer than two points, no true shift).
 */
import { olsSlope, pearson } from './correlation';

export interface ShiftSkill {
  shiftR: number;
  shiftSlope: number;
  skill: number;
  ceiling?: number;
}

function checkLengths(...arrays: ArrayLike<number>[]): void {
  const n = arrays[0].length;
  if (arrays.some((a) => a.length !== n))
    throw new Error(`attribution skill needs equal lengths, got ${arrays.map((a) => a.length).join(', ')}`);
}

/** 1 − Σ(predicted − target)² / Σ(original − target)²: skill against predicting no change. */
export function predictionSkill(predicted: ArrayLike<number>, original: ArrayLike<number>, target: ArrayLike<number>): number {
  checkLengths(predicted, original, target);
  let err = 0;
  let base = 0;
  for (let j = 0; j < target.length; j++) {
    err += (predicted[j] - target[j]) ** 2;
    base += (original[j] - target[j]) ** 2;
  }
  return base > 0 ? 1 - err / base : Number.NaN;
}

/**
 * Shift r, slope and skill of `predicted` (m̂) against the oracles' mean `target` (m̄ora) from the originals'
 * mean `original` (m̄ori), all on the same examples; `ceilingPredictor` is an independent oracle group's mean.
 */
export function shiftSkill(
  predicted: ArrayLike<number>,
  original: ArrayLike<number>,
  target: ArrayLike<number>,
  ceilingPredictor?: ArrayLike<number>,
): ShiftSkill {
  checkLengths(predicted, original, target);
  const trueShift = Float64Array.from(target, (t, j) => t - original[j]);
  const predictedShift = Float64Array.from(predicted, (p, j) => p - original[j]);
  return {
    shiftR: pearson(predictedShift, trueShift),
    shiftSlope: olsSlope(trueShift, predictedShift),
    skill: predictionSkill(predicted, original, target),
    ...(ceilingPredictor ? { ceiling: predictionSkill(ceilingPredictor, original, target) } : {}),
  };
}
