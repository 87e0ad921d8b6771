/**
 * The engine worker's pool: N job workers (job.worker.ts), each with its own backend and a uint8 copy of the
 * experiment's examples, behind the runner's Executor interface. Pause, resume and cancel reach every worker; a
 * worker that crashes or loses its GPU device is replaced and its job retried, and the run's notes say so.
 */
import * as Comlink from 'comlink';
import type { RunControl } from '../engine/control';
import { PIXELS_PER_IMAGE, type CifarDataset, type ImageSet } from '../engine/data/types';
import type { Executor, Job } from '../engine/experiment/run/jobs';
import { errorMessage } from '../engine/errors';
import { Scheduler } from '../engine/scheduler';
import type { BackendName } from './backends';
import { isDeviceLoss } from './deviceLoss';
import type { JobWorkerApi } from './job.worker';

/** The worker behind a job died (an uncaught error or out of memory): the job can run again elsewhere. */
export class WorkerCrashedError extends Error {
  constructor(detail: string) {
    super(`a pool worker stopped: ${detail}`);
    this.name = 'WorkerCrashedError';
  }
}

interface JobWorker {
  api: Comlink.Remote<JobWorkerApi>;
  /** Rejects when the worker dies, so a call to it does not wait forever. */
  crashed: Promise<never>;
  close(): void;
}

const slice = (set: ImageSet, count: number): ImageSet => ({
  images: set.images.slice(0, count * PIXELS_PER_IMAGE),
  labels: set.labels.slice(0, count),
  count,
  sourceIndex: set.sourceIndex.slice(0, count),
});

async function startJobWorker(backend: BackendName, data: CifarDataset): Promise<JobWorker> {
  const worker = new Worker(new URL('./job.worker.ts', import.meta.url), { type: 'module', name: 'unlearning-pool-worker' });
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new WorkerCrashedError(e.message || 'uncaught error')));
  });
  crashed.catch(() => undefined);
  const api = Comlink.wrap<JobWorkerApi>(worker);
  const close = () => {
    api[Comlink.releaseProxy]();
    worker.terminate();
  };
  try {
    await Promise.race([api.init(backend, data), crashed]);
  } catch (e) {
    close();
    throw e;
  }
  return { api, crashed, close };
}

export interface PoolExecutor extends Executor {
  close(): void;
}

/** A pool of `size` workers for one experiment on `ds` (only its first trainSize / validationSize examples are copied). */
export function createPoolExecutor(options: {
  size: number;
  backend: BackendName;
  ds: CifarDataset;
  trainSize: number;
  validationSize: number;
  control?: RunControl;
}): PoolExecutor {
  const { ds } = options;
  const data: CifarDataset = {
    id: ds.id,
    name: ds.name,
    classNames: ds.classNames,
    train: slice(ds.train, options.trainSize),
    validation: slice(ds.validation, options.validationSize),
  };
  const notes: string[] = [];
  const scheduler = new Scheduler<JobWorker>({
    size: options.size,
    start: () => startJobWorker(options.backend, data),
    isWorkerFailure: (e) => e instanceof WorkerCrashedError || isDeviceLoss(e),
    onRetry: (e) => {
      const note = `a pool worker failed (${errorMessage(e)}); its job ran again on a fresh worker`;
      if (!notes.includes(note)) notes.push(note);
    },
  });
  const unsubscribe = options.control?.subscribe((event) => {
    for (const w of scheduler.workers) void w.api[event]();
  });
  return {
    workers: options.size,
    notes,
    run(job: Job, onProgress) {
      return scheduler.run(async (w) => {
        // No new job starts while the run is paused or after it is cancelled.
        await options.control?.checkpoint();
        return Promise.race([w.api.run(job, onProgress && Comlink.proxy(onProgress)), w.crashed]);
      });
    },
    close() {
      unsubscribe?.();
      scheduler.close();
    },
  };
}
