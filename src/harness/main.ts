/**
 * The page `npm run bench` and `npm run experiment` drive: the real engine worker, with its API on
 * `window.harness` so the Node scripts (and browser tests) can call it through Playwright.
 */
import * as Comlink from 'comlink';
import { startEngine } from '../app/lib/engineClient';
import { IndexedDbCache } from '../engine/cache/indexedDbCache';
import { modelsOnly } from '../engine/experiment/plan';
import { LESSONS, parseSpec, PRESETS } from '../engine/experiment/spec';
import { encodePack } from '../engine/packs/packFile';
import type { PoolBenchRequest } from '../worker/poolBench';
import type { BackendName, BenchRequest, ExperimentProgress, TrainRequest } from '../worker/protocol';

const { engine } = startEngine();
const base = new URL(import.meta.env.BASE_URL, location.href).href;

const harness = {
  init: (force?: BackendName, workers?: number) => engine.init({ force, workers }),
  loadEmbedded: () => engine.loadEmbeddedDataset(base),
  loadChosenFiles: () => {
    const input = document.getElementById('files') as HTMLInputElement;
    return engine.loadDatasetFiles(
      Array.from(input.files ?? []),
      Comlink.proxy((p: { stage: string; fraction: number }) => console.log(`load: ${p.stage} ${(p.fraction * 100).toFixed(0)} %`)),
    );
  },
  run: (request: BenchRequest) =>
    engine.bench(
      request,
      Comlink.proxy(() => undefined),
    ),
  benchPool: (request: PoolBenchRequest) =>
    engine.benchPool(
      request,
      Comlink.proxy(() => undefined),
    ),
  train: (request: TrainRequest) =>
    engine.train(
      request,
      Comlink.proxy(() => undefined),
    ),
  memory: () => engine.memory(),
  /** Runs an experiment spec; progress lines go to the console (the Node script prints them). */
  runExperiment: (spec: unknown) =>
    engine.runExperiment(
      spec,
      Comlink.proxy((p: ExperimentProgress) => {
        const eta = Number.isFinite(p.etaSeconds) ? `, ETA ${Math.round(p.etaSeconds)} s` : '';
        console.log(
          `progress: ${p.current?.detail ?? ''} [${p.phases.filter((x) => x.status === 'done').length}/${p.phases.length} phases${eta}]`,
        );
      }),
    ),
  cacheUsage: () => engine.cacheUsage(),
  /** What `npm run build:packs` ships: each preset's and lesson's models, as a spec that trains only them. */
  packSpecs: () =>
    [...PRESETS.map((p) => ({ id: `preset-${p.id}`, spec: p.spec })), ...LESSONS.map((l) => ({ id: `lesson-${l.id}`, spec: l.spec }))].map(
      ({ id, spec }) => ({ id, spec, modelsSpec: modelsOnly(parseSpec(spec)) }),
    ),
  /**
   * A pack (base64) of the cached trained models (originals with their weights, oracles, subset models) whose keys
   * are not in `exclude`, for `npm run build:packs`.
   */
  exportPack: async (exclude: string[]) => {
    const store = new IndexedDbCache();
    const skip = new Set(exclude);
    const infos = (await store.list()).filter((e) => ['original', 'oracle', 'subset'].includes(e.kind) && !skip.has(e.key));
    const entries = [];
    for (const info of infos) {
      const entry = await store.get(info.key);
      if (entry) entries.push(entry);
    }
    const bytes = encodePack(entries);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { keys: entries.map((e) => e.key), base64: btoa(binary) };
  },
  clearCache: () => engine.clearCache(),
};

(window as unknown as { harness: typeof harness }).harness = harness;
document.title = 'harness ready';
