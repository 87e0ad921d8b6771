/**
 * The data attribution DM-Direct and DMM read: Σ_{i∈F} β[i, ·, :], the predicted change of every example's
 * logits when F is removed. One interface, one module per estimator, registered below by the spec's
 * `attribution.estimator`.
 */
import type { FeatureMatrix } from '../forgetSets';
import type { AttributionSpec } from '../spec';
import type { RunContext } from './context';
import { buildDatamodels } from './estimators/datamodels';
import { buildTrak } from './estimators/trak';
import type { PlannedPhase } from '../plan';
import type { Original } from './models';

export interface Attribution {
  estimator: AttributionSpec['estimator'];
  /** Models the estimator used (subset models, or TRAK's ensemble). */
  models: number;
  /** Work spent building it: examples processed (forward + backward) and wall seconds. */
  examples: number;
  seconds: number;
  /** Σ_{i∈forget} β[i, ·, :] on every example, [points, 10]. */
  betaSum(forget: ArrayLike<number>): Float32Array;
  /** Rows of the train × train attribution matrix, projected: features for structured forget sets, when the estimator has them. */
  features?(seed: number): FeatureMatrix;
}

export type BuildAttribution = (ctx: RunContext, phase: PlannedPhase, originals: Original[]) => Promise<Attribution>;

const ESTIMATORS: Record<AttributionSpec['estimator'], BuildAttribution> = {
  datamodels: buildDatamodels,
  trak: buildTrak,
};

/** The spec's estimator, when a method reads the attribution or a forget set is drawn from its features. */
export async function buildAttribution(ctx: RunContext, originals: Original[]): Promise<Attribution | undefined> {
  const phase = ctx.plan.attribution;
  return phase && ESTIMATORS[ctx.spec.attribution.estimator](ctx, phase, originals);
}
