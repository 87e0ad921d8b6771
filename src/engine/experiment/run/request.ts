/**
 * One deletion request: its splits, the oracles on R, the noise floor, the reference groups (original, oracle)
 * and every method's group, each measured against the oracles as soon as it exists.
 */
import { dmDirectLogits } from '../../attribution/datamodels';
import { shiftSkill } from '../../metrics/attributionSkill';
import { gklPrior } from '../../metrics/gkl';
import { meanAccuracy } from '../../metrics/groups';
import { KLOM_CLIP, klomBySplit, sanitiseMargins } from '../../metrics/klom';
import { marginsFromLogits } from '../../metrics/margins';
import { noiseFloor } from '../../metrics/noiseFloor';
import { mean, meanRows, pick, SPLIT_KEYS } from '../../metrics/splits';
import type { ForgetStep } from '../forgetSets';
import { methodLabel } from '../plan';
import type { AttributionResult, GroupResult, MethodCost, NoiseFloor, RequestResult, Splits } from '../result';
import type { MethodName } from '../spec';
import type { Attribution } from './attribution';
import { seedFor, type RunContext } from './context';
import { measureFloor, measureGroup, type MeasureInputs } from './groupMetrics';
import { runMethodGroup, type MethodChains, type MethodGroupRun, type RequestInputs } from './methods';
import { trainGroup, type Original, type TrainedModel } from './models';

export async function runRequest(
  ctx: RunContext,
  r: number,
  step: ForgetStep,
  originals: Original[],
  attribution: Attribution | undefined,
  chains: MethodChains,
): Promise<RequestResult> {
  const { spec } = ctx;
  const plan = ctx.plan.requests[r];
  const { splits, retainIdx } = requestSplits(ctx, step);
  const oracleRuns = await trainGroup(ctx, plan.oracles, () => retainIdx, false);
  const retrainCost = {
    examplesProcessed: mean(oracleRuns.map((o) => o.examplesProcessed)),
    seconds: mean(oracleRuns.map((o) => o.seconds)),
  };
  const beta = attribution?.betaSum(step.cumulative);
  const predicted = beta && originals.map((o) => dmDirectLogits(o.logits, beta.sum));

  const { groups, measures, floorGroup, noiseFloorResult } = referenceGroups(ctx, r, splits, originals, oracleRuns);
  const attributionResult =
    predicted &&
    attribution &&
    attributionCheck(ctx, attribution, predicted, groups.original.margins, measures.oracleMargins, floorGroup, splits);
  /** This request's result so far; sent after the oracles and after every method, so the page can draw as results come. */
  const snapshot = (): RequestResult => ({
    request: r,
    splits,
    groups: { ...groups },
    noiseFloor: noiseFloorResult,
    attribution: attributionResult,
    retrainCost,
  });
  ctx.options.onPartialResult?.(snapshot());

  const inputs: RequestInputs = { r, plan, step, retainIdx, originals, oracleRuns, attribution, predicted, retrainCost, chains };
  // The methods are independent: all their runs go to the executor at once; groups are added in spec order.
  const runs = spec.methods.map((m, i) => runMethodGroup(ctx, m, plan.methods[i], inputs));
  try {
    for (const [i, m] of spec.methods.entries()) {
      const run = await runs[i];
      const g = makeGroup(ctx, m.id, methodLabel(m), run.logits, splits, m.method);
      g.cost = methodCost(ctx, run, retrainCost, run.usesAttribution ? attribution : undefined);
      groups[m.id] = g;
      measureGroup(g, spec.metrics, measures);
      ctx.options.onPartialResult?.(snapshot());
    }
  } catch (e) {
    await Promise.allSettled(runs); // nothing keeps running once the request has failed
    throw e;
  }

  // Every group was measured as it came; the phase marks the request's end.
  ctx.progress.begin(plan.metrics, 'KLoM, accuracy, noise floor');
  ctx.progress.end(plan.metrics);
  return snapshot();
}

/**
 * The original and oracle groups, measured, and the noise floor: KLoM(independent oracles ‖ oracles) — what
 * Retrain scores — or halves of the N oracles when there are fewer than N independent ones.
 */
function referenceGroups(ctx: RunContext, r: number, splits: Splits, originals: Original[], oracleRuns: TrainedModel[]) {
  const { spec } = ctx;
  const oracleMargins = oracleRuns.slice(0, spec.n).map((o) => marginsFromLogits(o.logits, ctx.labels));
  const independent = oracleRuns.slice(spec.n).map((o) => marginsFromLogits(o.logits, ctx.labels));
  const groups: Record<string, GroupResult> = {
    original: makeGroup(
      ctx,
      'original',
      'Original (θ0)',
      originals.map((o) => o.logits),
      splits,
    ),
    oracle: makeGroup(
      ctx,
      'oracle',
      'Oracle (retrained without F)',
      oracleRuns.slice(0, spec.n).map((o) => o.logits),
      splits,
    ),
  };
  const floorGroup = independent.length >= spec.n ? independent.slice(0, spec.n) : undefined;
  const measures: MeasureInputs = {
    oracle: groups.oracle,
    oracleMargins,
    independentMargins: floorGroup,
    gklPrior: gklPrior(oracleMargins),
    splits,
    seed: seedFor(spec, `mia-${r}`),
  };
  measureGroup(groups.original, spec.metrics, measures);
  measureGroup(groups.oracle, spec.metrics, measures);

  const floor = floorGroup ? noiseFloor(floorGroup, oracleMargins) : noiseFloor(oracleMargins);
  const noiseFloorResult: NoiseFloor = {
    method: floor.method,
    n: floor.n,
    klom: klomBySplit(floor.perExample, splits),
    // Always with its group (even when Retrain holds the same margins): the file alone recomputes the floor.
    ...(floorGroup ? { independentMargins: floorGroup.map((m) => Array.from(m)) } : {}),
  };
  measureFloor(noiseFloorResult, spec.metrics, measures);
  return { groups, measures, floorGroup, noiseFloorResult };
}

/** S split into the cumulative forget set and the retain set; V after S in the example order. */
function requestSplits(ctx: RunContext, step: ForgetStep): { splits: Splits; retainIdx: Int32Array } {
  const forgotten = new Uint8Array(ctx.sIdx.length);
  for (const i of step.cumulative) forgotten[i] = 1;
  const retainIdx = Int32Array.from(ctx.sIdx.filter((i) => !forgotten[i]));
  const splits: Splits = {
    forget: Array.from(step.cumulative),
    retain: Array.from(retainIdx),
    validation: Array.from(ctx.vIdx, (j) => ctx.sIdx.length + j),
  };
  return { splits, retainIdx };
}

/** A method's mean cost per model against one retraining; with the attribution's share amortised over the requests when it uses one. */
function methodCost(
  ctx: RunContext,
  run: MethodGroupRun,
  retrainCost: RequestResult['retrainCost'],
  attribution?: Attribution,
): MethodCost {
  return {
    seconds: run.cost.seconds,
    examplesProcessed: run.cost.examples,
    fractionOfRetraining: run.cost.examples / retrainCost.examplesProcessed,
    timeFractionOfRetraining: retrainCost.seconds > 0 ? run.cost.seconds / retrainCost.seconds : Number.NaN,
    ...(attribution
      ? {
          fractionWithAttribution:
            (run.cost.examples + attribution.examples / ctx.plan.requests.length / ctx.spec.n) / retrainCost.examplesProcessed,
        }
      : {}),
  };
}

/** A group's margins (NaN from a diverged model counted as the worst margin) and accuracy per split. */
function makeGroup(ctx: RunContext, name: string, label: string, logits: Float32Array[], splits: Splits, method?: MethodName): GroupResult {
  const margins = logits.map((l) => marginsFromLogits(l, ctx.labels));
  const diverged = sanitiseMargins(margins);
  const accuracy = {
    forget: meanAccuracy(logits, ctx.labels, splits.forget),
    retain: meanAccuracy(logits, ctx.labels, splits.retain),
    validation: meanAccuracy(logits, ctx.labels, splits.validation),
  };
  const g: GroupResult = { name, label, method, margins: margins.map((m) => Array.from(m)), accuracy, warnings: [] };
  if (diverged > 0)
    g.warnings.push(`diverged: ${diverged} outputs were NaN (counted as margin −${KLOM_CLIP}, the worst); lower the learning rate`);
  return g;
}

/**
 * Attribution skill: how well DM-Direct's predicted margins (mean over originals) predict the shift from the
 * originals' mean margins to the oracles'; the ceiling uses the independent oracles' mean as the predictor.
 */
function attributionCheck(
  ctx: RunContext,
  attribution: Attribution,
  predicted: Float32Array[],
  originalMargins: ArrayLike<number>[],
  oracleMargins: Float32Array[],
  independentMargins: Float32Array[] | undefined,
  splits: Splits,
): AttributionResult {
  const predictedMean = meanRows(predicted.map((l) => marginsFromLogits(l, ctx.labels)));
  const originalMean = meanRows(originalMargins);
  const oracleMean = meanRows(oracleMargins);
  const independentMean = independentMargins && meanRows(independentMargins);
  const skill = {} as AttributionResult['skill'];
  for (const k of SPLIT_KEYS) {
    const ids = splits[k];
    skill[k] = shiftSkill(
      pick(predictedMean, ids),
      pick(originalMean, ids),
      pick(oracleMean, ids),
      independentMean && pick(independentMean, ids),
    );
  }
  return {
    estimator: attribution.estimator,
    models: attribution.models,
    skill,
    predictedMargins: Array.from(predictedMean),
    oracleMeanMargins: Array.from(oracleMean),
    originalMeanMargins: Array.from(originalMean),
    examplesProcessed: attribution.examples,
    seconds: attribution.seconds,
    ...(attribution.kernel ? { kernel: attribution.kernel } : {}),
  };
}
