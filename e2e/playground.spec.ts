import fs from 'node:fs';
import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { deflateSync, strToU8 } from 'fflate';
import { openApp, screenshot } from './support';

/**
 * The playground end to end, on WASM with experiments small enough for a 2-core machine without a GPU
 * (150 training images, 1 epoch, N = 2, 4 subset models: about 15 s per run).
 */

const tinySpec = {
  v: 1,
  dataset: { source: 'embedded', trainSize: 150, validationSize: 50 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 1, batchSize: 50, peakLr: 0.05, peakEpoch: 0.5 },
  forget: [{ kind: 'random', k: 10, seed: 0 }],
  n: 2,
  extraOracles: 2,
  methods: [
    { id: 'do-nothing', method: 'do-nothing' },
    { id: 'retrain', method: 'retrain' },
    { id: 'dmm', method: 'dmm', params: { epochs: 1, batchSize: 50 } },
  ],
  attribution: { estimator: 'datamodels', models: 4 },
  metrics: ['klom', 'accuracy', 'mia', 'cost'],
  seed: 0,
};

/** The parts of an ExperimentResult (src/engine/experiment/result.ts) these tests read. */
interface KlomSummary {
  p95: number;
}
interface ExperimentResult {
  spec: { n: number; methods: { id: string }[] };
  splits: { forget: number[] };
  groups: Record<string, { klom?: Record<'forget' | 'retain' | 'validation', KlomSummary>; margins: number[][] }>;
  noiseFloor: { klom: Record<'forget' | 'retain' | 'validation', KlomSummary> };
  attribution?: { quality: Record<'forget' | 'retain' | 'validation', number> };
}

/** A synthetic result in the engine's layout (src/app/lib/resultFixture.ts writes it). */
const makeFixtureResult = () => JSON.parse(fs.readFileSync(new URL('./fixtures/result-fixture.json', import.meta.url), 'utf8')) as ExperimentResult;
const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

const jsonLink = (spec: unknown, extra = '') => `?backend=wasm#json=${encodeURIComponent(JSON.stringify(spec))}${extra}`;

async function shot(target: Locator, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

const section = (page: Page, heading: string) => page.locator('section', { has: page.locator(`#${heading}`) });

async function fillNumber(page: Page, name: string, value: number, scope: Page | Locator = page): Promise<void> {
  await scope.getByRole('spinbutton', { name, exact: true }).fill(String(value));
}

async function exportResult(page: Page): Promise<{ result: ExperimentResult; path: string }> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const file = await download;
  const path = await file.path();
  return { result: JSON.parse(fs.readFileSync(path, 'utf8')) as ExperimentResult, path };
}

async function waitForResults(page: Page, source: RegExp | string = 'computed just now'): Promise<void> {
  await expect(page.getByTestId('results-source')).toContainText(source, { timeout: 240_000 });
}

test.describe('the unlearning playground', () => {
  test('preset → forget set by clicking → run → charts show the engine’s numbers → copy link → same spec in a new page', async ({ page, context }, testInfo) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openApp(page, '?backend=wasm');

    // A whole-experiment preset, then shrink it to fit this machine.
    await page.getByRole('button', { name: /^Quick demo/ }).click();
    await expect(page.getByRole('button', { name: /^Quick demo/ })).toHaveAttribute('aria-pressed', 'true');
    await fillNumber(page, 'Training images |S|', 150);
    await fillNumber(page, 'Validation images |V|', 50);
    await fillNumber(page, 'Epochs', 1);
    await fillNumber(page, 'Batch size', 50);
    await fillNumber(page, 'Peak at epoch', 0.5);
    await fillNumber(page, 'N (models per side)', 2);
    await fillNumber(page, 'Extra oracles (noise floor)', 2);
    await fillNumber(page, 'Subset models M', 4);
    await page.getByRole('button', { name: 'Remove Fine-tune on retain' }).click();
    await page.getByRole('button', { name: 'Remove Gradient ascent' }).click();
    const dmm = page.getByTestId('method-dmm');
    await dmm.getByText('Hyperparameters').click();
    await fillNumber(page, 'Epochs', 1, dmm);
    await fillNumber(page, 'Batch size', 50, dmm);
    await expect(dmm.getByText('edited', { exact: true })).toBeVisible();
    // An impossible value is named next to its field and blocks Run.
    await fillNumber(page, 'N (models per side)', 0);
    await expect(page.getByText('must be ≥ 1, got 0', { exact: true })).toBeVisible();
    await expect(page.getByTestId('run-blocker')).toContainText('n: must be ≥ 1, got 0');
    await expect(page.getByTestId('run-experiment')).toBeDisabled();
    await fillNumber(page, 'N (models per side)', 2);
    await expect(page.getByTestId('run-experiment')).toBeEnabled();
    await shot(section(page, 'setup-heading'), testInfo, 'setup');

    // The forget set: clear the preset's random set, click five images, drag over four more.
    await page.getByRole('button', { name: 'Clear selection' }).click();
    for (const i of [3, 7, 20, 41, 66]) await page.locator(`#grid-image-${i}`).click();
    await expect(page.getByTestId('forget-size')).toContainText('5 of 150 training images');
    await page.locator('#grid-image-80').hover();
    await page.mouse.down();
    for (const i of [81, 82, 83]) await page.locator(`#grid-image-${i}`).hover();
    await page.mouse.up();
    await expect(page.getByTestId('forget-size')).toContainText('9 of 150 training images');
    await expect(page.locator('#grid-image-82')).toHaveAttribute('aria-selected', 'true');
    // The class filter shows only one class.
    await page.getByTestId('grid-filter').selectOption({ label: 'Only cat' });
    const catLabels = await page.locator('[role=option]').evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
    expect(catLabels.length).toBeGreaterThan(0);
    expect(catLabels.every((l) => /cat/.test(l))).toBe(true);
    await page.getByTestId('grid-filter').selectOption({ label: 'All training images' });
    await shot(section(page, 'forget-heading'), testInfo, 'forget-set');

    // The URL follows the spec without adding history entries.
    const historyLength = await page.evaluate(() => history.length);
    expect(page.url()).toMatch(/#s=1\./);

    await page.getByTestId('run-experiment').click();
    await expect(page.getByTestId('experiment-state')).toHaveText(/running/);
    await expect(page.getByTestId('phase-originals')).toBeVisible();
    await shot(section(page, 'run-heading'), testInfo, 'run-in-progress');
    await waitForResults(page);
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
    for (const id of ['klom-chart', 'example-chart', 'distribution-chart', 'attribution-chart', 'accuracy-chart', 'cost-chart']) {
      await expect(page.getByTestId(id)).toBeVisible();
      await shot(page.getByTestId(id), testInfo, id);
    }
    await shot(section(page, 'run-heading'), testInfo, 'run-finished');
    await screenshot(page, testInfo, 'results-page');

    // The numbers shown are the engine's (compared with the exported result object).
    const { result } = await exportResult(page);
    expect(result.splits.forget).toEqual([3, 7, 20, 41, 66, 80, 81, 82, 83]);
    expect(result.spec.n).toBe(2);
    expect(result.spec.methods.map((m) => m.id)).toEqual(['do-nothing', 'retrain', 'dmm']);
    await expect(page.getByTestId('klom-dmm-forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));
    await expect(page.getByTestId('klom-noise-floor-retain')).toHaveText(result.noiseFloor.klom.retain.p95.toFixed(3));
    await expect(page.getByTestId('attribution-quality-forget')).toHaveText(result.attribution!.quality.forget.toFixed(3));
    await expect(page.getByTestId('results-scale')).toContainText('N = 2 seeds per side');

    // Clicking an image in the grid inspects it in the margins chart.
    await page.getByRole('radio', { name: 'Click only inspects' }).check();
    await page.locator('#grid-image-41').click();
    await expect(page.getByTestId('example-input')).toHaveValue('41');
    await expect(page.getByTestId('example-split')).toHaveText('Forget (F)');
    await expect(page.getByTestId('forget-size')).toContainText('9 of 150');

    // The guided tour walks the live page.
    await page.getByTestId('start-tour').click();
    await expect(page.getByTestId('tour')).toContainText('Step 1 of 6');
    for (let k = 0; k < 4; k++) await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByTestId('tour')).toContainText('KLoM');
    await screenshot(page, testInfo, 'tour-klom');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('tour')).toHaveCount(0);

    // Copy link, open it in a new page: the same spec, and the stored results at once.
    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('copy-status')).toContainText('copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(await page.getByTestId('share-link').inputValue());
    const second = await context.newPage();
    await second.goto(link);
    await expect(second.getByTestId('dataset-summary')).toBeVisible({ timeout: 120_000 });
    await expect(second.getByTestId('share-link')).toHaveValue(link);
    await expect(second.getByRole('spinbutton', { name: 'N (models per side)', exact: true })).toHaveValue('2');
    await expect(second.getByRole('spinbutton', { name: 'Training images |S|', exact: true })).toHaveValue('150');
    await expect(second.getByTestId('forget-size')).toContainText('9 of 150');
    await waitForResults(second, 'kept in this browser');
    await expect(second.getByTestId('klom-dmm-forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));
    // Running it again takes every model from the cache.
    await second.getByTestId('run-experiment').click();
    await waitForResults(second);
    await expect(second.getByTestId('cache-hits')).not.toHaveText('0 models');
    await expect(second.getByTestId('klom-dmm-forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));

    // The cache panel counts the cached models; Clear, once confirmed, empties it.
    await expect(second.getByTestId('cache-usage')).toHaveText(/^[1-9][\d,]* models?, /);
    await second.getByTestId('cache-clear').click();
    await second.getByTestId('cache-clear-yes').click();
    await expect(second.getByTestId('cache-usage')).toHaveText(/^0 models, /);
  });

  test('export and import: a results file round-trips without recomputing; wrong files get a clear message', async ({ page }, testInfo) => {
    const fixture = makeFixtureResult();
    await openApp(page, '?backend=wasm');
    await page.getByLabel('Import results JSON').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(fixture)) });
    await waitForResults(page, 'imported from a file');
    await expect(page.getByTestId('klom-dmm-forget')).toHaveText(fixture.groups.dmm.klom!.forget.p95.toFixed(3));
    await expect(page.getByTestId('result-warnings')).toContainText('damages the model');
    // The controls now show the imported experiment.
    await expect(page.getByRole('spinbutton', { name: 'N (models per side)', exact: true })).toHaveValue('3');
    await expect(page.getByTestId('experiment-state')).toHaveCount(0);

    const { result } = await exportResult(page);
    expect(result).toEqual(JSON.parse(JSON.stringify(fixture)));
    const csv = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csvText = fs.readFileSync(await (await csv).path(), 'utf8');
    expect(csvText.split('\r\n')[0]).toMatch(/^request,group,label,method,split/);
    expect(csvText).toContain(`dmm,Datamodel Matching,dmm,forget,5,`);

    // Each chart saves as SVG and PNG.
    const svg = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save KLoM per split as SVG' }).click();
    const svgText = fs.readFileSync(await (await svg).path(), 'utf8');
    expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('KLoM per split');
    const png = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save KLoM per split as PNG' }).click();
    const pngFile = await png;
    expect(pngFile.suggestedFilename()).toMatch(/klom\.png$/);
    const pngBytes = fs.readFileSync(await pngFile.path());
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    await testInfo.attach('exported-klom.png', { body: pngBytes, contentType: 'image/png' });
    fs.writeFileSync(testInfo.outputPath('exported-klom.png'), pngBytes);
    // The small multiples export as one picture too.
    const multiples = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save One example’s margins as SVG' }).click();
    const multiplesSvg = fs.readFileSync(await (await multiples).path(), 'utf8');
    const viewer = await page.context().newPage();
    await viewer.setContent(`<body style="margin:0">${multiplesSvg}</body>`);
    await shot(viewer.locator('svg').first(), testInfo, 'exported-example-svg');
    await viewer.close();

    // Wrong files: named, and what is shown stays.
    await page.getByLabel('Import results JSON').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    await expect(page.getByTestId('import-error')).toContainText('holiday.png is not a results file: it is not JSON');
    const broken = { ...fixture, groups: { ...fixture.groups, dmm: { ...fixture.groups.dmm, margins: [[1, 2]] } } };
    await page.getByLabel('Import results JSON').setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await expect(page.getByTestId('import-error')).toContainText('cut.json is inconsistent: groups.dmm.margins[0]: has 2 margins, expected one per example (60)');
    await expect(page.getByTestId('results-source')).toContainText('imported from a file');
    await expect(page.getByTestId('klom-dmm-forget')).toHaveText(fixture.groups.dmm.klom!.forget.p95.toFixed(3));
    await screenshot(page, testInfo, 'imported-results');
  });

  test('broken and hostile links: a message naming the problem, a working default, nothing lost', async ({ page }, testInfo) => {
    page.on('dialog', (d) => {
      throw new Error(`a link opened a dialog: ${d.message()}`);
    });
    // The user's own experiment, kept from an earlier visit.
    await openApp(page, jsonLink({ ...tinySpec, dataset: { ...tinySpec.dataset, trainSize: 123 } }));
    await expect(page.getByRole('spinbutton', { name: 'Training images |S|', exact: true })).toHaveValue('123');
    await expect(page).toHaveURL(/#s=1\./);

    const pack = (json: string) => `1.${toBase64Url(deflateSync(strToU8(json)))}`;
    const cases: [string, string, RegExp][] = [
      ['garbage', '#s=1.%%%garbage***', /could not be opened: the experiment data contains "%"/],
      ['cut off', `#s=${pack(JSON.stringify(tinySpec)).slice(0, 40)}`, /could not be opened: the experiment data (is damaged|has an impossible length)/],
      ['huge', `#s=1.${'A'.repeat(250_000)}`, /too long to be an experiment/],
      ['newer spec version', `#s=${pack(JSON.stringify({ ...tinySpec, v: 2 }))}`, /newer version of the playground \(spec version 2\)/],
      ['newer link format', '#s=9.abc', /newer version of the playground \(link format 9\)/],
      ['invalid field', `#s=${pack(JSON.stringify({ ...tinySpec, n: 1000 }))}`, /n: must be ≤ 100, got 1000/],
      ['bomb', `#s=1.${toBase64Url(deflateSync(new Uint8Array(5_000_000).fill(32), { level: 9 }))}`, /expands to more than/],
    ];
    for (const [name, hash, message] of cases) {
      await page.goto(`/?backend=wasm${hash}`);
      await expect(page.getByTestId('link-notice'), name).toContainText(message, { timeout: 120_000 });
      await expect(page.getByTestId('dataset-summary')).toBeVisible({ timeout: 120_000 });
      // A working default experiment: the quick demo, runnable.
      await expect(page.getByRole('spinbutton', { name: 'Training images |S|', exact: true })).toHaveValue('1000');
      await expect(page.getByTestId('run-experiment')).toBeEnabled();
      if (name === 'garbage') await screenshot(page, testInfo, 'broken-link');
    }
    // Nothing was lost: the last experiment can be restored, and the broken link stayed in the address bar until then.
    expect(new URL(page.url()).hash).toBe(cases[cases.length - 1][1]);
    await page.getByRole('button', { name: 'Restore my last experiment' }).click();
    await expect(page.getByRole('spinbutton', { name: 'Training images |S|', exact: true })).toHaveValue('123');

    // Hostile text in a valid spec is shown as text, never run as markup.
    const hostile = { ...tinySpec, methods: [{ id: '<img src=x onerror=alert(1)>', method: 'do-nothing' }] };
    await page.goto(`/${jsonLink(hostile)}`);
    await expect(page.getByTestId('dataset-summary')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByText('<img src=x onerror=alert(1)>', { exact: true })).toBeVisible();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
  });

  test('keyboard only: pick images in the grid and run', async ({ page }, testInfo) => {
    await openApp(page, jsonLink({ ...tinySpec, forget: [{ kind: 'indices', indices: [0] }] }));
    await expect(page.getByTestId('forget-size')).toContainText('1 of 150');
    const focusOn = async (isTarget: () => Promise<boolean>, what: string) => {
      for (let k = 0; k < 300; k++) {
        if (await isTarget()) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await focusOn(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'image-grid'), 'the image grid');
    // Visible focus.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Space'); // image 0 out
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space'); // image 1 in
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter'); // the image below in
    await page.keyboard.press('Shift+ArrowRight'); // and the next one
    await expect(page.getByTestId('forget-size')).toContainText('3 of 150');
    await shot(section(page, 'forget-heading'), testInfo, 'keyboard-grid');

    await focusOn(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'run-experiment'), 'Run');
    await page.keyboard.press('Enter');
    await waitForResults(page);
    const { result } = await exportResult(page);
    expect(result.splits.forget).toHaveLength(3);
    expect(result.splits.forget[0]).toBe(1);
  });

  test('embed mode hides the chosen controls; the page works at tablet and 1024 px widths', async ({ page }, testInfo) => {
    await page.goto(`/${jsonLink(tinySpec, '&embed=1&hide=setup,methods,train,dataset')}`);
    await expect(page.getByTestId('forget-size')).toContainText('10 of 150', { timeout: 120_000 });
    await expect(page.getByTestId('dataset-summary')).toHaveCount(0);
    await expect(page.getByRole('spinbutton', { name: 'N (models per side)', exact: true })).toHaveCount(0);
    await expect(page.getByRole('tab', { name: 'Train one model' })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: '2 · Pick the forget set' })).toBeVisible();
    await expect(page.getByTestId('run-experiment')).toBeVisible();
    await screenshot(page, testInfo, 'embed');
    // Continual unlearning: a later deletion request, drawn from what is left.
    await page.getByRole('button', { name: '+ Add a later request' }).click();
    await expect(page.getByRole('button', { name: 'Request 2', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('forget-size')).toContainText('10 of 150 training images');
    await expect(page.getByTestId('phase-oracles-1')).toBeVisible();
    await page.getByRole('button', { name: 'Remove request 2' }).click();
    await expect(page.getByRole('button', { name: 'Request 2', exact: true })).toHaveCount(0);

    for (const [width, height] of [
      [1024, 768],
      [820, 1180],
    ]) {
      await page.setViewportSize({ width, height });
      await page.goto(`/${jsonLink(tinySpec)}`);
      await expect(page.getByTestId('dataset-summary')).toBeVisible({ timeout: 120_000 });
      await expect(page.getByTestId('forget-size')).toContainText('10 of 150');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      await screenshot(page, testInfo, `width-${width}`);
    }
  });
});
