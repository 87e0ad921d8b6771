/** Training (or loading from the cache) the models of a phase: originals, subset models, oracles. */
import { cacheKey } from '../../cache/key';
import type { CachedModel } from '../../cache/types';
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
  /** The shipped pack it came from, when it did. */
  pack?: string;
}

/**
 * The cache key of a trained model: everything that determines it — dataset, its training indices, arch,
 * recipe, seed and backend (numbers differ slightly between backends). `engine` changes when training or
 * evaluation code changes what a cached model would be.
 */
function trainedKey(ctx: RunContext, role: string, seed: number, indices: Int32Array, backend: string): Promise<string> {
  const { spec, ds } = ctx;
  return cacheKey({
    kind: 'trained',
    engine: ENGINE_CACHE_VERSION,
    dataset: ds.id,
    trainSize: spec.dataset.trainSize,
    validationSize: spec.dataset.validationSize,
    model: spec.model,
    recipe: spec.recipe,
    backend,
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
  const key = await trainedKey(ctx, role, seed, indices, ctx.options.environment.backend);
  const usable = (m: CachedModel | undefined): m is CachedModel =>
    m !== undefined && m.outputs.logits?.length === points * NUM_CLASSES && (!keepWeights || m.weights !== undefined);
  let hit = await cache.get(key);
  let hitKey = key;
  if (!usable(hit) && ctx.options.packs) {
    // Shipped models are keyed by the backend that trained them, which may not be this run's.
    const packBackend = await ctx.options.packs.backend();
    if (packBackend !== undefined) {
      hitKey = packBackend === ctx.options.environment.backend ? key : await trainedKey(ctx, role, seed, indices, packBackend);
      hit = (hitKey !== key ? await cache.get(hitKey) : undefined) ?? (await ctx.options.packs.take(hitKey, cache));
    }
  }
  if (usable(hit)) {
    ctx.counters.cacheHits++;
    const meta = hit.meta as { examplesProcessed?: number; seconds?: number; pack?: string };
    if (meta.pack) ctx.counters.packModels++;
    return {
      key: hitKey,
      logits: hit.outputs.logits,
      weights: hit.weights,
      examplesProcessed: meta.examplesProcessed ?? 0,
      seconds: meta.seconds ?? 0,
      cached: true,
      ...(meta.pack ? { pack: meta.pack } : {}),
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
