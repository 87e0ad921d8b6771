/** Training (or loading from the cache) the models of a phase: originals, subset models, oracles. */
import { cacheKey } from '../../cache/key';
import { NUM_CLASSES } from '../../data/types';
import type { WeightsData } from '../../models/layers';
import type { PlannedPhase } from '../plan';
import { ENGINE_CACHE_VERSION, seedFor, type RunContext } from './context';
import { allJobs } from './jobs';

export interface TrainedModel {
  /** Its cache key (what an unlearned model started from it is keyed by). */
  key: string;
  /** Logits on every example (S then V), [points, 10]. */
  logits: Float32Array;
  weights?: WeightsData[];
  examplesProcessed: number;
  seconds: number;
  cached: boolean;
}

/**
 * The cache key of a trained model: everything that determines it — dataset, its training indices, arch,
 * recipe, seed and backend (numbers differ slightly between backends). `engine` changes when training or
 * evaluation code changes what a cached model would be.
 */
function trainedKey(ctx: RunContext, role: string, seed: number, indices: Int32Array): Promise<string> {
  const { spec, ds } = ctx;
  return cacheKey({
    kind: 'trained',
    engine: ENGINE_CACHE_VERSION,
    dataset: ds.id,
    trainSize: spec.dataset.trainSize,
    validationSize: spec.dataset.validationSize,
    model: spec.model,
    recipe: spec.recipe,
    backend: ctx.options.environment.backend,
    role: role.replace(/-\d+$/, ''),
    seed,
    indices,
  });
}

/** Trains the model of `role` on `indices` (or loads it), returning its logits on every example. */
export async function trainOrLoad(
  ctx: RunContext,
  phase: PlannedPhase,
  role: string,
  indices: Int32Array,
  keepWeights: boolean,
): Promise<TrainedModel> {
  const { spec, cache, points } = ctx;
  const seed = seedFor(spec, role);
  const key = await trainedKey(ctx, role, seed, indices);
  const hit = await cache.get(key);
  if (hit && hit.outputs.logits?.length === points * NUM_CLASSES && (!keepWeights || hit.weights)) {
    ctx.counters.cacheHits++;
    const meta = hit.meta as { examplesProcessed?: number; seconds?: number };
    return {
      key,
      logits: hit.outputs.logits,
      weights: hit.weights,
      examplesProcessed: meta.examplesProcessed ?? 0,
      seconds: meta.seconds ?? 0,
      cached: true,
    };
  }
  const { trainSize, validationSize } = spec.dataset;
  const out = await ctx.executor.run(
    { kind: 'train', role, seed, model: spec.model, recipe: spec.recipe, indices, keepWeights, trainSize, validationSize },
    (p) => ctx.progress.step(p.detail, p.fraction),
  );
  ctx.counters.modelsTrained++;
  await cache.put({
    key,
    kind: phase.kind === 'originals' ? 'original' : phase.kind === 'attribution' ? 'subset' : 'oracle',
    description: `${role} (${indices.length} images, seed ${seed})`,
    weights: out.weights,
    outputs: { logits: out.logits },
    meta: { examplesProcessed: out.examplesProcessed, seconds: out.seconds, phaseId: phase.id },
    createdAt: new Date().toISOString(),
  });
  return { key, ...out, cached: false };
}

/** An original: trained on S, its weights kept (methods start from them). */
export type Original = TrainedModel & { weights: WeightsData[] };

export async function trainOriginals(ctx: RunContext): Promise<Original[]> {
  return (await trainGroup(ctx, ctx.plan.originals, () => ctx.sIdx, true)) as Original[];
}

/** Every model of a phase, one per planned role (as many at once as the executor runs); model k trains on `indices(k)`. */
export async function trainGroup(
  ctx: RunContext,
  phase: PlannedPhase,
  indices: (k: number) => Int32Array,
  keepWeights: boolean,
): Promise<TrainedModel[]> {
  ctx.progress.begin(phase, phase.roles[0] ?? '');
  const out = await allJobs(
    phase.roles.map(async (role, k) => {
      const trained = await trainOrLoad(ctx, phase, role, indices(k), keepWeights);
      ctx.progress.modelDone(phase, trained.examplesProcessed, trained.cached);
      return trained;
    }),
  );
  ctx.progress.end(phase);
  return out;
}
