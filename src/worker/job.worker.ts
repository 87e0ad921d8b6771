/// <reference lib="webworker" />
/**
 * A pool worker: its own tfjs backend and its own uint8 copy of the experiment's examples; it runs the jobs the
 * engine worker (the coordinator) hands it, one at a time. Pause, resume and cancel act on the running job.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { RunControl } from '../engine/control';
import type { CifarDataset } from '../engine/data/types';
import { runJob, type Job, type JobOutput, type JobProgress } from '../engine/experiment/run/jobs';
import { activateBackend, type BackendName } from './backends';

let data: CifarDataset | undefined;
let control: RunControl | undefined;
/** Pause outlives a job: the next job starts paused too until the coordinator resumes. */
let paused = false;

export interface JobWorkerApi {
  init(backend: BackendName, data: CifarDataset): Promise<void>;
  run(job: Job, onProgress?: (p: JobProgress) => void): Promise<JobOutput>;
  pause(): void;
  resume(): void;
  cancel(): void;
  memory(): { numTensors: number; numBytes: number };
}

const api: JobWorkerApi = {
  async init(backend, dataset) {
    await activateBackend(backend);
    data = dataset;
  },
  async run(job, onProgress) {
    if (!data) throw new Error('the pool worker has no data yet');
    control = new RunControl();
    if (paused) control.pause();
    try {
      const out = await runJob(job, data, control, onProgress);
      const buffers = [
        out.logits.buffer,
        ...(out.weights ?? []).map((w) => w.values.buffer),
        ...(out.kernel ? [out.kernel.kernel.buffer, out.kernel.residual.buffer] : []),
      ];
      return Comlink.transfer(out, buffers as ArrayBuffer[]);
    } finally {
      control = undefined;
    }
  },
  pause: () => {
    paused = true;
    control?.pause();
  },
  resume: () => {
    paused = false;
    control?.resume();
  },
  cancel: () => control?.cancel(),
  memory: () => {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

Comlink.expose(api);
