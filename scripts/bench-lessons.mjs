#!/usr/bin/env node
/**
 * npm run bench:lessons [-- --presets] [--no-packs] [--only dmm,class] [--port 4177]
 *
 * Opens each lesson link (#lesson=<id>) in a fresh browser profile, as a student would, and prints the seconds
 * until the first results show and until the run is complete. --presets times the presets too (opened by a link
 * that runs them); --no-packs blocks the shipped packs, so every model is trained here.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, openHarness, parseArgs, table } from './lib/harness.mjs';

const { opt, flag } = parseArgs(process.argv.slice(2));
const log = (...a) => console.error('[lessons]', ...a);

async function time(browser, base, target, blockPacks) {
  // Requests a service worker makes are not routed: blocking packs means no service worker either.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: blockPacks ? 'block' : 'allow' });
  const page = await context.newPage();
  if (blockPacks) await context.route('**/packs/**', (route) => route.abort());
  const started = Date.now();
  await page.goto(`${base}/${target.hash}`);
  const seconds = () => (Date.now() - started) / 1000;
  await page.getByTestId('results').first().waitFor({ timeout: 3_600_000 });
  const first = seconds();
  await page.getByTestId('results-source').filter({ hasText: 'computed just now' }).waitFor({ timeout: 3_600_000 });
  const done = seconds();
  const source = await page.getByTestId('results-source').innerText();
  await context.close();
  const shipped = /\((\d+) shipped with the app\)/.exec(source);
  return { ...target, first, done, packModels: shipped ? Number(shipped[1]) : 0 };
}

async function main() {
  const harness = await openHarness({ port: Number(opt('port', 4177)), log: () => undefined });
  const base = new URL(harness.page.url()).origin;
  try {
    const experiments = await harness.page.evaluate(() => window.harness.packSpecs());
    const only = opt('only')?.split(',');
    const targets = experiments
      .filter(({ id }) => id.startsWith('lesson-') || (flag('presets') && id.startsWith('preset-')))
      .map(({ id, spec }) => ({
        id,
        hash: id.startsWith('lesson-')
          ? `#lesson=${id.slice('lesson-'.length)}`
          : `#json=${encodeURIComponent(JSON.stringify(spec))}&autorun=1`,
      }))
      .filter(({ id }) => !only || only.some((o) => id.endsWith(`-${o}`)));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const rows = [];
    try {
      for (const target of targets) {
        log(`${target.id}…`);
        rows.push(await time(browser, base, target, flag('no-packs')));
        const r = rows[rows.length - 1];
        log(`${r.id}: first results ${r.first.toFixed(1)} s, complete ${r.done.toFixed(1)} s`);
      }
    } finally {
      await browser.close();
    }
    console.log(`\nFresh browser profile each, ${flag('no-packs') ? 'packs blocked' : 'with the shipped packs'}:\n`);
    console.log(
      table(rows, [
        ['experiment', (r) => r.id],
        ['link', (r) => (r.hash.length > 40 ? `${r.hash.slice(0, 37)}…` : r.hash)],
        ['first results (s)', (r) => r.first.toFixed(1)],
        ['complete (s)', (r) => r.done.toFixed(1)],
        ['models from packs', (r) => r.packModels],
      ]),
    );
  } finally {
    await harness.close();
  }
}

main().catch((e) => {
  console.error(`\n${e.message ?? e}`);
  process.exit(1);
});
