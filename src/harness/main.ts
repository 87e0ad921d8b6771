/**
 * The page `npm run bench` and `npm run experiment` drive: the real engine worker, with its API on
 * `window.harness` so the Node scripts (and browser tests) can call it through Playwright.
 */
import * as Comlink from 'comlink';
import { startEngine } from '../app/lib/engineClient';
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
  clearCache: () => engine.clearCache(),
};

(window as unknown as { harness: typeof harness }).harness = harness;
document.title = 'harness ready';
