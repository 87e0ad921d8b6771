/**
 * The page `npm run bench` drives: the real engine worker, with its API on `window.bench` so the
 * Node script can call it through Playwright.
 */
import * as Comlink from 'comlink';
import { startEngine } from '../app/lib/engineClient';
import type { BackendName, BenchRequest, TrainRequest } from '../worker/protocol';

const { engine } = startEngine();
const base = new URL(import.meta.env.BASE_URL, location.href).href;

const bench = {
  init: (force?: BackendName) => engine.init({ force }),
  loadEmbedded: () => engine.loadEmbeddedDataset(base),
  loadChosenFiles: () => {
    const input = document.getElementById('files') as HTMLInputElement;
    return engine.loadDatasetFiles(
      Array.from(input.files ?? []),
      Comlink.proxy((p: { stage: string; fraction: number }) => console.log(`load: ${p.stage} ${(p.fraction * 100).toFixed(0)} %`)),
    );
  },
  run: (request: BenchRequest) => engine.bench(request, Comlink.proxy(() => undefined)),
  train: (request: TrainRequest) => engine.train(request, Comlink.proxy(() => undefined)),
  memory: () => engine.memory(),
};

(window as unknown as { bench: typeof bench }).bench = bench;
document.title = 'bench ready';
