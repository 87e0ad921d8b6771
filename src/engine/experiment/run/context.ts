/**
 * The run context: everything a phase of the runner reads (spec, plan, dataset, cache, control, progress) and
 * the few things phases add to (counters, notes). Phases are top-level functions that take it explicitly.
 *
 * Seeds: every model's seed derives from spec.seed and its role (`original-k`, `oracle-r-k`, `subset-m`,
 * `method-<id>-r-k`, from the plan), so a model does not change when other parts of the spec do.
 */
import type { RunControl } from '../../control';
import type { CifarDataset } from '../../data/types';
import type { ModelCache } from '../../cache/types';
import type { PackSource } from '../../packs/packSource';
import { createRng } from '../../rng';
import { planExperiment, type ExperimentPlan } from '../plan';
import { Progress, type ExperimentProgress } from '../progress';
import type { Environment, RequestResult } from '../result';
import type { ExperimentSpec } from '../spec';
import { firstIndices, localExecutor, type Executor } from './jobs';

/** Bump when a change to training, evaluation or a method makes previously cached models wrong. */
export const ENGINE_CACHE_VERSION = 1;

export interface RunnerOptions {
  dataset: CifarDataset;
  cache: ModelCache;
  environment: Omit<Environment, 'datasetId' | 'datasetName'>;
  control?: RunControl;
  onProgress?: (p: ExperimentProgress) => void;
  /** A request's result so far: after its oracles and after each method (the last one equals the request's result). */
  onPartialResult?: (r: RequestResult) => void;
  /** Where training and unlearning jobs run; by default one at a time in this thread. */
  executor?: Executor;
  /** Shipped models, used when the cache lacks a model a pack holds. */
  packs?: PackSource;
}

export interface RunContext {
  readonly spec: ExperimentSpec;
  readonly options: RunnerOptions;
  readonly ds: CifarDataset;
  readonly cache: ModelCache;
  readonly control?: RunControl;
  readonly executor: Executor;
  /** The plan with estimated forget sizes; resolveRequests replaces it once the forget sets are known. */
  plan: ExperimentPlan;
  readonly progress: Progress;
  /** Training indices of S and validation indices of V; examples are S then V. */
  readonly sIdx: Int32Array;
  readonly vIdx: Int32Array;
  readonly points: number;
  /** Labels of every example. */
  readonly labels: Uint8Array;
  readonly environment: Environment;
  readonly started: number;
  /** cacheHits counts every model not trained here; packModels those of them that came from a shipped pack. */
  readonly counters: { modelsTrained: number; cacheHits: number; packModels: number };
  readonly notes: string[];
}

/** Checks the dataset holds what the spec asks for and lays out the examples. */
export function createRunContext(spec: ExperimentSpec, options: RunnerOptions): RunContext {
  const { dataset: ds } = options;
  const s = spec.dataset.trainSize;
  const v = spec.dataset.validationSize;
  if (s > ds.train.count) throw new Error(`the spec trains on ${s} images but the loaded dataset "${ds.name}" has ${ds.train.count}`);
  if (v > ds.validation.count) throw new Error(`the spec evaluates ${v} validation images but "${ds.name}" has ${ds.validation.count}`);
  const labels = new Uint8Array(s + v);
  labels.set(ds.train.labels.subarray(0, s), 0);
  labels.set(ds.validation.labels.subarray(0, v), s);
  const plan = planExperiment(spec);
  const executor = options.executor ?? localExecutor(ds, options.control);
  return {
    spec,
    options,
    ds,
    cache: options.cache,
    control: options.control,
    executor,
    plan,
    progress: new Progress(plan, options.onProgress, options.control),
    sIdx: firstIndices(s),
    vIdx: firstIndices(v),
    points: s + v,
    labels,
    environment: { ...options.environment, datasetId: ds.id, datasetName: ds.name },
    started: performance.now(),
    counters: { modelsTrained: 0, cacheHits: 0, packModels: 0 },
    notes: [],
  };
}

export const seedFor = (spec: ExperimentSpec, role: string) => createRng(spec.seed).fork(role).nextUint32();

export function addNote(ctx: RunContext, note: string): void {
  if (!ctx.notes.includes(note)) ctx.notes.push(note);
}
