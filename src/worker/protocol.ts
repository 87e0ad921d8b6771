/** Types shared by the page and the engine worker. The worker's API is exposed with Comlink. */
import type { DataProgress, SplitName } from '../engine/data/types';
import type { ModelSpec } from '../engine/models/modelSpec';
import type { TrainProgress, TrainRecipe, TrainSummary } from '../engine/train/trainer';
import type { CacheEntryInfo, CacheUsage } from '../engine/cache/types';
import type { PoolBenchRequest, PoolBenchRow } from './poolBench';
import type { ExperimentProgress } from '../engine/experiment/runner';
import type { ExperimentResult, RequestResult } from '../engine/experiment/result';
import type { SavedDatasetInfo } from '../engine/data/datasetStore';
import type { BackendChoice, BackendName, RememberedChoice } from './backends';

export type { BackendChoice, BackendName, RememberedChoice, DataProgress, ModelSpec, SplitName, TrainProgress, TrainRecipe };
export type { CacheEntryInfo, CacheUsage, ExperimentProgress, ExperimentResult, RequestResult, SavedDatasetInfo };
// What a rejected call means, read from the error's name (which Comlink keeps; the class it loses).
export { errorMessage, isCancelled, isDeviceLost } from '../engine/errors';

export interface DatasetSummary {
  id: string;
  name: string;
  source: 'embedded' | 'files' | 'saved';
  classNames: string[];
  counts: Partial<Record<SplitName, number>>;
  /** Training images per class. */
  perClass: number[];
  /** Set when the data loaded but could not be kept in IndexedDB for the next visit. */
  storeWarning?: string;
}

export interface TrainRequest {
  model: ModelSpec;
  recipe: TrainRecipe;
  /** Seeds the model's initialisation and the data order. */
  seed: number;
  /** Train on the first `trainCount` images of a seeded permutation of the training split (all when absent). */
  trainCount?: number;
}

export interface TrainOutcome {
  summary: TrainSummary;
  parameters: number;
  validationAccuracy: number;
  backend: BackendName;
}

export interface SplitEvaluation {
  split: SplitName;
  logits: Float32Array;
  margins: Float32Array;
  accuracy: number;
}

export interface MemoryReport {
  numTensors: number;
  numBytes: number;
  /** Bytes of uint8 pixels the worker holds for the current dataset. */
  datasetBytes: number;
}

export interface BenchRequest {
  models: ModelSpec[];
  backends: BackendName[];
  /** Images per timed training run. */
  trainImages: number;
  batchSize: number;
  /** Validation accuracy reached per model on backend `on`, with `recipe` or each model's default recipe. */
  accuracy?: { on: BackendName; recipe?: TrainRecipe; trainCount?: number };
}

export interface BenchRow {
  backend: BackendName;
  model: string;
  parameters: number;
  trainImagesPerSec: number;
  inferImagesPerSec: number;
  firstStepSeconds: number;
  validationAccuracy?: number;
  accuracySeconds?: number;
  accuracyRecipe?: TrainRecipe;
  error?: string;
}

export interface EngineApi {
  /** `workers` forces the pool size of experiments (otherwise chosen from the cores, memory or a GPU measurement). */
  init(options: { force?: BackendName; remembered?: RememberedChoice; workers?: number }): Promise<BackendChoice>;
  loadEmbeddedDataset(baseUrl: string, onProgress?: (p: DataProgress) => void): Promise<DatasetSummary>;
  loadDatasetFiles(files: File[], onProgress?: (p: DataProgress) => void): Promise<DatasetSummary>;
  loadSavedDataset(): Promise<DatasetSummary | undefined>;
  /** What is saved in this browser, without loading it (undefined when nothing is, or storage cannot be read). */
  savedDataset(): Promise<SavedDatasetInfo | undefined>;
  forgetSavedDataset(): Promise<void>;
  getImages(split: SplitName, start: number, count: number): Promise<{ images: Uint8Array; labels: Uint8Array }>;
  train(request: TrainRequest, onProgress: (p: TrainProgress) => void): Promise<TrainOutcome>;
  pause(): void;
  resume(): void;
  cancel(): void;
  evaluate(split: SplitName): Promise<SplitEvaluation>;
  memory(): Promise<MemoryReport>;
  bench(request: BenchRequest, onRow: (row: BenchRow) => void): Promise<BenchRow[]>;
  /** Throughput of independent training jobs over pools of 1 … maxWorkers workers. */
  benchPool(request: PoolBenchRequest, onRow: (row: PoolBenchRow) => void): Promise<PoolBenchRow[]>;
  /**
   * Validates `spec` (rejects with the SpecError message naming the field), then runs it on the loaded
   * dataset, reusing and filling the model cache. Pause/resume/cancel act on it.
   */
  runExperiment(
    spec: unknown,
    onProgress?: (p: ExperimentProgress) => void,
    onPartialResult?: (r: RequestResult) => void,
  ): Promise<ExperimentResult>;
  cacheList(): Promise<CacheEntryInfo[]>;
  cacheUsage(): Promise<CacheUsage>;
  clearCache(): Promise<void>;
}
