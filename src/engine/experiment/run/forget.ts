/**
 * Resolving the deletion requests: each generator of the spec becomes a concrete forget set (structured
 * generators read the first original's penultimate features or the attribution's features), then the plan is
 * rebuilt with the real forget sizes.
 */
import { createModel, importWeights } from '../../models/model';
import { evaluateFeatures } from '../../train/evaluate';
import { applySequence, type FeatureKind, type FeatureMatrix, type ForgetStep } from '../forgetSets';
import { planExperiment } from '../plan';
import type { Attribution } from './attribution';
import { seedFor, type RunContext } from './context';
import type { Original } from './models';

export async function resolveRequests(ctx: RunContext, originals: Original[], attribution: Attribution | undefined): Promise<ForgetStep[]> {
  const { spec } = ctx;
  const uses = (kind: FeatureKind) =>
    spec.forget.some((g) => (g.kind === 'subpopulation' || g.kind === 'neighbours') && g.features === kind);
  const features: Partial<Record<FeatureKind, FeatureMatrix>> = {};
  if (uses('penultimate')) features.penultimate = await penultimateFeatures(ctx, originals[0]);
  if (uses('datamodel')) {
    // The spec check guarantees datamodels when a generator reads its features.
    if (!attribution?.features) throw new Error('datamodel features need the datamodels attribution');
    features.datamodel = attribution.features(seedFor(spec, 'datamodel-projection'));
  }
  const steps = applySequence(spec.forget, { labels: ctx.ds.train.labels.subarray(0, ctx.sIdx.length), features });
  ctx.plan = planExperiment(
    spec,
    steps.map((x) => x.cumulative.length),
  );
  ctx.progress.replan(ctx.plan);
  return steps;
}

async function penultimateFeatures(ctx: RunContext, original: Original): Promise<FeatureMatrix> {
  const model = createModel(ctx.spec.model, 0);
  try {
    importWeights(model, original.weights);
    return await evaluateFeatures(model, ctx.ds.train, ctx.sIdx, { control: ctx.control });
  } finally {
    model.dispose();
  }
}
