/**
 * The experiment runner: trains (or loads from the cache) every model the plan needs, runs each method,
 * and measures every group against the oracles. Engine code: no DOM, no worker globals; the worker calls
 * it with the loaded dataset, a cache and a RunControl.
 *
 * Seeds: every model's seed derives from spec.seed and its role (`original-k`, `oracle-r-k`, `subset-m`,
 * `method-<id>-r-k`), so a model does not change when other parts of the spec do. The cache key of a
 * trained model is the hash of everything that determines it: dataset id, its training indices, arch,
 * recipe, seed and backend (numbers differ slightly between backends).
 */
import type { RunControl } from '../control';
import type { CifarDataset } from '../data/types';
import { NUM_CLASSES } from '../data/types';
import { cacheKey } from '../cache/key';
import type { ModelCache } from '../cache/types';
import { dmDirectLogits, forgetBetaSum, forgetModelWeights, halfSubsetMasks, pearson } from '../attribution/datamodels';
import { buildTrakState, extractLastLayer, trakStateForgetBetaSum, type TrakState } from '../attribution/trak';
import { createModel, exportWeights, importWeights, type Model } from '../models/model';
import type { WeightsData } from '../models/layers';
import { challengeScore } from '../metrics/epsilon';
import { meanAccuracy } from '../metrics/groups';
import { KLOM_CLIP, klomPerExample, summariseKlom } from '../metrics/klom';
import { noiseFloor } from '../metrics/noiseFloor';
import { marginsFromLogits } from '../metrics/margins';
import { lossesFromMargins, meanSimpleMia } from '../metrics/mia';
import { createRng } from '../rng';
import { evaluateFeatures, evaluateModel } from '../train/evaluate';
import { trainModel } from '../train/trainer';
import { METHODS } from '../unlearn';
import { applySequence, type FeatureMatrix } from './forgetSets';
import { needsAttribution, needsSubsetModels, planExperiment, type ExperimentPlan, type PlannedPhase } from './plan';
import {
  RESULT_FORMAT,
  SPLIT_KEYS,
  type AttributionResult,
  type Environment,
  type ExperimentResult,
  type GroupResult,
  type NoiseFloor,
  type RequestResult,
  type SplitKey,
  type Splits,
} from './result';
import { METHOD_INFO, specHash, type ExperimentSpec, type MethodSpec } from './spec';

/** Bump when a change to training, evaluation or a method makes previously cached models wrong. */
export const ENGINE_CACHE_VERSION = 1;

export interface PhaseState {
  id: string;
  label: string;
  models: number;
  done: number;
  cacheHits: number;
  status: 'waiting' | 'running' | 'done';
}

export interface ExperimentProgress {
  phases: PhaseState[];
  /** The running phase and what it is doing now. */
  current?: { phaseId: string; detail: string; fraction: number };
  imagesPerSec: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface RunnerOptions {
  dataset: CifarDataset;
  cache: ModelCache;
  environment: Omit<Environment, 'datasetId' | 'datasetName'>;
  control?: RunControl;
  onProgress?: (p: ExperimentProgress) => void;
  /** A request's result so far: after its oracles and after each method (the last one equals the request's result). */
  onPartialResult?: (r: RequestResult) => void;
}

/** A scale note to show next to every number. */
export function scaleNote(spec: ExperimentSpec): string {
  const arch = spec.model.arch === 'tiny-cnn' ? 'tiny CNN' : `ResNet-9 ×${spec.model.width}`;
  return `N = ${spec.n} seeds per side (reduced-scale proxy of the paper's N = 100), ${arch}, |S| = ${spec.dataset.trainSize}`;
}

const seedFor = (spec: ExperimentSpec, role: string) => createRng(spec.seed).fork(role).nextUint32();

const range = (from: number, to: number) => Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : Number.NaN;
}

function pick(values: ArrayLike<number>, ids: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: ids.length }, (_, i) => values[ids[i]]);
}

class Progress {
  private readonly states: PhaseState[];
  private readonly start = performance.now();
  private lastEmit = 0;
  private doneExamples = 0;
  private computedExamples = 0;
  private computedSeconds = 0;
  private current?: ExperimentProgress['current'];

  constructor(
    private readonly plan: ExperimentPlan,
    private readonly emit?: (p: ExperimentProgress) => void,
  ) {
    this.states = plan.phases.map((p) => ({ id: p.id, label: p.label, models: p.models, done: 0, cacheHits: 0, status: 'waiting' }));
  }

  phase(id: string): { state: PhaseState; planned: PlannedPhase } {
    const i = this.plan.phases.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`no phase ${id} in the plan`);
    return { state: this.states[i], planned: this.plan.phases[i] };
  }

  begin(id: string, detail: string): void {
    const { state } = this.phase(id);
    state.status = 'running';
    this.current = { phaseId: id, detail, fraction: 0 };
    this.send(true);
  }

  /** Within-model progress. */
  step(detail: string, fraction: number): void {
    if (this.current) this.current = { ...this.current, detail, fraction };
    this.send(false);
  }

  /** One model (or run) of the phase finished; `examples` of work, computed in `seconds` unless cached. */
  modelDone(id: string, examples: number, cached: boolean, seconds: number): void {
    const { state } = this.phase(id);
    state.done++;
    if (cached) state.cacheHits++;
    this.doneExamples += examples;
    if (!cached) {
      this.computedExamples += examples;
      this.computedSeconds += seconds;
    }
    this.send(true);
  }

  end(id: string): void {
    const { state, planned } = this.phase(id);
    state.status = 'done';
    state.done = Math.max(state.done, planned.models);
    this.send(true);
  }

  private send(force: boolean): void {
    if (!this.emit) return;
    const now = performance.now();
    if (!force && now - this.lastEmit < 250) return;
    this.lastEmit = now;
    const rate = this.computedSeconds > 0 ? this.computedExamples / this.computedSeconds : 0;
    const remaining = Math.max(0, this.plan.totalExamples - this.doneExamples);
    this.emit({
      phases: this.states.map((s) => ({ ...s })),
      current: this.current,
      imagesPerSec: rate,
      etaSeconds: rate > 0 ? remaining / rate : Number.NaN,
      elapsedSeconds: (now - this.start) / 1000,
    });
  }
}

interface TrainedOutputs {
  /** Its cache key (what an unlearned model started from it is keyed by). */
  key: string;
  /** Logits on every example (S then V), [P, 10]. */
  logits: Float32Array;
  weights?: WeightsData[];
  examplesProcessed: number;
  seconds: number;
  cached: boolean;
}

/**
 * Runs `spec` on `options.dataset`. Throws CancelledError when cancelled (nothing partial is returned, but
 * everything finished so far stays in the cache, so running again resumes).
 */
export async function runExperiment(spec: ExperimentSpec, options: RunnerOptions): Promise<ExperimentResult> {
  const { dataset: ds, cache, control } = options;
  const started = performance.now();
  const s = spec.dataset.trainSize;
  const v = spec.dataset.validationSize;
  if (s > ds.train.count) throw new Error(`the spec trains on ${s} images but the loaded dataset "${ds.name}" has ${ds.train.count}`);
  if (v > ds.validation.count) throw new Error(`the spec evaluates ${v} validation images but "${ds.name}" has ${ds.validation.count}`);
  const sIdx = range(0, s);
  const vIdx = range(0, v);
  const points = s + v;
  const environment: Environment = { ...options.environment, datasetId: ds.id, datasetName: ds.name };
  let modelsTrained = 0;
  let cacheHits = 0;
  const notes: string[] = [];
  const addNote = (note: string) => {
    if (!notes.includes(note)) notes.push(note);
  };

  // The plan with estimated forget sizes first; it is rebuilt once the forget sets are known.
  let plan = planExperiment(spec);
  let progress = new Progress(plan, options.onProgress);

  // `engine` changes when training or evaluation code changes what a cached model would be.
  const baseKey = { engine: ENGINE_CACHE_VERSION, dataset: ds.id, trainSize: s, validationSize: v, model: spec.model, recipe: spec.recipe, backend: options.environment.backend };

  async function evaluateAll(model: Model): Promise<Float32Array> {
    const train = await evaluateModel(model, ds.train, sIdx, { control });
    const validation = await evaluateModel(model, ds.validation, vIdx, { control });
    const logits = new Float32Array(points * NUM_CLASSES);
    logits.set(train.logits, 0);
    logits.set(validation.logits, s * NUM_CLASSES);
    return logits;
  }

  /** Trains a model on `indices` (or loads it), returning its logits on every example. */
  async function trainOrLoad(phaseId: string, role: string, indices: Int32Array, keepWeights: boolean): Promise<TrainedOutputs> {
    const seed = seedFor(spec, role);
    const key = await cacheKey({ kind: 'trained', ...baseKey, role: role.replace(/-\d+$/, ''), seed, indices });
    const hit = await cache.get(key);
    if (hit && hit.outputs.logits?.length === points * NUM_CLASSES && (!keepWeights || hit.weights)) {
      cacheHits++;
      const meta = hit.meta as { examplesProcessed?: number; seconds?: number };
      return { key, logits: hit.outputs.logits, weights: hit.weights, examplesProcessed: meta.examplesProcessed ?? 0, seconds: meta.seconds ?? 0, cached: true };
    }
    const model = createModel(spec.model, seed);
    try {
      const t0 = performance.now();
      const summary = await trainModel(model, ds.train, indices, spec.recipe, {
        seed,
        control,
        phase: role,
        onProgress: (p) => progress.step(`${role}: epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toFixed(3)}`, p.step / p.totalSteps),
      });
      const logits = await evaluateAll(model);
      const seconds = (performance.now() - t0) / 1000;
      const weights = keepWeights ? await exportWeights(model) : undefined;
      modelsTrained++;
      await cache.put({
        key,
        kind: role.startsWith('original') ? 'original' : role.startsWith('subset') ? 'subset' : 'oracle',
        description: `${role} (${indices.length} images, seed ${seed})`,
        weights,
        outputs: { logits },
        meta: { examplesProcessed: summary.examplesProcessed, seconds, phaseId },
        createdAt: new Date().toISOString(),
      });
      return { key, logits, weights, examplesProcessed: summary.examplesProcessed, seconds, cached: false };
    } finally {
      model.dispose();
    }
  }

  async function trainGroup(phaseId: string, roles: string[], indices: (k: number) => Int32Array, keepWeights: boolean): Promise<TrainedOutputs[]> {
    progress.begin(phaseId, roles[0] ?? '');
    const out: TrainedOutputs[] = [];
    for (let k = 0; k < roles.length; k++) {
      const r = await trainOrLoad(phaseId, roles[k], indices(k), keepWeights);
      progress.modelDone(phaseId, r.examplesProcessed, r.cached, r.seconds);
      out.push(r);
    }
    progress.end(phaseId);
    return out;
  }

  const marginsOf = (logits: Float32Array, labels: Uint8Array) => marginsFromLogits(logits, labels);
  const labels = new Uint8Array(points);
  labels.set(ds.train.labels.subarray(0, s), 0);
  labels.set(ds.validation.labels.subarray(0, v), s);

  // 1. Originals on S.
  const originals = await trainGroup(
    'originals',
    Array.from({ length: spec.n }, (_, k) => `original-${k}`),
    () => sIdx,
    true,
  );

  // 2. Attribution (datamodels: M subset models on random halves of S; they never depend on F, so once for every request and forget set).
  let subset: { masks: Uint8Array; outputs: Float32Array; examples: number; seconds: number } | undefined;
  if (needsSubsetModels(spec) && spec.attribution.estimator === 'datamodels') {
    const m = spec.attribution.models;
    const masks = halfSubsetMasks(s, m, seedFor(spec, 'subset-masks'), spec.attribution.alpha);
    const t0 = performance.now();
    const trained = await trainGroup(
      'attribution',
      Array.from({ length: m }, (_, k) => `subset-${k}`),
      (k) => Int32Array.from(sIdx.filter((i) => masks[k * s + i] === 1)),
      false,
    );
    const outputs = new Float32Array(m * points * NUM_CLASSES);
    trained.forEach((t, k) => outputs.set(t.logits, k * points * NUM_CLASSES));
    subset = {
      masks,
      outputs,
      examples: trained.reduce((a, t) => a + t.examplesProcessed, 0),
      seconds: trained.some((t) => t.cached) ? trained.reduce((a, t) => a + t.seconds, 0) : (performance.now() - t0) / 1000,
    };
  }
  // 3. Forget sets (structured generators read the first original's penultimate features or the datamodel matrix).
  const usesFeatures = (kind: string) => spec.forget.some((g) => (g.kind === 'subpopulation' || g.kind === 'neighbours') && g.features === kind);
  const steps = applySequence(spec.forget, {
    labels: ds.train.labels.subarray(0, s),
    features: {
      ...(usesFeatures('penultimate') ? { penultimate: await penultimateFeatures(originals[0].weights!) } : {}),
      ...(usesFeatures('datamodel') ? { datamodel: datamodelFeatures(subset!.masks, subset!.outputs, s, points, labels, seedFor(spec, 'datamodel-projection')) } : {}),
    },
  });
  plan = planExperiment(spec, steps.map((x) => x.cumulative.length));
  const oldProgress = progress;
  progress = new Progress(plan, options.onProgress);
  for (const id of ['originals', 'attribution']) {
    if (!plan.phases.some((p) => p.id === id)) continue;
    Object.assign(progress.phase(id).state, oldProgress.phase(id).state);
  }

  // TRAK-style attribution: one last-layer state per model (the first min(M, N) originals); no training.
  let trak: { states: TrakState[]; examples: number; seconds: number } | undefined;
  if (needsAttribution(spec) && spec.attribution.estimator === 'trak') {
    const { models, projectionDim, lambda } = spec.attribution;
    const count = Math.min(models, spec.n);
    progress.begin('attribution', `TRAK on ${count} original${count === 1 ? '' : 's'}`);
    const t0 = performance.now();
    const states: TrakState[] = [];
    for (let k = 0; k < count; k++) {
      const model = createModel(spec.model, 0);
      try {
        importWeights(model, originals[k].weights!);
        const data = await extractLastLayer(model, { set: ds.train, indices: sIdx }, { set: ds.validation, indices: vIdx }, { control });
        states.push(await buildTrakState(data, { projectionDim, lambda, seed: seedFor(spec, `trak-${k}`) }));
      } finally {
        model.dispose();
      }
    }
    trak = { states, examples: count * points, seconds: (performance.now() - t0) / 1000 };
    progress.end('attribution');
  }
  const attributionCost = subset ?? trak;

  /** Σ_{i∈F} β[i, ·, :] on every example, [points, 10], from whichever estimator the spec chose. */
  const betaSum = (forget: ArrayLike<number>): Float32Array => {
    if (subset) {
      const models = spec.attribution.models;
      // A point in every subset or in none has no difference-in-means estimate: count it as no effect, and say so.
      const estimable = Array.from(forget).filter((i) => {
        let inCount = 0;
        for (let m = 0; m < models; m++) inCount += subset!.masks[m * s + i];
        return inCount > 0 && inCount < models;
      });
      if (estimable.length < forget.length) {
        addNote(
          `${forget.length - estimable.length} of ${forget.length} forget points are in all or none of the ${models} subset models, ` +
            'so their datamodel effect is unknown and counted as zero; use more subset models',
        );
      }
      return forgetBetaSum(subset.masks, models, s, subset.outputs, points, NUM_CLASSES, estimable);
    }
    const sum = new Float32Array(points * NUM_CLASSES);
    for (const state of trak!.states) {
      const one = trakStateForgetBetaSum(state, forget);
      for (let t = 0; t < sum.length; t++) sum[t] += one[t] / trak!.states.length;
    }
    return sum;
  };

  // 4. Requests.
  const extra = plan.extraOracles;
  /** Per method id, per original k: the current weights, logits and cache key (state after the previous request). */
  const state = new Map<string, Array<{ weights: WeightsData[]; logits: Float32Array; key: string }>>();
  const earlier: RequestResult[] = [];
  let last: RequestResult | undefined;

  for (let r = 0; r < steps.length; r++) {
    const { request, cumulative } = steps[r];
    const forgotten = new Uint8Array(s);
    for (const i of cumulative) forgotten[i] = 1;
    const retainIdx = Int32Array.from(sIdx.filter((i) => !forgotten[i]));
    const splits: Splits = {
      forget: Array.from(cumulative),
      retain: Array.from(retainIdx),
      validation: Array.from(vIdx, (j) => s + j),
    };

    const oracleRoles = Array.from({ length: spec.n + extra }, (_, k) => `oracle-${r}-${k}`);
    const oracleRuns = await trainGroup(`oracles-${r}`, oracleRoles, () => retainIdx, false);
    const oracles = oracleRuns.slice(0, spec.n);
    const extras = oracleRuns.slice(spec.n);
    const oracleMargins = oracles.map((o) => marginsOf(o.logits, labels));
    const extraMargins = extras.map((o) => marginsOf(o.logits, labels));
    const retrainCost = { examplesProcessed: mean(oracleRuns.map((o) => o.examplesProcessed)), seconds: mean(oracleRuns.map((o) => o.seconds)) };
    // DM-Direct's prediction of the oracles' logits from each original: its group, and the attribution-quality check.
    const sumBeta = attributionCost ? betaSum(cumulative) : undefined;
    const predicted = sumBeta ? originals.map((o) => dmDirectLogits(o.logits, sumBeta)) : undefined;

    const groups: Record<string, GroupResult> = {};
    const addGroup = (name: string, label: string, logits: Float32Array[], method?: MethodSpec['method']) => {
      const margins = logits.map((l) => marginsOf(l, labels));
      const diverged = sanitise(margins);
      const accuracy = {
        forget: meanAccuracy(logits, labels, splits.forget),
        retain: meanAccuracy(logits, labels, splits.retain),
        validation: meanAccuracy(logits, labels, splits.validation),
      };
      groups[name] = { name, label, method, margins: margins.map((m) => Array.from(m)), accuracy, warnings: [] };
      if (diverged > 0) {
        groups[name].warnings.push(`diverged: ${diverged} outputs were NaN (counted as margin −${KLOM_CLIP}, the worst); lower the learning rate`);
      }
    };
    /** The group's metrics against the oracles (and the oracles' own MIA); every group is measured as soon as it exists. */
    const measure = (g: GroupResult) => {
      if (spec.metrics.includes('mia')) {
        const losses = g.margins.map((row) => lossesFromMargins(row));
        g.mia = meanSimpleMia(
          losses.map((l) => pick(l, splits.forget)),
          losses.map((l) => pick(l, splits.validation)),
          { seed: seedFor(spec, `mia-${r}`) },
        );
      }
      if (g.name === 'oracle') return;
      const perExample = klomPerExample(g.margins, oracleMargins);
      g.klomPerExample = Array.from(perExample);
      g.klom = klomBySplit(perExample, splits);
      if (spec.metrics.includes('epsilon-score')) g.epsilon = epsilonScore(g.margins, g.accuracy, oracleMargins, groups.oracle.accuracy, splits);
      warn(g, groups.oracle);
    };
    addGroup('original', 'Original (θ0)', originals.map((o) => o.logits));
    addGroup('oracle', 'Oracle (retrained without F)', oracles.map((o) => o.logits));
    measure(groups.original);
    measure(groups.oracle);

    // The floor: KLoM(independent oracles ‖ oracles) — what Retrain scores — or halves of the N oracles.
    const floorGroup = extraMargins.length >= spec.n ? extraMargins.slice(0, spec.n) : undefined;
    const floor = floorGroup ? noiseFloor(floorGroup, oracleMargins) : noiseFloor(oracleMargins);
    const noiseFloorResult: NoiseFloor = { method: floor.method, n: floor.n, klom: klomBySplit(floor.perExample, splits) };
    if (spec.metrics.includes('epsilon-score') && floorGroup) {
      noiseFloorResult.epsilon = epsilonScore(floorGroup, groups.oracle.accuracy, oracleMargins, groups.oracle.accuracy, splits);
    }
    const attribution = predicted ? attributionResult(predicted, oracleMargins, splits) : undefined;
    /** This request's result so far; sent after the oracles and after every method, so the page can draw as results come. */
    const snapshot = (): RequestResult => ({ request: r, splits, groups: { ...groups }, noiseFloor: noiseFloorResult, attribution, retrainCost });
    options.onPartialResult?.(snapshot());

    for (const m of spec.methods) {
      const phaseId = `method-${m.id}-${r}`;
      progress.begin(phaseId, METHOD_INFO[m.method].label);
      let logits: Float32Array[];
      let cost: { seconds: number; examples: number } = { seconds: 0, examples: 0 };
      if (m.method === 'retrain') {
        logits = extras.slice(0, spec.n).map((o) => o.logits);
        cost = { seconds: retrainCost.seconds, examples: retrainCost.examplesProcessed };
      } else if (m.method === 'dm-direct') {
        const t0 = performance.now();
        logits = predicted!;
        cost = { seconds: (performance.now() - t0) / 1000 / spec.n, examples: 0 };
      } else {
        const runs = await runMethod(m, r, request, retainIdx, phaseId);
        logits = runs.logits;
        cost = runs.cost;
      }
      progress.end(phaseId);
      addGroup(m.id, METHOD_INFO[m.method].label + (m.id === m.method ? '' : ` (${m.id})`), logits, m.method);
      const g = groups[m.id];
      g.cost = {
        seconds: cost.seconds,
        examplesProcessed: cost.examples,
        fractionOfRetraining: cost.examples / retrainCost.examplesProcessed,
        timeFractionOfRetraining: retrainCost.seconds > 0 ? cost.seconds / retrainCost.seconds : Number.NaN,
        ...(METHOD_INFO[m.method].usesAttribution && attributionCost
          ? { fractionWithAttribution: (cost.examples + attributionCost.examples / steps.length / spec.n) / retrainCost.examplesProcessed }
          : {}),
      };
      measure(g);
      options.onPartialResult?.(snapshot());
    }

    // Every group was measured as it came; the phase marks the request's end.
    progress.begin(`metrics-${r}`, 'KLoM, accuracy, noise floor');
    progress.end(`metrics-${r}`);

    const result = snapshot();
    if (last) earlier.push(last);
    last = result;
  }

  return {
    format: RESULT_FORMAT,
    spec,
    specHash: await specHash(spec),
    environment,
    createdAt: new Date().toISOString(),
    scale: scaleNote(spec),
    ...last!,
    earlierRequests: earlier,
    timing: { seconds: (performance.now() - started) / 1000, modelsTrained, cacheHits },
    notes,
  };

  // ----- helpers closed over the run -----

  /** How well DM-Direct's predicted margins (mean over originals) match the oracles' mean margins. */
  function attributionResult(predicted: Float32Array[], oracleMargins: Float32Array[], splits: Splits): AttributionResult {
    const predictedMean = meanRows(predicted.map((l) => marginsOf(l, labels)));
    const oracleMean = meanRows(oracleMargins);
    const quality = {} as Record<SplitKey, number>;
    for (const k of SPLIT_KEYS) quality[k] = pearson(pick(predictedMean, splits[k]), pick(oracleMean, splits[k]));
    return {
      estimator: spec.attribution.estimator,
      models: subset ? spec.attribution.models : trak!.states.length,
      quality,
      predictedMargins: Array.from(predictedMean),
      oracleMeanMargins: Array.from(oracleMean),
      examplesProcessed: attributionCost!.examples,
      seconds: attributionCost!.seconds,
    };
  }

  async function runMethod(m: MethodSpec, r: number, request: Int32Array, retainIdx: Int32Array, phaseId: string) {
    const method = METHODS[m.method as keyof typeof METHODS];
    const runs = state.get(m.id) ?? [];
    const logitsPerModel: Float32Array[] = [];
    let seconds = 0;
    let examples = 0;
    for (let k = 0; k < spec.n; k++) {
      const startFrom = r === 0 ? { weights: originals[k].weights!, logits: originals[k].logits, key: originals[k].key } : runs[k];
      const seed = seedFor(spec, `method-${m.id}-${r}-${k}`);
      const targets = await targetsFor(m, r, startFrom.logits, request);
      const key = await cacheKey({
        kind: 'unlearned',
        engine: ENGINE_CACHE_VERSION,
        backend: options.environment.backend,
        from: startFrom.key,
        method: m.method,
        params: m.params,
        request,
        retain: retainIdx,
        seed,
        targets: targets ? await cacheKey({ targets }) : null,
      });
      const hit = await cache.get(key);
      let logits: Float32Array;
      let weights: WeightsData[];
      let runSeconds: number;
      let runExamples: number;
      if (hit?.weights && hit.outputs.logits?.length === points * NUM_CLASSES) {
        cacheHits++;
        logits = hit.outputs.logits;
        weights = hit.weights;
        runSeconds = (hit.meta as { seconds: number }).seconds;
        runExamples = (hit.meta as { examplesProcessed: number }).examplesProcessed;
        progress.modelDone(phaseId, runExamples, true, runSeconds);
      } else {
        const model = createModel(spec.model, 0);
        try {
          importWeights(model, startFrom.weights);
          const t0 = performance.now();
          const outcome = await method({
            model,
            set: ds.train,
            forget: request,
            retain: retainIdx,
            params: m.params as never,
            targets: targets ? expandTargets(targets) : undefined,
            seed,
            control,
            onProgress: (p) => progress.step(`${m.id} from original ${k + 1}: step ${p.step}/${p.totalSteps}`, p.step / Math.max(1, p.totalSteps)),
          });
          runSeconds = (performance.now() - t0) / 1000;
          runExamples = outcome.examplesProcessed;
          logits = await evaluateAll(model);
          weights = await exportWeights(model);
        } finally {
          model.dispose();
        }
        await cache.put({
          key,
          kind: 'unlearned',
          description: `${m.id} from original ${k + 1}, request ${r + 1}`,
          weights,
          outputs: { logits },
          meta: { seconds: runSeconds, examplesProcessed: runExamples },
          createdAt: new Date().toISOString(),
        });
        progress.modelDone(phaseId, runExamples, false, runSeconds);
      }
      seconds += runSeconds;
      examples += runExamples;
      runs[k] = { weights, logits, key };
      logitsPerModel.push(logits);
    }
    state.set(m.id, runs);
    return { logits: logitsPerModel, cost: { seconds: seconds / spec.n, examples: examples / spec.n } };

    async function targetsFor(m: MethodSpec, r: number, startLogits: Float32Array, request: Int32Array): Promise<Float32Array | undefined> {
      if (m.method === 'dmm') return dmDirectLogits(startLogits, betaSum(request));
      if (m.method === 'oracle-matching') {
        const roles = Array.from({ length: m.params.oracles }, (_, k) => `oracle-${r}-${spec.n + k}`);
        const oracleLogits = await Promise.all(roles.map((role) => trainOrLoad(phaseId, role, retainIdx, false)));
        const meanLogits = new Float32Array(points * NUM_CLASSES);
        for (const o of oracleLogits) for (let t = 0; t < meanLogits.length; t++) meanLogits[t] += o.logits[t] / oracleLogits.length;
        return meanLogits;
      }
      return undefined;
    }
  }

  /** Targets are indexed by example; methods index them by position in the training split (the same for S). */
  function expandTargets(targets: Float32Array): Float32Array {
    const out = new Float32Array(ds.train.count * NUM_CLASSES);
    out.set(targets.subarray(0, s * NUM_CLASSES));
    return out;
  }

  async function penultimateFeatures(weights: WeightsData[]): Promise<FeatureMatrix> {
    const model = createModel(spec.model, 0);
    try {
      importWeights(model, weights);
      return await evaluateFeatures(model, ds.train, sIdx, { control });
    } finally {
      model.dispose();
    }
  }
}

/**
 * Rows of the train × train datamodel matrix (margins), randomly projected to 64 dimensions:
 * β_margin[i, ·] = Σ_m w_i[m]·φ_m(·) with w_i from the subset masks (forgetModelWeights for F = {i}), so
 * row i of β·G is w_i·(Φ·G) — never forming the |S|×|S| matrix. Projection preserves the principal
 * directions' geometry (Johnson–Lindenstrauss) well enough to find coherent subpopulations.
 */
function datamodelFeatures(masks: Uint8Array, outputs: Float32Array, s: number, points: number, labels: Uint8Array, seed: number): FeatureMatrix {
  const models = masks.length / s;
  const d = 64;
  const rng = createRng(seed);
  const g = Float64Array.from({ length: s * d }, () => rng.normal() / Math.sqrt(d));
  // Y[m] = Φ_m(S) · G: each subset model's margins on S, projected.
  const y = new Float64Array(models * d);
  for (let m = 0; m < models; m++) {
    const margins = marginsFromLogits(outputs.subarray(m * points * NUM_CLASSES, (m * points + s) * NUM_CLASSES), labels.subarray(0, s));
    for (let j = 0; j < s; j++) for (let c = 0; c < d; c++) y[m * d + c] += margins[j] * g[j * d + c];
  }
  const values = new Float32Array(s * d);
  for (let i = 0; i < s; i++) {
    const w = forgetModelWeights(masks, models, s, [i]);
    for (let m = 0; m < models; m++) for (let c = 0; c < d; c++) values[i * d + c] += w[m] * y[m * d + c];
  }
  return { values, rows: s, cols: d };
}

/** Replaces NaN margins (a diverged model) by the worst clipped margin, in place; returns how many there were. */
function sanitise(margins: Float32Array[]): number {
  let count = 0;
  for (const row of margins) {
    for (let j = 0; j < row.length; j++) {
      if (Number.isNaN(row[j])) {
        row[j] = -KLOM_CLIP;
        count++;
      }
    }
  }
  return count;
}

function meanRows(rows: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(rows[0]?.length ?? 0);
  for (const row of rows) for (let j = 0; j < out.length; j++) out[j] += row[j] / rows.length;
  return out;
}

function klomBySplit(perExample: ArrayLike<number>, splits: Splits) {
  return {
    forget: summariseKlom(pick(perExample, splits.forget)),
    retain: summariseKlom(pick(perExample, splits.retain)),
    validation: summariseKlom(pick(perExample, splits.validation)),
  };
}

/** The NeurIPS 2023 challenge score of a group against the oracles (forget split; retain and validation accuracy ratios). */
function epsilonScore(
  margins: ArrayLike<number>[],
  accuracy: Record<SplitKey, number>,
  oracleMargins: ArrayLike<number>[],
  oracleAccuracy: Record<SplitKey, number>,
  splits: Splits,
): { forgetScore: number; finalScore: number } {
  const score = challengeScore({
    unlearnedForget: margins.map((row) => pick(row, splits.forget)),
    oracleForget: oracleMargins.map((row) => pick(row, splits.forget)),
    unlearnedRetainAccuracy: accuracy.retain,
    oracleRetainAccuracy: oracleAccuracy.retain,
    unlearnedTestAccuracy: accuracy.validation,
    oracleTestAccuracy: oracleAccuracy.validation,
  });
  return { forgetScore: score.forgetScore, finalScore: score.finalScore };
}

/** Warnings in words where a method over-unlearns or breaks the model. */
function warn(g: GroupResult, oracle: GroupResult): void {
  if (g.name === 'original') return;
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  if (g.accuracy.forget < oracle.accuracy.forget - 0.15) {
    g.warnings.push(`over-unlearns: forget accuracy ${pct(g.accuracy.forget)} is far below the oracle's ${pct(oracle.accuracy.forget)}`);
  }
  for (const split of ['retain', 'validation'] as const) {
    if (g.accuracy[split] < oracle.accuracy[split] - 0.1) {
      g.warnings.push(`damages the model: ${split} accuracy ${pct(g.accuracy[split])} vs the oracle's ${pct(oracle.accuracy[split])}`);
    }
  }
}
