/// <reference lib="webworker" />
/**
 * The engine worker: owns the tfjs backend, the dataset (uint8, never a float copy) and the trained
 * model. The page talks to it through Comlink (one typed API instead of a hand-rolled message union).
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { RunControl } from '../engine/control';
import { DeviceLostError, errorMessage } from '../engine/errors';
import { loadEmbeddedDataset } from '../engine/data/embedded';
import { loadCifarFromFiles } from '../engine/data/fullCifar';
import { clearSavedDataset, loadSavedDataset, saveDataset, savedDatasetInfo } from '../engine/data/datasetStore';
import { PIXELS_PER_IMAGE, type CifarDataset, type ImageSet, type SplitName } from '../engine/data/types';
import { countParameters, createModel, type Model } from '../engine/models/model';
import { createRng, permutation } from '../engine/rng';
import { evaluateModel } from '../engine/train/evaluate';
import { trainModel } from '../engine/train/trainer';
import { IndexedDbCache } from '../engine/cache/indexedDbCache';
import { resilientCache } from '../engine/cache/resilientCache';
import { runExperiment } from '../engine/experiment/runner';
import { createPackSource, type PackLoader } from '../engine/packs/packSource';
import { parseSpec } from '../engine/experiment/spec';
import { activateBackend, chooseBackend, forgetBackendInstance, type BackendChoice, type BackendName } from './backends';
import { deviceLossMessage, isDeviceLoss } from './deviceLoss';
import { runBench } from './bench';
import { createPoolExecutor } from './pool';
import { measureGpuWorkers, runPoolBench } from './poolBench';
import { choosePoolSize } from './poolSize';
import type { DatasetSummary, EngineApi } from './protocol';

let dataset: CifarDataset | undefined;
let backend: BackendName | undefined;
let backendChoice: BackendChoice | undefined;
/** The options of the page's last `init`, used again to restart the backend after a lost GPU device. */
let initOptions: Parameters<EngineApi['init']>[0] = {};
const store = new IndexedDbCache();
let model: Model | undefined;
const packsUrl = new URL(`${import.meta.env.BASE_URL}packs/`, self.location.origin);
/** Fetches shipped packs from this app's public/packs/; a build without them (404) simply has none. */
const packLoader: PackLoader = {
  async manifest() {
    const response = await fetch(new URL('manifest.json', packsUrl));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`its manifest answered HTTP ${response.status}`);
    return response.json();
  },
  async file(name, sha256) {
    // The checksum in the query makes each version of a pack its own URL, so no cache serves an older one.
    const response = await fetch(new URL(`${name}?sha256=${sha256}`, packsUrl));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  },
};
let control: RunControl | undefined;

function requireDataset(): CifarDataset {
  if (!dataset) throw new Error('no dataset is loaded yet');
  return dataset;
}

function split(name: SplitName): ImageSet {
  const set = requireDataset()[name];
  if (!set) throw new Error(`the loaded dataset has no ${name} split`);
  return set;
}

function summarise(ds: CifarDataset, source: DatasetSummary['source'], storeWarning?: string): DatasetSummary {
  const perClass = new Array(ds.classNames.length).fill(0);
  for (const label of ds.train.labels) perClass[label]++;
  return {
    id: ds.id,
    name: ds.name,
    source,
    classNames: [...ds.classNames],
    counts: { train: ds.train.count, validation: ds.validation.count, ...(ds.test ? { test: ds.test.count } : {}) },
    perClass,
    ...(storeWarning ? { storeWarning } : {}),
  };
}

/**
 * Restarts the backend after a lost GPU device (same options as the page's last `init`, else WASM) and
 * returns a DeviceLostError to reject with; any other error comes back unchanged.
 */
async function recoverFromDeviceLoss(error: unknown): Promise<unknown> {
  if (!isDeviceLoss(error) || !backend) return error;
  try {
    model?.dispose(); // its tensors lived on the lost device
  } catch {
    // Already gone with the device.
  }
  model = undefined;
  // The chosen backend and the active one (a bench may have switched): drop whichever is a GPU one.
  for (const name of new Set([backend, tf.getBackend()])) if (name === 'webgpu' || name === 'webgl') forgetBackendInstance(name);
  try {
    backendChoice = await chooseBackend(initOptions);
  } catch {
    try {
      await activateBackend('wasm');
      backendChoice = backendChoice && {
        ...backendChoice,
        name: 'wasm',
        reason: 'restarted on WASM after the GPU device was lost',
        forced: false,
      };
    } catch (e) {
      return new DeviceLostError(deviceLossMessage(error, undefined, e), { cause: error });
    }
  }
  backend = backendChoice?.name ?? 'wasm';
  return new DeviceLostError(deviceLossMessage(error, backend), { cause: error });
}

/** Runs one long job at a time; pause/resume/cancel act on it. */
async function exclusive<T>(job: (c: RunControl) => Promise<T>): Promise<T> {
  if (control) throw new Error('another run is in progress; cancel it first');
  control = new RunControl();
  try {
    return await job(control);
  } catch (e) {
    throw await recoverFromDeviceLoss(e);
  } finally {
    control = undefined;
  }
}

/** 1 against 2 workers on this GPU, measured at the first experiment that runs on it (it needs the data). */
let gpuMeasured: { workers: number; speedup: number } | undefined;

function poolFor(name: BackendName) {
  const memory = (self.navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return choosePoolSize({
    backend: name,
    hardwareConcurrency: self.navigator.hardwareConcurrency,
    deviceMemoryGb: memory,
    forced: initOptions.workers,
    gpuMeasured,
  });
}

/** The pool size for the next experiment: on a GPU, measure once whether a second worker adds throughput. */
async function poolSizeFor(name: BackendName, ds: CifarDataset): Promise<number> {
  const gpu = name === 'webgpu' || name === 'webgl';
  if (gpu && initOptions.workers === undefined && !gpuMeasured) {
    gpuMeasured = await measureGpuWorkers(name, ds);
    if (backendChoice) backendChoice.pool = poolFor(name);
  }
  return backendChoice?.pool?.size ?? 1;
}

const api: EngineApi = {
  async init(options) {
    initOptions = options;
    const choice = await chooseBackend(options);
    gpuMeasured = undefined;
    choice.pool = poolFor(choice.name);
    backend = choice.name;
    backendChoice = choice;
    return choice;
  },

  async loadEmbeddedDataset(baseUrl, onProgress) {
    dataset = await loadEmbeddedDataset(baseUrl, onProgress);
    return summarise(dataset, 'embedded');
  },

  async loadDatasetFiles(files, onProgress) {
    // Parse first: a wrong file throws here and the dataset in use stays as it was.
    const loaded = await loadCifarFromFiles(files, onProgress);
    dataset = loaded;
    let warning: string | undefined;
    try {
      onProgress?.({ stage: 'saving in this browser for next time', fraction: 1 });
      await saveDataset(loaded);
    } catch (e) {
      warning = `loaded, but not saved for next time: ${errorMessage(e)}`;
    }
    return summarise(loaded, 'files', warning);
  },

  async loadSavedDataset() {
    const saved = await loadSavedDataset();
    if (!saved) return undefined;
    dataset = saved;
    return summarise(saved, 'saved');
  },

  async savedDataset() {
    return savedDatasetInfo().catch(() => undefined);
  },

  async forgetSavedDataset() {
    await clearSavedDataset();
  },

  async getImages(name, start, count) {
    const set = split(name);
    const from = Math.max(0, Math.min(start, set.count));
    const to = Math.min(set.count, from + Math.max(0, count));
    const images = set.images.slice(from * PIXELS_PER_IMAGE, to * PIXELS_PER_IMAGE);
    const labels = set.labels.slice(from, to);
    return Comlink.transfer({ images, labels }, [images.buffer, labels.buffer]);
  },

  async train(request, onProgress) {
    return exclusive(async (c) => {
      const ds = requireDataset();
      if (!backend) throw new Error('the engine is not initialised');
      const trainCount = Math.min(request.trainCount ?? ds.train.count, ds.train.count);
      if (!(trainCount > 0)) throw new Error(`trainCount must be at least 1, got ${request.trainCount}`);
      const indices = permutation(ds.train.count, createRng(request.seed).fork('subset')).subarray(0, trainCount);
      const fresh = createModel(request.model, request.seed);
      try {
        const summary = await trainModel(fresh, ds.train, indices, request.recipe, {
          seed: request.seed,
          control: c,
          phase: 'training',
          onProgress,
        });
        const validation = await evaluateModel(fresh, ds.validation, undefined, { control: c });
        model?.dispose();
        model = fresh;
        return { summary, parameters: countParameters(fresh), validationAccuracy: validation.accuracy, backend };
      } catch (e) {
        fresh.dispose();
        throw e;
      }
    });
  },

  pause: () => control?.pause(),
  resume: () => control?.resume(),
  cancel: () => control?.cancel(),

  async evaluate(name) {
    if (!model) throw new Error('no trained model yet');
    const trained = model;
    const ev = await exclusive((c) => evaluateModel(trained, split(name), undefined, { control: c }));
    return Comlink.transfer({ split: name, logits: ev.logits, margins: ev.margins, accuracy: ev.accuracy }, [
      ev.logits.buffer,
      ev.margins.buffer,
    ]);
  },

  async memory() {
    const m = tf.memory();
    const ds = dataset;
    const datasetBytes = ds ? ds.train.images.length + ds.validation.images.length + (ds.test?.images.length ?? 0) : 0;
    return { numTensors: m.numTensors, numBytes: m.numBytes, datasetBytes };
  },

  async benchPool(request, onRow) {
    return exclusive((c) => runPoolBench(request, backend ?? 'wasm', requireDataset(), c, onRow));
  },

  async bench(request, onRow) {
    return exclusive((c) => runBench(request, requireDataset(), c, onRow));
  },

  async runExperiment(specInput, onProgress, onPartialResult) {
    const spec = parseSpec(specInput);
    return exclusive(async (c) => {
      const ds = requireDataset();
      if (!backend) throw new Error('the engine is not initialised');
      // A fresh wrapper per run, so each result reports its own cache problems (once per kind), never fatal.
      const cacheProblems: string[] = [];
      const cache = resilientCache(store, (e) => cacheProblems.push(e.message));
      const packs = createPackSource(packLoader);
      const workers = await poolSizeFor(backend, ds);
      const { trainSize, validationSize } = spec.dataset;
      const pool = workers > 1 ? createPoolExecutor({ size: workers, backend, ds, trainSize, validationSize, control: c }) : undefined;
      try {
        const result = await runExperiment(spec, {
          dataset: ds,
          cache,
          control: c,
          executor: pool,
          packs,
          environment: {
            backend,
            adapter: backendChoice?.adapter,
            workers,
            tfjsVersion: tf.version.tfjs,
            appVersion: __APP_VERSION__,
            userAgent: self.navigator.userAgent,
          },
          onProgress,
          onPartialResult,
        });
        if (gpuMeasured && backendChoice?.pool) result.notes.push(`engine workers: ${backendChoice.pool.reason}`);
        result.notes.push(...(pool?.notes ?? []), ...cacheProblems, ...packs.problems);
        return result;
      } finally {
        pool?.close();
      }
    });
  },

  // The page's cache panel asks the store itself, so a failing store is reported there, not hidden.
  cacheList: () => store.list(),
  cacheUsage: () => store.usage(),
  clearCache: () => store.clear(),
};

Comlink.expose(api);
