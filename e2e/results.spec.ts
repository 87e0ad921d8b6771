import fs from 'node:fs';
import { expect, test } from './fixtures/fixtures';
import { resultSchema, type ExperimentResult } from '../src/engine/experiment/result';

/**
 * The results page read as a learner reads it: the headline (sentences and the chart they come from) first, with
 * the engine's numbers; from a ready result (e2e/fixtures/result-fixture.json, N = 3), no training.
 */

const fixtureText = fs.readFileSync(new URL('./fixtures/result-fixture.json', import.meta.url), 'utf8');
const fixture = resultSchema.parse(JSON.parse(fixtureText)) as ExperimentResult;
const fixtureFile = { name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(fixtureText) };

// At N = 3 the headline is GKL's mean on the forget split; the floor's band spans its forget and validation values.
const gkl = fixture.noiseFloor.gkl!;
const floor = { lo: Math.min(gkl.forget.mean, gkl.validation.mean), hi: Math.max(gkl.forget.mean, gkl.validation.mean) };
const nothing = fixture.groups.original.gkl!.forget.mean;
const dmm = fixture.groups.dmm.gkl!.forget.mean;

test.describe('the results page', () => {
  test('the headline: sentences with the engine’s numbers above a best-first chart with the floor band, do-nothing line and costs', async ({
    playground,
  }) => {
    const { page, share, results } = playground;
    await playground.open('?backend=wasm');
    await share.importFile(fixtureFile);
    await results.waitFor('imported from a file');

    const chart = results.chart('headline-chart');
    await expect(chart).toBeVisible();
    const band = chart.getByTestId('headline-floor-band');
    await expect(band).toHaveAttribute('data-lo', String(floor.lo));
    await expect(band).toHaveAttribute('data-hi', String(floor.hi));
    await expect(chart.getByTestId('headline-nothing-line')).toHaveAttribute('data-value', String(nothing));
    // Methods best first (doing nothing is the line), each with its engine number and cost.
    const rows = chart.locator('[data-testid=headline-table] tbody tr');
    await expect(rows).toHaveCount(3);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-group')))).toEqual(['dmm', 'retrain', 'gradient-ascent']);
    await expect(chart.getByTestId('headline-dmm-value')).toHaveText(dmm.toFixed(3), { useInnerText: false });
    await expect(chart.getByTestId('headline-dmm-cost')).toHaveText(
      `${fixture.groups.dmm.cost!.fractionOfRetraining.toFixed(3)} (${fixture.groups.dmm.cost!.fractionWithAttribution!.toFixed(3)} with attribution)`,
      { useInnerText: false },
    );
    await expect(chart).toContainText(`cost 12 % of retraining (50 % with attribution)`);

    // The sentences sit right above the chart and quote the same numbers.
    const story = page.getByTestId('results-story');
    await expect(story).toContainText(`Datamodel Matching lands below the noise floor`);
    await expect(story).toContainText(`GKL mean ${dmm.toFixed(3)}; noise floor ${floor.lo.toFixed(3)}–${floor.hi.toFixed(3)}`);
    await expect(story).toContainText(`doing nothing ${nothing.toFixed(3)}`);
    await expect(story).toContainText('Gradient ascent ends further from retraining than doing nothing');
    const [storyBox, chartBox] = [await story.boundingBox(), await chart.boundingBox()];
    expect(chartBox!.y).toBeGreaterThan(storyBox!.y);
    expect(chartBox!.y - (storyBox!.y + storyBox!.height)).toBeLessThan(40);
    await playground.shot('headline', page.getByTestId('results-headline'));
  });

  test('on a 390 px phone the whole page fits the screen and the charts keep their labels', async ({ playground }) => {
    const { page, share, results } = playground;
    await page.setViewportSize({ width: 390, height: 844 });
    await playground.open('?backend=wasm');
    await share.importFile(fixtureFile);
    await results.waitFor('imported from a file');
    const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - innerWidth);
    expect(overflow, 'horizontal overflow at 390 px').toBeLessThanOrEqual(0);
    // Every chart, the headline first, lies within the screen's width.
    for (const id of ['headline-chart', 'gkl-chart', 'klom-chart', 'accuracy-chart', 'cost-chart']) {
      const box = (await results.chart(id).boundingBox())!;
      expect(box.x, id).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, id).toBeLessThanOrEqual(390);
    }
    await page.getByRole('heading', { name: '4 · Results' }).scrollIntoViewIfNeeded();
    await expect(results.chart('headline-chart')).toBeInViewport();
    // Each group keeps its name, even one whose bars are all but empty (Gradient ascent's forget accuracy is 0).
    await expect(results.chart('accuracy-chart').locator('svg text', { hasText: 'Gradient ascent' })).toHaveCount(1);
    await expect(results.chart('headline-chart').locator('svg text', { hasText: 'Datamodel Matching' })).toHaveCount(1);
    await page.getByRole('heading', { name: '4 · Results' }).evaluate((h) => h.scrollIntoView());
    await playground.shot('phone-results', page.getByTestId('results-headline'));
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    test(`a lesson link (embed=1) at ${width}×${height}: progress, then the headline, on the first screen`, async ({ playground }) => {
      const { page, share, results, run } = playground;
      await page.setViewportSize({ width, height });
      const link = `?backend=wasm#json=${encodeURIComponent(JSON.stringify(fixture.spec))}&embed=1`;
      await playground.openLink(`/${link}`);
      await expect(run.button).toBeVisible();
      // The result a lesson shows once its run ends (here: imported, the same view).
      await share.importFile(fixtureFile);
      await results.waitFor('imported from a file');
      await page.evaluate(() => window.scrollTo(0, 0));
      const runTop = (await page.getByRole('heading', { name: '3 · Run and watch' }).boundingBox())!.y;
      const resultsTop = (await page.getByRole('heading', { name: '4 · Results' }).boundingBox())!.y;
      const setupTop = (await page.getByRole('heading', { name: '1 · Set up the experiment' }).boundingBox())!.y;
      expect(runTop).toBeLessThan(resultsTop);
      expect(resultsTop).toBeLessThan(setupTop);
      const chart = (await results.chart('headline-chart').boundingBox())!;
      expect(chart.y + 60, 'the headline chart and its title start on the first screen').toBeLessThan(height);
      // The finished phases fold away under their summary; the controls follow the results.
      await expect(page.getByTestId('phase-fold')).toBeVisible();
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
      await playground.shot(`embed-${width}`);
    });
  }
});
