/**
 * The experiment runner: the pipeline's phases in order. Engine code: no DOM, no worker globals; the worker
 * calls it with the loaded dataset, a cache and a RunControl. Each phase is a function over the run context
 * (run/): models are trained or loaded from the cache, methods run, and every group is measured against the
 * oracles. Phase ids and seed roles come from the plan.
 */
import { RESULT_FORMAT, scaleNote, type ExperimentResult, type RequestResult } from './result';
import { buildAttribution } from './run/attribution';
import { createRunContext, type RunContext, type RunnerOptions } from './run/context';
import { resolveRequests } from './run/forget';
import type { MethodChains } from './run/methods';
import { allJobs } from './run/jobs';
import { trainOriginals } from './run/models';
import { runRequest } from './run/request';
import { specHash, type ExperimentSpec } from './spec';

export { ENGINE_CACHE_VERSION, type RunnerOptions } from './run/context';
export type { ExperimentProgress, PhaseState } from './progress';

/**
 * Runs `spec` on `options.dataset`. Throws CancelledError when cancelled (nothing partial is returned, but
 * everything finished so far stays in the cache, so running again resumes).
 */
export async function runExperiment(spec: ExperimentSpec, options: RunnerOptions): Promise<ExperimentResult> {
  const ctx = createRunContext(spec, options);
  // Subset models do not depend on the originals: both phases' jobs go to the executor together.
  const training = trainOriginals(ctx);
  const [originals, attribution] = await allJobs([training, buildAttribution(ctx, training)] as const);
  const steps = await resolveRequests(ctx, originals, attribution);
  const chains: MethodChains = new Map();
  const requests: RequestResult[] = [];
  for (const [r, step] of steps.entries()) requests.push(await runRequest(ctx, r, step, originals, attribution, chains));
  return assembleResult(ctx, requests);
}

async function assembleResult(ctx: RunContext, requests: RequestResult[]): Promise<ExperimentResult> {
  const { spec } = ctx;
  const { packModels } = ctx.counters;
  if (packModels > 0) {
    const backend = await ctx.options.packs?.backend();
    ctx.notes.push(
      `${packModels} of the models no method depends on came from the shipped packs (trained once by npm run build:packs on the ${backend} backend); every method ran here`,
    );
  }
  return {
    format: RESULT_FORMAT,
    spec,
    specHash: await specHash(spec),
    environment: ctx.environment,
    createdAt: new Date().toISOString(),
    scale: scaleNote(spec),
    ...requests[requests.length - 1],
    earlierRequests: requests.slice(0, -1),
    timing: { seconds: (performance.now() - ctx.started) / 1000, ...ctx.counters },
    notes: ctx.notes,
  };
}
