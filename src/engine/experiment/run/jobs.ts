/**
 * The independent units of an experiment's work, as plain data that can cross to any worker: train a model and
 * evaluate it, run one method from one starting model and evaluate the result, or compute a model's gradient
 * kernel. A job carries everything that determines its outcome (seeds come from roles), so any worker gives the same
 * numbers.
 */
import { marginGradientKernel } from '../../attribution/gradientKernel';
import { KERNEL_EXAMPLE_COST } from '../../attribution/kernelDefaults';
import { CancelledError, type RunControl } from '../../control';
import { NUM_CLASSES, type CifarDataset } from '../../data/types';
import { createModel, exportWeights, importWeights, type Model } from '../../models/model';
import type { ModelSpec } from '../../models/modelSpec';
import type { WeightsData } from '../../models/layers';
import { evaluateModel } from '../../train/evaluate';
import { trainModel, type TrainRecipe } from '../../train/trainer';
import { METHODS, type UnlearnMethodName } from '../../unlearn';

/** Where the experiment's examples are: the first `trainSize` training and `validationSize` validation images. */
export interface JobData {
  trainSize: number;
  validationSize: number;
}

export interface TrainJob extends JobData {
  kind: 'train';
  role: string;
  seed: number;
  model: ModelSpec;
  recipe: TrainRecipe;
  indices: Int32Array;
  keepWeights: boolean;
}

export interface UnlearnJob extends JobData {
  kind: 'unlearn';
  /** For progress text, e.g. "dmm from original 2". */
  label: string;
  model: ModelSpec;
  method: UnlearnMethodName;
  params: unknown;
  from: WeightsData[];
  forget: Int32Array;
  retain: Int32Array;
  /** Target logits of the S examples ([trainSize, 10]), for the matching methods. */
  targets?: Float32Array;
  seed: number;
}

/** The whole-network margin-gradient kernel of one model (attribution/gradientKernel.ts), for the 'kernel' terms. */
export interface KernelJob extends JobData {
  kind: 'kernel';
  /** For progress text, e.g. "Gradient kernel of original 1 of 4". */
  label: string;
  model: ModelSpec;
  from: WeightsData[];
  seed: number;
}

export type Job = TrainJob | UnlearnJob | KernelJob;

export interface JobOutput {
  /** Logits on every example (S then V), [points, 10]; a kernel job evaluates nothing and leaves them empty. */
  logits: Float32Array;
  /** A kernel job's kernel, [points, trainSize], and each training point's 1 − p. */
  kernel?: { kernel: Float32Array; residual: Float32Array };
  weights?: WeightsData[];
  examplesProcessed: number;
  /** Wall seconds of the training or unlearning itself. */
  seconds: number;
}

export interface JobProgress {
  detail: string;
  fraction: number;
}

/** Runs a job with this thread's tfjs backend. */
export async function runJob(job: Job, ds: CifarDataset, control?: RunControl, onProgress?: (p: JobProgress) => void): Promise<JobOutput> {
  if (job.kind === 'kernel') return runKernelJob(job, ds, control, onProgress);
  const model = createModel(job.model, job.kind === 'train' ? job.seed : 0);
  try {
    const t0 = performance.now();
    let examplesProcessed: number;
    if (job.kind === 'train') {
      const summary = await trainModel(model, ds.train, job.indices, job.recipe, {
        seed: job.seed,
        control,
        phase: job.role,
        onProgress: (p) =>
          onProgress?.({
            detail: `${job.role}: epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toFixed(3)}`,
            fraction: p.step / p.totalSteps,
          }),
      });
      examplesProcessed = summary.examplesProcessed;
    } else {
      importWeights(model, job.from);
      const outcome = await METHODS[job.method]({
        model,
        set: ds.train,
        forget: job.forget,
        retain: job.retain,
        params: job.params as never,
        targets: job.targets && expandTargets(job.targets, ds),
        seed: job.seed,
        control,
        onProgress: (p) =>
          onProgress?.({ detail: `${job.label}: step ${p.step}/${p.totalSteps}`, fraction: p.step / Math.max(1, p.totalSteps) }),
      });
      examplesProcessed = outcome.examplesProcessed;
    }
    let seconds = (performance.now() - t0) / 1000;
    const logits = await evaluateExamples(model, ds, job, control);
    // Training one oracle is the cost axis' unit, measured with its evaluation as a retrained model needs it.
    if (job.kind === 'train') seconds = (performance.now() - t0) / 1000;
    const keep = job.kind === 'unlearn' || job.keepWeights;
    return { logits, weights: keep ? await exportWeights(model) : undefined, examplesProcessed, seconds };
  } finally {
    model.dispose();
  }
}

async function runKernelJob(
  job: KernelJob,
  ds: CifarDataset,
  control?: RunControl,
  onProgress?: (p: JobProgress) => void,
): Promise<JobOutput> {
  const model = createModel(job.model, 0);
  try {
    importWeights(model, job.from);
    const t0 = performance.now();
    const { kernel, residual, points } = await marginGradientKernel(
      model,
      {
        train: { set: ds.train, indices: firstIndices(job.trainSize) },
        validation: { set: ds.validation, indices: firstIndices(job.validationSize) },
      },
      {
        seed: job.seed,
        control,
        onPoint: (done, total) => onProgress?.({ detail: `${job.label}: point ${done}/${total}`, fraction: done / total }),
      },
    );
    return {
      logits: new Float32Array(0),
      kernel: { kernel, residual },
      examplesProcessed: points * KERNEL_EXAMPLE_COST,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}

/** Methods index targets by position in the training split: pad S's rows to the split this worker holds. */
function expandTargets(targets: Float32Array, ds: CifarDataset): Float32Array {
  const out = new Float32Array(ds.train.count * NUM_CLASSES);
  out.set(targets);
  return out;
}

/** 0, 1, …, n − 1: the experiment's examples are the first |S| training and |V| validation images. */
export const firstIndices = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** A model's logits on every example (S then V), [points, 10]. */
export async function evaluateExamples(model: Model, ds: CifarDataset, data: JobData, control?: RunControl): Promise<Float32Array> {
  const train = await evaluateModel(model, ds.train, firstIndices(data.trainSize), { control });
  const validation = await evaluateModel(model, ds.validation, firstIndices(data.validationSize), { control });
  const logits = new Float32Array((data.trainSize + data.validationSize) * NUM_CLASSES);
  logits.set(train.logits, 0);
  logits.set(validation.logits, data.trainSize * NUM_CLASSES);
  return logits;
}

/**
 * Like Promise.all, but waits for every job to settle before it rejects, so nothing still runs (or holds tensors)
 * once a phase has failed or been cancelled.
 */
export async function allJobs<const T extends readonly unknown[]>(jobs: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** Runs jobs somewhere: in this thread, or over a pool of workers. */
export interface Executor {
  /** How many jobs may run at once. */
  readonly workers: number;
  run(job: Job, onProgress?: (p: JobProgress) => void): Promise<JobOutput>;
  /** Things the run should report (e.g. a job retried after a worker crashed). */
  readonly notes: string[];
}

/** Runs jobs one at a time in this thread; none starts after the run is cancelled. */
export function localExecutor(ds: CifarDataset, control?: RunControl): Executor {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    workers: 1,
    notes: [],
    run(job, onProgress) {
      const next = queue.then(async () => {
        if (control?.isCancelled) throw new CancelledError();
        return runJob(job, ds, control, onProgress);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
