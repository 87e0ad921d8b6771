/**
 * The data attribution DM-Direct and DMM read: Σ_{i∈F} β[i, ·, :], the predicted change of every example's
 * logits when F is removed. One interface, one module per estimator, registered below by the spec's
 * `attribution.estimator`.
 */
import type { AttributionSpec } from '../spec';
import type { Attribution, BuildAttribution } from './estimators/estimator';
import type { RunContext } from './context';
import { buildDatamodels } from './estimators/datamodels';
import { buildTrak } from './estimators/trak';
import type { Original } from './models';

export type { Attribution, BuildAttribution } from './estimators/estimator';

const ESTIMATORS: Record<AttributionSpec['estimator'], BuildAttribution> = {
  datamodels: buildDatamodels,
  trak: buildTrak,
};

/** The spec's estimator, when a method reads the attribution or a forget set is drawn from its features. */
export async function buildAttribution(ctx: RunContext, originals: Promise<Original[]>): Promise<Attribution | undefined> {
  const phase = ctx.plan.attribution;
  return phase && ESTIMATORS[ctx.spec.attribution.estimator](ctx, phase, originals);
}
