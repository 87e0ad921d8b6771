import fs from 'node:fs';
import { deflateSync, strToU8 } from 'fflate';
import { expect, test } from './fixtures/fixtures';
import { resultSchema, type ExperimentResult } from '../src/engine/experiment/result';
import { setTrainingConfig } from './support';

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

/** A synthetic result in the engine's layout (src/app/lib/resultFixture.ts writes it). */
const readFixture = () => JSON.parse(fs.readFileSync(new URL('./fixtures/result-fixture.json', import.meta.url), 'utf8'));
const makeFixtureResult = () => resultSchema.parse(readFixture()) as ExperimentResult;
const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const jsonFile = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });

const jsonLink = (spec: unknown, extra = '') => `?backend=wasm#json=${encodeURIComponent(JSON.stringify(spec))}${extra}`;

test.describe('the unlearning playground', () => {
  test('preset → forget set by clicking → run → charts show the engine’s numbers → copy link → same spec in a new page', async ({
    playground,
    context,
  }) => {
    const { setup, forgetPicker, run, results, share, page } = playground;
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await playground.open('?backend=wasm');

    // A whole-experiment preset, then shrink it to fit this machine.
    await setup.pickPreset(/^Quick demo/);
    await expect(setup.preset(/^Quick demo/)).toHaveAttribute('aria-pressed', 'true');
    await setup.fillAll({
      'Training images |S|': 150,
      'Validation images |V|': 50,
      Epochs: 1,
      'Batch size': 50,
      'Peak at epoch': 0.5,
      'N (models per side)': 2,
      'Extra oracles (noise floor)': 2,
      'Subset models M': 4,
    });
    await setup.removeMethod('Oracle Matching');
    await setup.removeMethod('Fine-tune on retain');
    await setup.removeMethod('Gradient ascent');
    await setup.openHyperparameters('dmm');
    await setup.fillAll({ Epochs: 1, 'Batch size': 50 }, 'dmm');
    await expect(setup.method('dmm').getByText('edited', { exact: true })).toBeVisible();
    // An impossible value is named next to its field and blocks Run.
    await setup.fill('N (models per side)', 0);
    await expect(setup.fieldError('must be ≥ 1, got 0')).toBeVisible();
    await expect(run.blocker).toContainText('n: must be ≥ 1, got 0');
    await expect(run.button).toBeDisabled();
    await setup.fill('N (models per side)', 2);
    await expect(run.button).toBeEnabled();
    await playground.shot('setup', setup.section);

    // The forget set: clear the preset's random set, tick four images, Ctrl-click a fifth, drag over four more.
    await forgetPicker.clearSelection();
    await forgetPicker.toggleImages([3, 7, 20, 41]);
    await forgetPicker.image(66).click({ modifiers: ['Control'] });
    await expect(forgetPicker.size).toContainText('5 of 150 training images');
    // A plain click inspects: the image is outlined, the forget set stays.
    await forgetPicker.inspect(5);
    await expect(forgetPicker.image(5)).toHaveClass(/\bcurrent\b/);
    await expect(forgetPicker.image(5)).toHaveAttribute('aria-selected', 'false');
    await expect(forgetPicker.size).toContainText('5 of 150 training images');
    await forgetPicker.dragOver([80, 81, 82, 83]);
    await expect(forgetPicker.size).toContainText('9 of 150 training images');
    await expect(forgetPicker.image(82)).toHaveAttribute('aria-selected', 'true');
    // The class filter shows only one class.
    await forgetPicker.filter('Only cat');
    const catLabels = await forgetPicker.shownLabels();
    expect(catLabels.length).toBeGreaterThan(0);
    expect(catLabels.every((l) => /cat/.test(l))).toBe(true);
    await forgetPicker.filter('All training images');
    await playground.shot('forget-set', forgetPicker.section);

    // The URL follows the spec without adding history entries.
    const historyLength = await page.evaluate(() => history.length);
    expect(page.url()).toMatch(/#s=1\./);

    await run.start();
    await expect(run.state).toHaveText(/running/);
    await expect(run.phase('originals')).toBeVisible();
    await playground.shot('run-in-progress', run.section);
    await results.waitFor();
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
    for (const id of ['klom-chart', 'example-chart', 'distribution-chart', 'attribution-chart', 'accuracy-chart', 'cost-chart']) {
      await expect(results.chart(id)).toBeVisible();
      await playground.shot(id, results.chart(id));
    }
    await playground.shot('run-finished', run.section);
    await playground.shot('results-page');

    // The numbers shown are the engine's (compared with the exported result object).
    const result = await results.exportJson();
    expect(result.splits.forget).toEqual([3, 7, 20, 41, 66, 80, 81, 82, 83]);
    expect(result.spec.n).toBe(2);
    expect(result.spec.methods.map((m) => m.id)).toEqual(['do-nothing', 'retrain', 'dmm']);
    await expect(results.klom('dmm', 'forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));
    await expect(results.noiseFloor('retain')).toHaveText(result.noiseFloor.klom.retain.p95.toFixed(3));
    // N = 2 < 32: the small-N distance is shown first, beside its floor, and KLoM says from which N it ranks.
    await expect(results.gkl('dmm', 'forget', 'mean')).toHaveText(result.groups.dmm.gkl!.forget.mean.toFixed(3));
    await expect(results.gkl('noise-floor', 'validation', 'p95')).toHaveText(result.noiseFloor.gkl!.validation.p95.toFixed(3));
    await expect(page.getByTestId('klom-subtitle')).toContainText('ranks methods from N ≈ 32 (forget split)');
    await expect(results.attributionSkill('forget')).toHaveText(result.attribution!.skill.forget.skill.toFixed(3));
    await expect(results.attributionShiftR('forget')).toHaveText(result.attribution!.skill.forget.shiftR.toFixed(3));
    await expect(results.scale).toContainText('N = 2 seeds per side');

    // Clicking an image in the grid inspects it in the margins chart; the forget set and the results stay.
    await forgetPicker.inspect(41);
    await expect(results.exampleInput).toHaveValue('41');
    await expect(results.exampleSplit).toHaveText('Forget (F)');
    await expect(forgetPicker.size).toContainText('9 of 150');
    await expect(page.getByTestId('results-stale')).toHaveCount(0);

    // The guided tour walks the live page.
    await playground.startTour();
    await expect(playground.tour).toContainText('Step 1 of 6');
    await playground.nextTourStep(4);
    await expect(playground.tour).toContainText('KLoM');
    await playground.shot('tour-klom');
    await page.keyboard.press('Escape');
    await expect(playground.tour).toHaveCount(0);

    // Copy link, open it in a new page: the same spec, and the stored results at once.
    await share.copyLink();
    await expect(share.copyStatus).toContainText('copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(await share.link.inputValue());
    const second = await playground.newTab(link);
    await expect(second.share.link).toHaveValue(link);
    await expect(second.setup.field('N (models per side)')).toHaveValue('2');
    await expect(second.setup.field('Training images |S|')).toHaveValue('150');
    await expect(second.forgetPicker.size).toContainText('9 of 150');
    await second.results.waitFor('kept in this browser');
    await expect(second.results.klom('dmm', 'forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));
    // Running it again takes every model from the cache.
    await second.run.start();
    await second.results.waitFor();
    await expect(second.run.cacheHits).not.toHaveText('0 models');
    await expect(second.results.klom('dmm', 'forget')).toHaveText(result.groups.dmm.klom!.forget.p95.toFixed(3));

    // The cache panel counts the cached models; Clear, once confirmed, empties it.
    await expect(second.run.cacheUsage).toHaveText(/^[1-9][\d,]* models?, /);
    await second.run.clearCache();
    await expect(second.run.cacheUsage).toHaveText(/^0 models, /);
  });

  test('a screenshot taller than the viewport leaves the page where it was: the next click lands on its target', async ({ playground }) => {
    const { setup, forgetPicker, page } = playground;
    await page.setViewportSize({ width: 1280, height: 700 });
    await playground.open(jsonLink(tinySpec));
    await expect(forgetPicker.size).toContainText('10 of 150');
    const box = await setup.section.boundingBox();
    expect(box!.height).toBeGreaterThan(page.viewportSize()!.height);
    // Part of the setup section on screen, as after editing a method card.
    await page.evaluate((y) => window.scrollTo(0, y), box!.y + box!.height / 2);
    const before = await page.evaluate(() => window.scrollY);
    await playground.shot('setup-taller-than-viewport', setup.section);
    expect(await page.evaluate(() => window.scrollY)).toBe(before);
    await forgetPicker.clearSelection();
    await expect(forgetPicker.size).toContainText('0 of 150');
  });

  test('the tour: each step scrolls to its own part of the page, its popover lies inside the viewport, and the count is the steps on show', async ({
    playground,
  }) => {
    const { share, results, page } = playground;
    const viewport = page.viewportSize()!;
    const walk = async (steps: number) => {
      await expect(page.getByTestId('start-tour')).toHaveText(`Take the ${steps}-step tour`);
      await playground.startTour();
      for (let k = 1; k <= steps; k++) {
        await expect(playground.tour).toContainText(`Step ${k} of ${steps}`);
        await expect(page.locator('.tour-target')).toBeInViewport();
        const box = (await playground.tour.boundingBox())!;
        const where = `step ${k} of ${steps}: ${JSON.stringify(box)}`;
        expect(box.y, where).toBeGreaterThanOrEqual(0);
        expect(box.x, where).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height, where).toBeLessThanOrEqual(viewport.height);
        expect(box.x + box.width, where).toBeLessThanOrEqual(viewport.width);
        if (k < steps) await playground.nextTourStep();
      }
      await playground.shot(`tour-last-of-${steps}`);
      await page.getByRole('button', { name: 'Done' }).click();
      await expect(playground.tour).toHaveCount(0);
    };
    await playground.open(jsonLink(tinySpec));
    await walk(4); // before any result: no margins, no KLoM
    await share.importFile(jsonFile('results.json', makeFixtureResult()));
    await results.waitFor('imported from a file');
    await walk(6);
  });

  test('charts out of sight are not drawn: no recharts size warning while a model trains on the other tab or an experiment runs', async ({
    playground,
  }) => {
    const { share, results, run, page } = playground;
    const sizeWarnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' && /width\(.*height\(/.test(m.text())) sizeWarnings.push(m.text());
    });
    await playground.open(jsonLink(tinySpec));
    await share.importFile(jsonFile('results.json', makeFixtureResult()));
    await results.waitFor('imported from a file');
    // Training one model re-renders the page on every progress event; the results' charts are on the hidden tab.
    await setTrainingConfig(page, { trainCount: 200, epochs: 2, batchSize: 25 });
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('validation-accuracy')).toBeVisible({ timeout: 200_000 });
    // And back: an experiment's progress, with the training chart on the hidden tab.
    await page.getByRole('tab', { name: 'Unlearning playground' }).click();
    await expect(results.chart('klom-chart').locator('svg.recharts-surface').first()).toBeVisible();
    await run.start();
    await results.waitFor('computed just now');
    expect(sizeWarnings).toEqual([]);
  });

  test('export and import: a results file round-trips without recomputing; wrong files get a clear message', async ({
    playground,
  }, testInfo) => {
    const { setup, run, results, share, page } = playground;
    const fixture = makeFixtureResult();
    await playground.open('?backend=wasm');
    await share.importFile(jsonFile('results.json', fixture));
    await results.waitFor('imported from a file');
    await expect(results.klom('dmm', 'forget')).toHaveText(fixture.groups.dmm.klom!.forget.p95.toFixed(3));
    await expect(results.warnings).toContainText('damages the model');
    // The controls now show the imported experiment.
    await expect(setup.field('N (models per side)')).toHaveValue('3');
    await expect(run.state).toHaveCount(0);
    // The story sentence is generated from the numbers shown (GKL at this N): DMM's forget-split distance.
    await expect(page.getByTestId('results-story')).toContainText(`Datamodel Matching`);
    await expect(page.getByTestId('results-story')).toContainText(`GKL mean ${fixture.groups.dmm.gkl!.forget.mean.toFixed(3)}`);
    // DMM against attribution skill: the shipped study's rows beside this experiment's own point.
    const study = JSON.parse(fs.readFileSync(new URL('../public/studies/dmm-vs-skill.json', import.meta.url), 'utf8'));
    const skillTable = page.getByTestId('dmm-vs-skill-table');
    await expect(skillTable.locator('tbody tr')).toHaveCount(study.points.length + 1);
    await expect(skillTable).toContainText('100 subset models, diagonal terms');
    await expect(skillTable.locator('tbody tr').last()).toContainText(fixture.attribution!.skill.forget.skill.toFixed(2));

    expect(await results.exportJson()).toEqual(resultSchema.parse(JSON.parse(JSON.stringify(fixture))));
    const csvText = await results.exportCsv();
    expect(csvText.split('\r\n')[0]).toMatch(/^request,group,label,method,split/);
    expect(csvText).toContain(`dmm,Datamodel Matching,dmm,forget,5,`);

    // Each chart saves as SVG and PNG.
    const svgText = fs.readFileSync(await (await results.saveChart('KLoM per split', 'SVG')).path(), 'utf8');
    expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('KLoM per split');
    const pngFile = await results.saveChart('KLoM per split', 'PNG');
    expect(pngFile.suggestedFilename()).toMatch(/klom\.png$/);
    const pngBytes = fs.readFileSync(await pngFile.path());
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    await testInfo.attach('exported-klom.png', { body: pngBytes, contentType: 'image/png' });
    fs.writeFileSync(testInfo.outputPath('exported-klom.png'), pngBytes);
    // The small multiples export as one picture too.
    const multiplesSvg = fs.readFileSync(await (await results.saveChart('One example’s margins', 'SVG')).path(), 'utf8');
    const viewer = await page.context().newPage();
    await viewer.setContent(`<body style="margin:0">${multiplesSvg}</body>`);
    await playground.shot('exported-example-svg', viewer.locator('svg').first());
    await viewer.close();

    // Wrong files: named, and what is shown stays.
    await share.importFile({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    await expect(share.importError).toContainText('holiday.png is not a results file: it is not JSON');
    const broken = { ...fixture, groups: { ...fixture.groups, dmm: { ...fixture.groups.dmm, margins: [[1, 2]] } } };
    await share.importFile(jsonFile('cut.json', broken));
    await expect(share.importError).toContainText(
      'cut.json is inconsistent: groups.dmm.margins[0]: has 2 margins, expected one per example (60)',
    );
    await expect(results.source).toContainText('imported from a file');
    await expect(results.klom('dmm', 'forget')).toHaveText(fixture.groups.dmm.klom!.forget.p95.toFixed(3));
    await playground.shot('imported-results');
  });

  test('a visit without a link, and its reloads, are not greeted as an opened link; a link in a new tab is', async ({ playground }) => {
    const { page, setup } = playground;
    await playground.open('?backend=wasm');
    await expect(page).toHaveURL(/#s=1\./); // the page writes its experiment into the address bar
    await expect(playground.linkNotice).toHaveCount(0);
    await setup.fill('N (models per side)', 3);
    await expect(page).toHaveURL(/#s=1\./);
    // A reload (the user's, or the dev server's after it bundles a late dependency) finds the page's own hash.
    await page.reload();
    await playground.waitForDataset();
    await expect(setup.field('N (models per side)')).toHaveValue('3');
    await expect(playground.linkNotice).toHaveCount(0);
    // The same address opened in another tab is a link.
    const other = await playground.newTab(page.url());
    await expect(other.linkNotice).toContainText('Opened the experiment in the link');
  });

  test('broken and hostile links: a message naming the problem, a working default, nothing lost', async ({ playground }) => {
    const { setup, run, page } = playground;
    page.on('dialog', (d) => {
      throw new Error(`a link opened a dialog: ${d.message()}`);
    });
    // The user's own experiment, kept from an earlier visit.
    await playground.open(jsonLink({ ...tinySpec, dataset: { ...tinySpec.dataset, trainSize: 123 } }));
    await expect(setup.field('Training images |S|')).toHaveValue('123');
    await expect(page).toHaveURL(/#s=1\./);

    const pack = (json: string) => `1.${toBase64Url(deflateSync(strToU8(json)))}`;
    const cases: [string, string, RegExp][] = [
      ['garbage', '#s=1.%%%garbage***', /could not be opened: the experiment data contains "%"/],
      [
        'cut off',
        `#s=${pack(JSON.stringify(tinySpec)).slice(0, 40)}`,
        /could not be opened: the experiment data (is damaged|has an impossible length)/,
      ],
      ['huge', `#s=1.${'A'.repeat(250_000)}`, /too long to be an experiment/],
      ['newer spec version', `#s=${pack(JSON.stringify({ ...tinySpec, v: 3 }))}`, /newer version of the playground \(spec version 3\)/],
      ['newer link format', '#s=9.abc', /newer version of the playground \(link format 9\)/],
      ['invalid field', `#s=${pack(JSON.stringify({ ...tinySpec, n: 1000 }))}`, /n: must be ≤ 100, got 1000/],
      ['bomb', `#s=1.${toBase64Url(deflateSync(new Uint8Array(5_000_000).fill(32), { level: 9 }))}`, /expands to more than/],
    ];
    for (const [name, hash, message] of cases) {
      await page.goto(`/?backend=wasm${hash}`);
      await expect(playground.linkNotice, name).toContainText(message, { timeout: 120_000 });
      await playground.waitForDataset();
      // A working default experiment: the quick demo, runnable.
      await expect(setup.field('Training images |S|')).toHaveValue('1000');
      await expect(run.button).toBeEnabled();
      if (name === 'garbage') await playground.shot('broken-link');
    }
    // Nothing was lost: the last experiment can be restored, and the broken link stayed in the address bar until then.
    expect(new URL(page.url()).hash).toBe(cases[cases.length - 1][1]);
    await playground.restoreLastExperiment();
    await expect(setup.field('Training images |S|')).toHaveValue('123');

    // Hostile text in a valid spec is shown as text, never run as markup.
    const hostile = { ...tinySpec, methods: [{ id: '<img src=x onerror=alert(1)>', method: 'do-nothing' }] };
    await playground.openLink(`/${jsonLink(hostile)}`);
    await expect(page.getByText('<img src=x onerror=alert(1)>', { exact: true })).toBeVisible();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
  });

  test('a version-1 link keeps its published settings; the Settings select switches a method to the tuned ones', async ({ playground }) => {
    const { page } = playground;
    await playground.open(jsonLink(tinySpec));
    const card = page.getByTestId('method-dmm');
    await expect(card.getByLabel('Settings')).toHaveValue('published');
    await playground.setup.openHyperparameters('dmm');
    await expect(card.getByLabel('Learning rate')).toHaveValue('0.0001');
    await expect(card.getByLabel('Epochs')).toHaveValue('1'); // the link's own value wins over the published one
    await card.getByLabel('Settings').selectOption('browser');
    await expect(card.getByLabel('Learning rate')).toHaveValue('0.003');
    await expect(card.getByLabel('Batch size')).toHaveValue('32');
    await expect(card.getByText(/^Browser scale: .*tuning run/)).toBeVisible();
    await expect(card.getByRole('button', { name: /Reset to the browser-scale values/ })).toBeDisabled();
  });

  test('keyboard only: pick images in the grid and run', async ({ playground }) => {
    const { forgetPicker, results, page } = playground;
    await playground.open(jsonLink({ ...tinySpec, forget: [{ kind: 'indices', indices: [0] }] }));
    await expect(forgetPicker.size).toContainText('1 of 150');
    const focusOn = async (testId: string, what: string) => {
      for (let k = 0; k < 300; k++) {
        if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testId)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await focusOn('image-grid', 'the image grid');
    // Visible focus.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Space'); // image 0 out
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space'); // image 1 in
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space'); // the image below in
    await page.keyboard.press('Shift+ArrowRight'); // and the next one
    await expect(forgetPicker.size).toContainText('3 of 150');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter'); // inspects the next one, which stays out
    await expect(page.locator('.grid-cell.current')).toHaveAttribute('aria-selected', 'false');
    await expect(forgetPicker.size).toContainText('3 of 150');
    await playground.shot('keyboard-grid', forgetPicker.section);

    await focusOn('run-experiment', 'Run');
    await page.keyboard.press('Enter');
    await results.waitFor();
    const result = await results.exportJson();
    expect(result.splits.forget).toHaveLength(3);
    expect(result.splits.forget[0]).toBe(1);
  });

  test('skip links come first: Tab reaches “Skip to forget set”, Enter puts focus in the image grid; the page has landmarks', async ({
    playground,
  }) => {
    const { page } = playground;
    await playground.open(jsonLink(tinySpec));
    await expect(playground.forgetPicker.size).toContainText('10 of 150');
    const focused = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.textContent?.trim());
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to forget set');
    await expect(page.getByRole('link', { name: 'Skip to forget set' })).toBeInViewport();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to results');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    // Focus moves on the next frame (after the playground tab has rendered).
    await expect.poll(focused).toBe('image-grid');
    await expect(page.getByTestId('image-grid')).toBeInViewport();
    // From the grid, Space selects: the keyboard user is where the work is.
    await page.keyboard.press('Space');
    await expect(playground.forgetPicker.size).toContainText(/(9|11) of 150/);

    // Landmarks: the skip links' navigation, one main, named regions for the steps.
    await expect(page.getByRole('navigation', { name: 'Skip links' })).toHaveCount(1);
    await expect(page.getByRole('main')).toHaveCount(1);
    for (const name of ['Dataset', '2 · Pick the forget set', '3 · Run and watch', '4 · Results']) {
      await expect(page.getByRole('region', { name })).toHaveCount(1);
    }
    // Skip to results lands on the results heading.
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: '4 · Results' })).toBeFocused();
  });

  test('embed mode hides the chosen controls; the page works at tablet and 1024 px widths', async ({ playground }) => {
    const { setup, forgetPicker, run, page } = playground;
    await page.goto(`/${jsonLink(tinySpec, '&embed=1&hide=setup,methods,train,dataset')}`);
    await expect(forgetPicker.size).toContainText('10 of 150', { timeout: 120_000 });
    await expect(playground.datasetSummary).toHaveCount(0);
    await expect(setup.field('N (models per side)')).toHaveCount(0);
    await expect(page.getByRole('tab', { name: 'Train one model' })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: '2 · Pick the forget set' })).toBeVisible();
    await expect(run.button).toBeVisible();
    await playground.shot('embed');
    // Continual unlearning: a later deletion request, drawn from what is left.
    await forgetPicker.addLaterRequest();
    await expect(forgetPicker.request(2)).toHaveAttribute('aria-pressed', 'true');
    await expect(forgetPicker.size).toContainText('10 of 150 training images');
    await expect(run.phase('oracles-1')).toBeVisible();
    await forgetPicker.removeRequest(2);
    await expect(forgetPicker.request(2)).toHaveCount(0);

    for (const [width, height] of [
      [1024, 768],
      [820, 1180],
    ]) {
      await page.setViewportSize({ width, height });
      await playground.openLink(`/${jsonLink(tinySpec)}`);
      await expect(forgetPicker.size).toContainText('10 of 150');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      await playground.shot(`width-${width}`);
    }
  });
});
