/**
 * The pool's scaling: throughput of independent training jobs (train one model for one epoch, then evaluate it,
 * as an experiment's jobs do) with 1, 2, … workers, each pool warmed up first so worker start-up is not counted.
 */
import type { RunControl } from '../engine/control';
import type { CifarDataset } from '../engine/data/types';
import { firstIndices, type Job } from '../engine/experiment/run/jobs';
import type { ModelSpec } from '../engine/models/modelSpec';
import type { BackendName } from './backends';
import { createPoolExecutor } from './pool';

export interface PoolBenchRequest {
  model: ModelSpec;
  maxWorkers: number;
  trainImages: number;
  /** Jobs per worker in the timed round. */
  jobsPerWorker: number;
}

export interface PoolBenchRow {
  workers: number;
  jobs: number;
  seconds: number;
  /** Training examples of all jobs per wall second. */
  imagesPerSec: number;
  /** Throughput over the 1-worker throughput. */
  speedup: number;
  /** speedup / workers. */
  efficiency: number;
}

/**
 * Whether a second worker sharing one GPU adds throughput: a short training job alone, then two at once on a fresh
 * pool of 2 (each worker warmed first, so shader compilation is not counted). Returns the speed-up of 2 over 1.
 */
export async function measureGpuWorkers(backend: BackendName, ds: CifarDataset): Promise<{ workers: number; speedup: number }> {
  const trainSize = Math.min(256, ds.train.count);
  const validationSize = Math.min(32, ds.validation.count);
  const job = (k: number): Job => ({
    kind: 'train',
    role: `gpu-probe-${k}`,
    seed: k,
    model: { arch: 'tiny-cnn' },
    recipe: { epochs: 1, batchSize: 64, peakLr: 0.05, peakEpoch: 0.5, momentum: 0.9, weightDecay: 5e-4, flip: false },
    indices: firstIndices(trainSize),
    keepWeights: false,
    trainSize,
    validationSize,
  });
  const pool = createPoolExecutor({ size: 2, backend, ds, trainSize, validationSize });
  try {
    await Promise.all([pool.run(job(0)), pool.run(job(1))]); // start both workers and compile their shaders
    let start = performance.now();
    await pool.run(job(2));
    const alone = performance.now() - start;
    start = performance.now();
    await Promise.all([pool.run(job(3)), pool.run(job(4))]);
    const together = performance.now() - start;
    const speedup = (2 * alone) / together;
    return { workers: speedup > 1.15 ? 2 : 1, speedup };
  } finally {
    pool.close();
  }
}

export async function runPoolBench(
  request: PoolBenchRequest,
  backend: BackendName,
  ds: CifarDataset,
  control: RunControl,
  onRow: (row: PoolBenchRow) => void,
): Promise<PoolBenchRow[]> {
  const trainSize = Math.min(request.trainImages, ds.train.count);
  const job = (k: number): Job => ({
    kind: 'train',
    role: `bench-${k}`,
    seed: k,
    model: request.model,
    recipe: { epochs: 1, batchSize: 128, peakLr: 0.05, peakEpoch: 0.5, momentum: 0.9, weightDecay: 5e-4, flip: false },
    indices: firstIndices(trainSize),
    keepWeights: false,
    trainSize,
    validationSize: Math.min(100, ds.validation.count),
  });
  const rows: PoolBenchRow[] = [];
  for (let workers = 1; workers <= request.maxWorkers; workers++) {
    const pool = createPoolExecutor({ size: workers, backend, ds, trainSize, validationSize: Math.min(100, ds.validation.count), control });
    try {
      await Promise.all(Array.from({ length: workers }, (_, k) => pool.run(job(k)))); // starts and warms every worker
      const jobs = workers * request.jobsPerWorker;
      const start = performance.now();
      const outs = await Promise.all(Array.from({ length: jobs }, (_, k) => pool.run(job(k))));
      const seconds = (performance.now() - start) / 1000;
      const imagesPerSec = outs.reduce((t, o) => t + o.examplesProcessed, 0) / seconds;
      const speedup = imagesPerSec / (rows[0]?.imagesPerSec ?? imagesPerSec);
      const row = { workers, jobs, seconds, imagesPerSec, speedup, efficiency: speedup / workers };
      rows.push(row);
      onRow(row);
    } finally {
      pool.close();
    }
  }
  return rows;
}
