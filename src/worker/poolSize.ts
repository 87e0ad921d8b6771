/**
 * How many engine workers an experiment gets. On WASM and CPU each worker trains on its own core, so one per
 * logical core, fewer when the device reports little memory (each worker holds its tfjs heap and a uint8 copy of
 * the data). On a GPU, workers share one device: the pool size comes from a measurement of 1 against 2 workers
 * (see measureGpuWorkers), like the backend choice. A forced size (`?workers=N`, `--workers N`) wins.
 */
import type { BackendName } from './backends';

export interface PoolChoice {
  size: number;
  /** One sentence for the UI: how many workers and why. */
  reason: string;
}

export const MAX_WORKERS = 16;
/** Memory a worker needs for tiny models on the embedded set (tfjs heap, data copy, a few models' weights), in GB. */
const GB_PER_WORKER = 0.5;

export function choosePoolSize(options: {
  backend: BackendName;
  hardwareConcurrency?: number;
  deviceMemoryGb?: number;
  forced?: number;
  /** Workers that beat one on this GPU, when measured. */
  gpuMeasured?: { workers: number; speedup: number };
}): PoolChoice {
  const plural = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;
  if (options.forced !== undefined) {
    const size = Math.max(1, Math.min(MAX_WORKERS, Math.round(options.forced)));
    return { size, reason: `${plural(size)}: set by the link or command line` };
  }
  if (options.backend === 'webgpu' || options.backend === 'webgl') {
    const m = options.gpuMeasured;
    if (m && m.workers > 1)
      return { size: m.workers, reason: `${plural(m.workers)} sharing the GPU: measured ${m.speedup.toFixed(2)}× the throughput of one` };
    return {
      size: 1,
      reason: m
        ? `1 worker: a second one on the same GPU measured ${m.speedup.toFixed(2)}× (no gain)`
        : '1 worker: whether a second one adds throughput on this GPU is measured at the first experiment',
    };
  }
  const cores = Math.max(1, Math.min(MAX_WORKERS, options.hardwareConcurrency ?? 1));
  const byMemory = options.deviceMemoryGb ? Math.max(1, Math.floor(options.deviceMemoryGb / GB_PER_WORKER)) : MAX_WORKERS;
  const size = Math.min(cores, byMemory);
  const why =
    size < cores ? `${options.deviceMemoryGb} GB of memory (${GB_PER_WORKER} GB each)` : `${cores} logical core${cores === 1 ? '' : 's'}`;
  return { size, reason: `${plural(size)}: ${why}, one model per worker at a time` };
}
