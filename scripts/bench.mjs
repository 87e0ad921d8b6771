#!/usr/bin/env node
/**
 * npm run bench: runs the built app's engine worker in headless Debian Chromium and prints JSON plus a
 * table — training and inference images/s and time to first step for each model on each available
 * backend (with the adapter), the validation accuracy each model reaches with the default recipe, the
 * worker's memory with the full 50,000-image CIFAR-10 loaded, and tensor/memory growth over 20 runs.
 *
 * Then the pool's scaling: throughput of independent training jobs with 1, 2, … workers (speed-up and
 * efficiency), and tensor/memory growth over 20 consecutive experiments run with the pool.
 *
 * Options: --backends wasm,webgpu (default: every available one), --models tiny,resnet9, --repeats 3 (throughput
 *          runs; the table shows the median and the spread), --pool-workers N (default: the chosen pool size, at least 2),
 *          --pool-backend webgpu (the pool's backend; default the chosen one),
 *          --skip-accuracy, --skip-memory, --skip-pool, --runs 20, --out bench-results/bench.json
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, openHarness, parseArgs, root, table } from './lib/harness.mjs';

const { opt, flag } = parseArgs(process.argv.slice(2));
const MODELS = {
  tiny: { arch: 'tiny-cnn' },
  resnet9: { arch: 'resnet9', width: 0.25 },
};
const SHARED_TRAIN = path.resolve(root, '../shared/data/cifar10/train.bin');
const SHARED_TEST = path.resolve(root, '../shared/data/cifar10/test.bin');

function log(...a) {
  console.error('[bench]', ...a);
}

/** Talks CDP to the engine worker (Playwright exposes no CDP session for workers). */
async function workerInspector(page) {
  const cdp = await page.context().newCDPSession(page);
  let sessionId;
  let id = 0;
  const pending = new Map();
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') sessionId = e.sessionId;
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const i = ++id;
      pending.set(i, resolve);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: i, method, params }) });
    });
  return {
    /** JS heap + embedder heap + ArrayBuffer backing stores of the worker, after a full GC. */
    async memoryBytes() {
      await send('HeapProfiler.collectGarbage');
      const u = await send('Runtime.getHeapUsage');
      return { total: u.usedSize + (u.embedderHeapUsedSize ?? 0) + (u.backingStorageSize ?? 0), ...u };
    },
  };
}

/** Splits the shared train.bin into the five official batch files (+ test_batch) in a temp folder. */
function officialBatchFiles() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-batches-'));
  const bytes = fs.readFileSync(SHARED_TRAIN);
  const perBatch = 10_000 * 3073;
  const files = [];
  for (let b = 0; b < 5; b++) {
    const file = path.join(dir, `data_batch_${b + 1}.bin`);
    fs.writeFileSync(file, bytes.subarray(b * perBatch, (b + 1) * perBatch));
    files.push(file);
  }
  if (fs.existsSync(SHARED_TEST)) {
    const file = path.join(dir, 'test_batch.bin');
    fs.copyFileSync(SHARED_TEST, file);
    files.push(file);
  }
  return { dir, files };
}

/** Median and range of repeated measurements. */
function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0], max: sorted[sorted.length - 1] };
}

async function main() {
  const harness = await openHarness({ port: Number(opt('port', 4174)), log: (line) => line.startsWith('load: ') || log(line) });
  const { browser, page } = harness;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30) },
  };
  try {
    const inspector = await workerInspector(page);
    result.browser = await browser.version();
    log('choosing a backend (short measurement)…');
    const choice = await page.evaluate(() => window.harness.init());
    result.backendChoice = choice;
    log(`chosen: ${choice.name} — ${choice.reason}`);
    await page.evaluate(() => window.harness.loadEmbedded());

    const available = choice.probes
      .filter((p) => p.available)
      .map((p) => p.name)
      .filter((n) => n !== 'cpu');
    const backends = (opt('backends') ?? available.join(',')).split(',');
    const models = (opt('models') ?? 'tiny,resnet9').split(',').map((m) => {
      if (!MODELS[m]) throw new Error(`unknown model ${m}; use ${Object.keys(MODELS).join(', ')}`);
      return MODELS[m];
    });
    const software = (b) => (b === 'webgpu' || b === 'webgl') && choice.probes.find((p) => p.name === b)?.note.includes('software');
    result.throughput = [];
    for (const backend of backends) {
      // Software GPU adapters run ~5 images/s here: time fewer images there.
      const trainImages = software(backend) ? 96 : 1024;
      const batchSize = software(backend) ? 32 : 128;
      log(`throughput on ${backend}: ${trainImages} training images, batch ${batchSize}…`);
      const repeats = Math.max(1, Number(opt('repeats', 3)));
      const runs = [];
      for (let i = 0; i < repeats; i++) {
        runs.push(
          await page.evaluate((r) => window.harness.run(r), {
            models,
            backends: [backend],
            trainImages,
            batchSize,
            ...(flag('skip-accuracy') || backend !== choice.name || i > 0 ? {} : { accuracy: { on: choice.name } }), // each model's default recipe (src/engine/train/defaults.ts), all 10,000 images
          }),
        );
      }
      runs[0].forEach((row, m) => {
        const spread = (f) => summarise(runs.map((rows) => f(rows[m])));
        result.throughput.push({
          ...row,
          trainImagesPerSec: spread((r) => r.trainImagesPerSec).median,
          inferImagesPerSec: spread((r) => r.inferImagesPerSec).median,
          spread: {
            repeats,
            train: spread((r) => r.trainImagesPerSec),
            infer: spread((r) => r.inferImagesPerSec),
            ratio: spread((r) => r.trainImagesPerSec / r.inferImagesPerSec),
          },
          trainImages,
          batchSize,
          adapter: backend === 'webgpu' ? choice.adapter : undefined,
        });
      });
    }

    if (!flag('skip-pool')) {
      const poolBackend = opt('pool-backend', choice.name);
      const poolChoice = poolBackend === choice.name ? choice : await page.evaluate((b) => window.harness.init(b), poolBackend);
      const maxWorkers = Number(opt('pool-workers', Math.max(2, choice.pool.size)));
      const jobImages = software(poolBackend) ? 64 : 1024;
      log(`pool scaling: 1…${maxWorkers} workers, ${poolBackend}, tiny CNN, ${jobImages} images per job…`);
      result.pool = {
        backend: poolBackend,
        choice: poolChoice.pool,
        jobImages,
        rows: await page.evaluate((r) => window.harness.benchPool(r), {
          model: { arch: 'tiny-cnn' },
          maxWorkers,
          trainImages: jobImages,
          jobsPerWorker: software(poolBackend) ? 1 : 3,
        }),
      };
      if (poolBackend !== choice.name) await page.evaluate((b) => window.harness.init(b), choice.name);
      log(`${Number(opt('runs', 20))} consecutive experiments with the pool…`);
      const spec = {
        v: 1,
        dataset: { trainSize: 300, validationSize: 100 },
        recipe: { epochs: 1, batchSize: 50, peakEpoch: 0.5 },
        forget: [{ kind: 'random', k: 20 }],
        n: 2,
        extraOracles: 0,
        methods: [{ id: 'fine-tune', method: 'fine-tune', params: { epochs: 1 } }],
        metrics: ['klom', 'accuracy'],
      };
      const runs = [];
      for (let i = 0; i < Number(opt('runs', 20)); i++) {
        await page.evaluate((s) => window.harness.runExperiment(s), { ...spec, seed: 1000 + i }); // a new seed: nothing from the cache
        const m = await page.evaluate(() => window.harness.memory());
        const w = await inspector.memoryBytes();
        runs.push({ run: i + 1, numTensors: m.numTensors, tfBytes: m.numBytes, workerBytes: w.total });
      }
      result.pool.repeatedExperiments = runs;
    }

    if (!flag('skip-memory')) {
      await page.evaluate((b) => window.harness.init(b), choice.name);
      const before = await inspector.memoryBytes();
      if (fs.existsSync(SHARED_TRAIN)) {
        log('loading the full 50,000-image CIFAR-10 into the worker…');
        const { dir, files } = officialBatchFiles();
        await page.locator('#files').setInputFiles(files);
        const t = performance.now();
        const summary = await page.evaluate(() => window.harness.loadChosenFiles());
        const loadSeconds = (performance.now() - t) / 1000;
        fs.rmSync(dir, { recursive: true, force: true });
        const after = await inspector.memoryBytes();
        const engineMemory = await page.evaluate(() => window.harness.memory());
        const rawPixels = 50_000 * 3072;
        result.fullDataset = {
          summary,
          loadSeconds,
          rawPixelBytes: rawPixels,
          workerBytesBefore: before.total,
          workerBytesAfter: after.total,
          workerBytesPerRawPixelByte: after.total / rawPixels,
          datasetBytesHeld: engineMemory.datasetBytes,
        };
      } else {
        log(`skipping the full-dataset memory check: ${SHARED_TRAIN} not found`);
      }
      log(`${Number(opt('runs', 20))} consecutive training runs…`);
      const runs = [];
      for (let i = 0; i < Number(opt('runs', 20)); i++) {
        await page.evaluate(() =>
          window.harness.train({
            model: { arch: 'tiny-cnn' },
            recipe: { epochs: 1, batchSize: 64, peakLr: 0.05, peakEpoch: 0.5, momentum: 0.9, weightDecay: 5e-4, flip: true },
            seed: 1,
            trainCount: 256,
          }),
        );
        const m = await page.evaluate(() => window.harness.memory());
        const w = await inspector.memoryBytes();
        runs.push({ run: i + 1, numTensors: m.numTensors, tfBytes: m.numBytes, workerBytes: w.total });
      }
      result.repeatedRuns = runs;
    }
  } finally {
    await harness.close();
  }

  const outFile = path.resolve(root, opt('out', 'bench-results/bench.json'));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  console.log(`\nBackend chosen: ${result.backendChoice.name} — ${result.backendChoice.reason}`);
  console.log(`WebGPU adapter: ${result.backendChoice.adapter ?? 'none'}\n`);
  console.log(
    table(result.throughput, [
      ['backend', (r) => r.backend],
      ['model', (r) => r.model],
      ['params', (r) => r.parameters],
      ['batch', (r) => r.batchSize],
      ['train img/s (median, min–max)', (r) => `${fmt(r.trainImagesPerSec)} (${fmt(r.spread.train.min)}–${fmt(r.spread.train.max)})`],
      ['infer img/s', (r) => `${fmt(r.inferImagesPerSec)} (${fmt(r.spread.infer.min)}–${fmt(r.spread.infer.max)})`],
      ['train/infer', (r) => `${fmt(r.spread.ratio.median, 2)} (${fmt(r.spread.ratio.min, 2)}–${fmt(r.spread.ratio.max, 2)})`],
      ['first step s', (r) => fmt(r.firstStepSeconds, 1)],
      [
        'val acc (default recipe)',
        (r) =>
          r.validationAccuracy === undefined
            ? '—'
            : `${fmt(r.validationAccuracy * 100, 1)} % in ${fmt(r.accuracySeconds)} s (peak lr ${r.accuracyRecipe.peakLr})`,
      ],
      ['error', (r) => r.error ?? ''],
    ]),
  );
  if (result.throughput[0]?.spread) console.log(`(median and min–max of ${result.throughput[0].spread.repeats} runs)`);
  if (result.pool) {
    console.log(
      `\nPool on ${result.pool.backend}: ${result.pool.choice.reason}. Independent training jobs (tiny CNN, 1 epoch on ${result.pool.jobImages} images + evaluation):`,
    );
    console.log(
      table(result.pool.rows, [
        ['workers', (r) => r.workers],
        ['jobs', (r) => r.jobs],
        ['wall s', (r) => fmt(r.seconds, 1)],
        ['img/s', (r) => fmt(r.imagesPerSec)],
        ['speed-up', (r) => fmt(r.speedup, 2)],
        ['efficiency', (r) => fmt(r.efficiency, 2)],
      ]),
    );
    const e = result.pool.repeatedExperiments;
    if (e?.length) {
      console.log(
        `${e.length} consecutive experiments with the pool: tensors ${e[0].numTensors} → ${e[e.length - 1].numTensors}, ` +
          `engine worker memory ${fmt(e[0].workerBytes / 1e6, 1)} → ${fmt(e[e.length - 1].workerBytes / 1e6, 1)} MB (pool workers close after each experiment).`,
      );
    }
  }
  if (result.fullDataset) {
    const f = result.fullDataset;
    console.log(
      `\nFull CIFAR-10 (${f.summary.counts.train} + ${f.summary.counts.validation} + ${f.summary.counts.test ?? 0} images) loaded in ${fmt(f.loadSeconds, 1)} s; ` +
        `worker memory ${fmt(f.workerBytesAfter / 1e6)} MB = ${fmt(f.workerBytesPerRawPixelByte, 2)}× the ${fmt(f.rawPixelBytes / 1e6)} MB of raw pixels (target ≤ 1.30×).`,
    );
  }
  if (result.repeatedRuns?.length) {
    const r = result.repeatedRuns;
    console.log(
      `${r.length} consecutive training runs: tensors ${r[0].numTensors} → ${r[r.length - 1].numTensors}, ` +
        `worker memory ${fmt(r[0].workerBytes / 1e6, 1)} → ${fmt(r[r.length - 1].workerBytes / 1e6, 1)} MB.`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
