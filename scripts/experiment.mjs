#!/usr/bin/env node
/**
 * npm run experiment -- --spec <file> [--out results.json] [--backend wasm|webgpu|webgl|cpu] [--workers N]
 *                       [--data cifar-10-binary.tar.gz|folder] [--cache-dir .experiment-cache] [--no-cache] [--port 4175]
 * npm run experiment -- --print <results.json>     (prints the tables of a saved result, runs nothing)
 *
 * Runs an experiment spec in headless Chromium through the real app worker (harness.html in the built
 * app), prints a table (group × split: GKL, KLoM and accuracy; the noise floor; cost; attribution skill) and writes the
 * ExperimentResult JSON. The browser profile (and so the model cache) lives in --cache-dir, so running
 * the same spec again reuses every model. Storage is per origin: a different --port starts an empty cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt, openHarness, parseArgs, root, table } from './lib/harness.mjs';

const { opt, flag } = parseArgs(process.argv.slice(2));
const log = (...a) => console.error('[experiment]', ...a);

function usage(message) {
  console.error(
    `${message}\nusage: npm run experiment -- --spec <file> [--out results.json] [--backend wasm|webgpu|webgl|cpu] [--workers N] ` +
      '[--data <cifar-10-binary.tar.gz or folder of .bin files>] [--cache-dir <dir>] [--no-cache] [--port <n>]\n' +
      '       npm run experiment -- --print <results.json>',
  );
  process.exit(2);
}

function readSpec(file) {
  if (!file) usage('--spec is required');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    usage(`cannot read the spec file ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    usage(`${file} is not JSON: ${e.message}`);
  }
}

function dataFiles(data) {
  const stat = fs.statSync(data);
  if (!stat.isDirectory()) return [data];
  return fs
    .readdirSync(data)
    .filter((f) => /\.(bin|tar\.gz|tgz)$/.test(f))
    .map((f) => path.join(data, f));
}

/** One result (a request of it) as the tables of the README and docs/results.md. */
function printRequest(r, title) {
  const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}` : '—');
  const rows = Object.values(r.groups).map((g) => ({ ...g }));
  rows.push({
    label: `Noise floor (oracles vs independent oracles, ${r.noiseFloor.method}, n = ${r.noiseFloor.n})`,
    klom: r.noiseFloor.klom,
    gkl: r.noiseFloor.gkl,
    epsilon: r.noiseFloor.epsilon,
    accuracy: {},
    warnings: [],
  });
  console.log(`\n${title}: |F| = ${r.splits.forget.length}, |R| = ${r.splits.retain.length}, |V| = ${r.splits.validation.length}\n`);
  const hasEpsilon = rows.some((g) => g.epsilon);
  console.log(
    table(rows, [
      ['group', (g) => g.label],
      ['GKL mean F', (g) => fmt(g.gkl?.forget.mean, 2)],
      ['R', (g) => fmt(g.gkl?.retain.mean, 2)],
      ['V', (g) => fmt(g.gkl?.validation.mean, 2)],
      ['GKL p95 F', (g) => fmt(g.gkl?.forget.p95, 2)],
      ['KLoM p95 F', (g) => fmt(g.klom?.forget.p95, 2)],
      ['R', (g) => fmt(g.klom?.retain.p95, 2)],
      ['V', (g) => fmt(g.klom?.validation.p95, 2)],
      ['KLoM mean F', (g) => fmt(g.klom?.forget.mean, 2)],
      ['R', (g) => fmt(g.klom?.retain.mean, 2)],
      ['V', (g) => fmt(g.klom?.validation.mean, 2)],
      ['acc % F', (g) => pct(g.accuracy.forget)],
      ['R', (g) => pct(g.accuracy.retain)],
      ['V', (g) => pct(g.accuracy.validation)],
      ['MIA', (g) => fmt(g.mia, 2)],
      ...(hasEpsilon
        ? [['ε score F / final', (g) => (g.epsilon ? `${fmt(g.epsilon.forgetScore, 3)} / ${fmt(g.epsilon.finalScore, 3)}` : '')]]
        : []),
      [
        'cost × retrain (with attribution)',
        (g) =>
          g.cost
            ? fmt(g.cost.fractionOfRetraining, 3) +
              (g.cost.fractionWithAttribution !== undefined ? ` (${fmt(g.cost.fractionWithAttribution, 3)})` : '')
            : '',
      ],
      ['warnings', (g) => g.warnings.join('; ')],
    ]),
  );
  if (r.attribution) {
    const sk = r.attribution.skill;
    console.log(
      `\nAttribution skill (${r.attribution.estimator}, ${r.attribution.models} models): DM-Direct's predicted shift vs retraining's\n`,
    );
    console.log(
      table(
        ['forget', 'retain', 'validation'],
        [
          ['split', (s) => s],
          ['skill', (s) => fmt(sk[s].skill, 3)],
          ['ceiling', (s) => fmt(sk[s].ceiling, 3)],
          ['shift r', (s) => fmt(sk[s].shiftR, 3)],
          ['shift slope', (s) => fmt(sk[s].shiftSlope, 2)],
        ],
      ),
    );
  }
}

function printResult(r) {
  console.log(`\n${r.spec.methods.length} methods · ${r.scale}`);
  console.log(
    `backend ${r.environment.backend}${r.environment.adapter ? ` (${r.environment.adapter})` : ''} · ${r.environment.datasetName} · ${fmt(r.timing.seconds)} s, ${r.timing.modelsTrained} models trained, ${r.timing.cacheHits} from cache`,
  );
  const all = [...r.earlierRequests, r];
  all.forEach((req, i) => printRequest(req, all.length > 1 ? `After request ${i + 1} of ${all.length}` : 'Result'));
  for (const note of r.notes) console.log(`note: ${note}`);
}

async function main() {
  if (opt('print')) {
    printResult(JSON.parse(fs.readFileSync(opt('print'), 'utf8')));
    return;
  }
  const spec = readSpec(opt('spec'));
  const cacheDir = flag('no-cache') ? undefined : path.resolve(root, opt('cache-dir', '.experiment-cache'));
  const harness = await openHarness({
    port: Number(opt('port', 4175)),
    profileDir: cacheDir,
    log: (line) => {
      if (line.startsWith('progress: ')) process.stderr.write(`\r[experiment] ${line.slice(10).padEnd(110).slice(0, 110)}`);
      else if (!line.includes('Failed to load resource')) log(line);
    },
  });
  try {
    const { page } = harness;
    const workers = opt('workers') === undefined ? undefined : Number(opt('workers'));
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1))
      usage(`--workers must be a whole number ≥ 1, got ${opt('workers')}`);
    const choice = await page.evaluate(([b, w]) => window.harness.init(b, w), [opt('backend'), workers]);
    log(`backend: ${choice.name} — ${choice.reason}`);
    log(`pool: ${choice.pool.reason}`);
    if (opt('data')) {
      await page.locator('#files').setInputFiles(dataFiles(opt('data')));
      const summary = await page.evaluate(() => window.harness.loadChosenFiles());
      log(`dataset: ${summary.name}`);
    } else {
      if (spec?.dataset?.source === 'full')
        usage('this spec uses the full CIFAR-10: pass --data <cifar-10-binary.tar.gz or folder of .bin files>');
      await page.evaluate(() => window.harness.loadEmbedded());
    }
    const started = Date.now();
    const result = await page.evaluate((s) => window.harness.runExperiment(s), spec);
    process.stderr.write('\n');
    log(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s with ${choice.pool.size} worker${choice.pool.size === 1 ? '' : 's'}`);
    const out = path.resolve(opt('out', 'experiment-results/result.json'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Non-finite numbers as strings, as the app's export writes them (resultJsonReplacer in src/engine/experiment/result.ts).
    fs.writeFileSync(
      out,
      JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
    );
    printResult(result);
    console.log(`\nwrote ${out}`);
  } finally {
    await harness.close();
  }
}

main().catch((e) => {
  console.error(`\n${e.message ?? e}`);
  process.exit(1);
});
