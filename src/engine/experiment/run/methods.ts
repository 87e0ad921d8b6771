/**
 * One method's group for one request: N runs, one from each original (or from the method's state after the
 * previous request), each cached by everything that determines it. Reference methods (Retrain, DM-Direct) are
 * assembled from what the request already has; what a method needs (targets, attribution) comes from its
 * catalog entry, so nothing here names a method.
 */
import { dmDirectLogits } from '../../attribution/datamodels';
import { cacheKey } from '../../cache/key';
import { NUM_CLASSES } from '../../data/types';
import type { WeightsData } from '../../models/layers';
import { methodMeta } from '../../unlearn/catalog';
import type { UnlearnMethodName } from '../../unlearn/catalog';
import type { MethodDefinition } from '../../unlearn/methodMeta';
import type { PlannedPhase, RequestPlan } from '../plan';
import type { ForgetStep } from '../forgetSets';
import type { RequestResult } from '../result';
import type { MethodSpec } from '../spec';
import { ENGINE_CACHE_VERSION, seedFor, type RunContext } from './context';
import { allJobs } from './jobs';
import type { Attribution } from './attribution';
import type { Original, TrainedModel } from './models';

/** A model a method run starts from: an original, or the method's result for the previous request. */
interface ChainLink {
  weights: WeightsData[];
  logits: Float32Array;
  key: string;
}

/** Per method id, per original k: the state after the previous request (continual unlearning). */
export type MethodChains = Map<string, ChainLink[]>;

/** What a request's method groups may read besides the context. */
export interface RequestInputs {
  r: number;
  plan: RequestPlan;
  step: ForgetStep;
  retainIdx: Int32Array;
  originals: Original[];
  /** The N oracles then the independent ones. */
  oracleRuns: TrainedModel[];
  attribution?: Attribution;
  /** DM-Direct's predicted logits from each original (when there is an attribution). */
  predicted?: Float32Array[];
  retrainCost: RequestResult['retrainCost'];
  chains: MethodChains;
}

export interface MethodGroupRun {
  logits: Float32Array[];
  /** Mean per model. */
  cost: { seconds: number; examples: number };
  usesAttribution: boolean;
}

export async function runMethodGroup(ctx: RunContext, m: MethodSpec, phase: PlannedPhase, req: RequestInputs): Promise<MethodGroupRun> {
  const meta = methodMeta(m.method);
  ctx.progress.begin(phase, meta.label);
  const run = meta.reference ? referenceGroup(ctx, meta, req) : await unlearnGroup(ctx, m, meta, phase, req);
  ctx.progress.end(phase);
  return { ...run, usesAttribution: meta.needs?.attribution === true };
}

function referenceGroup(ctx: RunContext, meta: MethodDefinition, req: RequestInputs): Omit<MethodGroupRun, 'usesAttribution'> {
  const n = ctx.spec.n;
  if (meta.reference === 'independent-oracles') {
    return {
      logits: req.oracleRuns.slice(n, 2 * n).map((o) => o.logits),
      cost: { seconds: req.retrainCost.seconds, examples: req.retrainCost.examplesProcessed },
    };
  }
  if (!req.predicted) throw new Error(`${meta.label} needs the attribution's predictions`);
  return { logits: req.predicted, cost: { seconds: 0, examples: 0 } };
}

async function unlearnGroup(
  ctx: RunContext,
  m: MethodSpec,
  meta: MethodDefinition,
  phase: PlannedPhase,
  req: RequestInputs,
): Promise<Omit<MethodGroupRun, 'usesAttribution'>> {
  const links = req.chains.get(m.id) ?? [];
  const targets = targetsFor(ctx, meta, m, req);
  // One run per original, as many at once as the executor runs; each is determined by its role, not by the order.
  const runs = await allJobs(
    phase.roles.map((role, k) => {
      const from: ChainLink = req.r === 0 ? { ...req.originals[k] } : links[k];
      return unlearnOne(ctx, { m, phase, role, k, from, targets: targets(from) }, req);
    }),
  );
  req.chains.set(
    m.id,
    runs.map((run) => run.link),
  );
  const n = ctx.spec.n;
  return {
    logits: runs.map((run) => run.link.logits),
    cost: { seconds: runs.reduce((t, run) => t + run.seconds, 0) / n, examples: runs.reduce((t, run) => t + run.examples, 0) / n },
  };
}

/**
 * The target logits a matching method fine-tunes towards, from what its catalog entry declares, per starting model.
 * What every run shares (Σ_F β of the request, the oracles' mean) is computed once for the group.
 */
function targetsFor(
  ctx: RunContext,
  meta: MethodDefinition,
  m: MethodSpec,
  req: RequestInputs,
): (from: ChainLink) => Float32Array | undefined {
  const kind = meta.needs?.targets;
  if (kind === 'dm-direct') {
    if (!req.attribution) throw new Error(`${meta.label} needs an attribution`);
    const { sum } = req.attribution.betaSum(req.step.request);
    return (from) => dmDirectLogits(from.logits, sum);
  }
  if (kind === 'oracle-mean') {
    // The first K independent oracles of the request.
    const count = meta.needs?.extraOracles?.(m.params, ctx.spec.n) ?? 0;
    const oracles = req.oracleRuns.slice(ctx.spec.n, ctx.spec.n + count);
    const meanLogits = new Float32Array(ctx.points * NUM_CLASSES);
    for (const o of oracles) for (let t = 0; t < meanLogits.length; t++) meanLogits[t] += o.logits[t] / oracles.length;
    return () => meanLogits;
  }
  return () => undefined;
}

interface UnlearnRunSpec {
  m: MethodSpec;
  phase: PlannedPhase;
  role: string;
  /** Which original the chain started from. */
  k: number;
  from: ChainLink;
  targets?: Float32Array;
}

/** One run of an unlearning method from `from`, or its cached result. */
async function unlearnOne(
  ctx: RunContext,
  run: UnlearnRunSpec,
  req: RequestInputs,
): Promise<{ link: ChainLink; seconds: number; examples: number }> {
  const { spec, cache } = ctx;
  const { m, phase, k, from, targets } = run;
  const seed = seedFor(spec, run.role);
  const key = await cacheKey({
    kind: 'unlearned',
    engine: ENGINE_CACHE_VERSION,
    backend: ctx.options.environment.backend,
    from: from.key,
    method: m.method,
    params: m.params,
    request: req.step.request,
    retain: req.retainIdx,
    seed,
    targets: targets ? await cacheKey({ targets }) : null,
  });
  const hit = await cache.get(key);
  if (hit?.weights && hit.outputs.logits?.length === ctx.points * NUM_CLASSES) {
    ctx.counters.cacheHits++;
    const meta = hit.meta as { seconds: number; examplesProcessed: number };
    ctx.progress.modelDone(phase, meta.examplesProcessed, true);
    return { link: { weights: hit.weights, logits: hit.outputs.logits, key }, seconds: meta.seconds, examples: meta.examplesProcessed };
  }
  const { trainSize, validationSize } = spec.dataset;
  const out = await ctx.executor.run(
    {
      kind: 'unlearn',
      label: `${m.id} from original ${k + 1}`,
      model: spec.model,
      method: m.method as UnlearnMethodName,
      params: m.params,
      from: from.weights,
      forget: req.step.request,
      retain: req.retainIdx,
      targets: targets?.slice(0, ctx.sIdx.length * NUM_CLASSES),
      seed,
      trainSize,
      validationSize,
    },
    (p) => ctx.progress.step(p.detail, p.fraction),
  );
  const weights = out.weights ?? [];
  await cache.put({
    key,
    kind: 'unlearned',
    description: `${m.id} from original ${k + 1}, request ${req.r + 1}`,
    weights,
    outputs: { logits: out.logits },
    meta: { seconds: out.seconds, examplesProcessed: out.examplesProcessed },
    createdAt: new Date().toISOString(),
  });
  ctx.progress.modelDone(phase, out.examplesProcessed, false);
  return { link: { weights, logits: out.logits, key }, seconds: out.seconds, examples: out.examplesProcessed };
}
