import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { resultSchema, type ExperimentResult } from '../src/engine/experiment/result';

/**
 * The engine's experiment runner end to end in the real worker (harness.html): the quick example spec,
 * the same one `npm run experiment -- --spec examples/quick.json` runs.
 */
const quick = JSON.parse(fs.readFileSync(new URL('../examples/quick.json', import.meta.url), 'utf8'));

interface Harness {
  init(force?: string, workers?: number): Promise<{ name: string; pool: { size: number; reason: string } }>;
  loadEmbedded(): Promise<unknown>;
  runExperiment(spec: unknown): Promise<unknown>;
  clearCache(): Promise<void>;
}
declare global {
  interface Window {
    harness: Harness;
  }
}

/** Runs a spec in the page's engine; the result must pass the engine's result schema. */
async function runIn(page: Page, spec: unknown): Promise<ExperimentResult> {
  return resultSchema.parse(await page.evaluate((s) => window.harness.runExperiment(s), spec)) as ExperimentResult;
}

test('the quick example spec runs end to end in the worker and reports every metric', async ({ page }) => {
  test.setTimeout(600_000); // ≈ 2 minutes of training on a 2-core CPU, more when the machine is busy
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto('/harness.html');
  await page.waitForFunction(() => document.title === 'harness ready');
  expect((await page.evaluate(() => window.harness.init('wasm'))).name).toBe('wasm');
  await page.evaluate(() => window.harness.loadEmbedded());

  const result = await runIn(page, quick);
  expect(result.environment).toMatchObject({ backend: 'wasm', datasetName: expect.stringContaining('shipped with the app') });
  expect(result.splits.forget).toHaveLength(25);
  expect(result.splits.retain).toHaveLength(475);
  expect(result.splits.validation).toHaveLength(200);
  expect(Object.keys(result.groups)).toEqual([
    'original',
    'oracle',
    'do-nothing',
    'retrain',
    'dm-direct',
    'dmm',
    'fine-tune',
    'gradient-ascent',
  ]);
  for (const g of Object.values(result.groups)) {
    expect(g.margins).toHaveLength(3);
    expect(g.margins[0]).toHaveLength(700);
    if (g.name !== 'oracle')
      for (const split of ['forget', 'retain', 'validation'] as const) expect(Number.isFinite(g.klom![split].p95)).toBe(true);
  }
  // Trained models beat chance on real CIFAR-10 (DM-Direct with 16 subset models need not).
  for (const name of ['original', 'oracle', 'retrain']) expect(result.groups[name].accuracy.validation).toBeGreaterThan(0.15);
  // Retrain is the independent oracle group: its KLoM is the noise floor.
  expect(result.groups.retrain.klom).toEqual(result.noiseFloor.klom);
  // Doing nothing keeps what the originals memorised of the forget set: they fit it better than the oracles do.
  // (KLoM itself cannot show it at N = 3: with 6 margins in 20 bins even the noise floor is near ln 1e5.)
  expect(result.groups['do-nothing'].accuracy.forget).toBeGreaterThan(result.groups.oracle.accuracy.forget);
  expect(result.attribution!.models).toBe(16);
  // Cost counts examples: DMM's 5 epochs of one 512-example batch over F×5 ∪ 475 retain points, against an oracle's
  // 3 epochs of 9 batches of 50 (at this tiny |S| DMM costs more than retraining; see docs/results.md).
  expect(result.groups.dmm.cost!.fractionOfRetraining).toBeCloseTo((5 * 512) / (3 * 9 * 50), 6);
  expect(result.timing.modelsTrained).toBe(3 + 16 + 6);

  // A second run of the same spec comes from the model cache in IndexedDB.
  const again = await runIn(page, quick);
  expect(again.timing.modelsTrained).toBe(0);
  expect(again.groups.dmm.margins).toEqual(result.groups.dmm.margins);
});

test('a spec with a wrong field is refused with a message naming it', async ({ page }) => {
  await page.goto('/harness.html');
  await page.waitForFunction(() => document.title === 'harness ready');
  await page.evaluate(() => window.harness.init('wasm'));
  await page.evaluate(() => window.harness.loadEmbedded());
  const bad = { ...quick, methods: [{ id: 'ga', method: 'gradient-ascent', params: { lr: -1 } }] };
  const message = await page.evaluate(
    (spec) =>
      window.harness.runExperiment(spec).then(
        () => 'ran',
        (e: Error) => e.message,
      ),
    bad,
  );
  expect(message).toContain('methods[0].params.lr: must be > 0, got -1');
});

test('a pool of 2 workers gives the same result as 1 worker', async ({ page }) => {
  test.setTimeout(600_000);
  const tiny = {
    v: 1,
    dataset: { trainSize: 300, validationSize: 100 },
    recipe: { epochs: 2, batchSize: 50, peakEpoch: 1 },
    forget: [{ kind: 'random', k: 20 }],
    n: 2,
    extraOracles: 2,
    methods: [
      { id: 'retrain', method: 'retrain' },
      { id: 'dmm', method: 'dmm', params: { epochs: 2 } },
      { id: 'oracle-matching', method: 'oracle-matching', params: { epochs: 2 } },
      { id: 'fine-tune', method: 'fine-tune', params: { epochs: 1 } },
    ],
    attribution: { estimator: 'datamodels', models: 6 },
  };
  const run = async (workers: number) => {
    await page.goto('/harness.html');
    await page.waitForFunction(() => document.title === 'harness ready');
    const choice = await page.evaluate((w) => window.harness.init('wasm', w), workers);
    expect(choice.pool.size).toBe(workers);
    await page.evaluate(() => window.harness.loadEmbedded());
    await page.evaluate(() => window.harness.clearCache()); // every model trained again, by this pool
    return runIn(page, tiny);
  };
  const one = await run(1);
  const two = await run(2);
  expect(one.timing.modelsTrained).toBe(2 + 6 + 4);
  expect(two.timing.modelsTrained).toBe(one.timing.modelsTrained);
  expect(two.environment.workers).toBe(2);
  // Margins, metrics and costs in examples are identical; only wall-clock timings differ.
  const numbers = (r: ExperimentResult) =>
    JSON.stringify({ groups: r.groups, noiseFloor: r.noiseFloor, attribution: r.attribution, splits: r.splits, notes: r.notes }, (k, v) =>
      k === 'seconds' || k === 'timeFractionOfRetraining' ? undefined : v,
    );
  expect(numbers(two)).toBe(numbers(one));
});
