import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

/** Opens the app and waits until the engine has a backend and a dataset. */
export async function openApp(page: Page, query = ''): Promise<void> {
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  await page.goto(`/${query}`);
  await expect(page.getByTestId('backend-name')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('dataset-summary')).toBeVisible({ timeout: 120_000 });
}

export interface TinyConfig {
  trainCount: number;
  epochs: number;
  batchSize: number;
  peakLr?: number;
  peakEpoch?: number;
}

/** The single-model training panel lives on the “Train one model” tab. */
export async function showTrainingTab(page: Page): Promise<void> {
  const tab = page.getByRole('tab', { name: 'Train one model' });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** Fills the training form with a configuration small enough for a CPU-only machine. */
export async function setTrainingConfig(page: Page, c: TinyConfig): Promise<void> {
  await showTrainingTab(page);
  await page.getByRole('spinbutton', { name: 'Training images' }).fill(String(c.trainCount));
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill(String(c.epochs));
  await page.getByRole('spinbutton', { name: 'Batch size' }).fill(String(c.batchSize));
  if (c.peakLr !== undefined) await page.getByRole('spinbutton', { name: 'Peak learning rate' }).fill(String(c.peakLr));
  if (c.peakEpoch !== undefined) await page.getByRole('spinbutton', { name: 'Peak at epoch' }).fill(String(c.peakEpoch));
}

/** The loss column of the chart's table view, in step order. */
export async function lossesShown(page: Page): Promise<number[]> {
  const cells = await page.getByTestId('training-table').locator('tbody tr td:nth-child(2)').allTextContents();
  return cells.map(Number);
}

export async function tensorCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('tensor-count').textContent());
}

/**
 * Saves a screenshot (the full page, or one element) as a test artifact (test-results/…) and attaches it to the report.
 * A capture larger than the viewport (Chromium's captureBeyondViewport) leaves the page's scroll offset out of step
 * with the browser's: the next mouse press snaps the page back to where it was before the capture, so the press
 * and the release land on different elements and the click is lost. Scrolling back to the offset from before the
 * capture puts both in step again.
 */
export async function screenshot(target: Page | Locator, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  // A Page (it can navigate) is taken whole; a Locator is its element's box.
  const page = 'goto' in target ? target : target.page();
  const before = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  await ('goto' in target ? target.screenshot({ path, fullPage: true }) : target.screenshot({ path }));
  await page.evaluate(({ x, y }) => window.scrollTo(x, y), before);
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
