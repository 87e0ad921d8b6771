/** What every attribution estimator provides (one module per estimator, registered in ../attribution.ts). */
import type { FeatureMatrix } from '../../forgetSets';
import type { PlannedPhase } from '../../plan';
import type { AttributionSpec } from '../../spec';
import type { RunContext } from '../context';
import type { Original } from '../models';

export interface BetaSum {
  /** [points, 10] row-major. */
  sum: Float32Array;
}

export interface Attribution {
  estimator: AttributionSpec['estimator'];
  /** Models the estimator used (subset models, or TRAK's ensemble). */
  models: number;
  /** Work spent building it: examples processed (forward + backward) and wall seconds. */
  examples: number;
  seconds: number;
  /** The 'kernel' terms' gradient-kernel ensemble: its size, relative ridge λ and the scale fitted to the diagonal. */
  kernel?: { models: number; lambda: number; scale: number };
  /** Σ_{i∈forget} β[i, ·, :] on every example, [points, 10]. */
  betaSum(forget: ArrayLike<number>): BetaSum;
  /** Rows of the train × train attribution matrix, projected: features for structured forget sets, when the estimator has them. */
  features?(seed: number): FeatureMatrix;
}

/** `originals` resolves when the originals are trained; an estimator that does not read them starts at once. */
export type BuildAttribution = (ctx: RunContext, phase: PlannedPhase, originals: Promise<Original[]>) => Promise<Attribution>;
