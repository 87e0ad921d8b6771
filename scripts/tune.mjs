#!/usr/bin/env node
/**
 * npm run tune -- [--base examples/random-forget.json] [--forget-seed 1] [--n 8] [--methods dmm,iau]
 *                 [--out docs/results/tuning.json] [--raw tuning-raw.json] [--cache-dir .experiment-cache] [--port 4175]
 *
 * The committed tuning run behind every method's browser-scale defaults (scripts/lib/tuning.mjs has the grid and
 * the rule): runs the grid on the base spec's setting with a forget set drawn with another seed, prints each
 * method's score-versus-cost curve and the chosen points, and writes them (with the spec that produced them) to
 * --out. The full result (margins of every grid point) goes to --raw, so every number can be recomputed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fmt, parseArgs, root, table } from './lib/harness.mjs';
import { GRID, selectTuned, tuningSpec } from './lib/tuning.mjs';

const { opt } = parseArgs(process.argv.slice(2));
const base = JSON.parse(fs.readFileSync(path.resolve(root, opt('base', 'examples/random-forget.json')), 'utf8'));
const forgetSeed = Number(opt('forget-seed', 1));
const out = path.resolve(opt('out', 'docs/results/tuning.json'));
const raw = path.resolve(opt('raw', 'experiment-results/tuning-raw.json'));
const only = opt('methods')?.split(',');
const unknown = only?.filter((m) => !GRID.some((row) => row.method === m)) ?? [];
if (unknown.length > 0)
  throw new Error(`--methods: no grid for ${unknown.join(', ')} (the grid has ${GRID.map((r) => r.method).join(', ')})`);
const grid = only ? GRID.filter((row) => only.includes(row.method)) : GRID;
const n = Number(opt('n', 8));
const spec = tuningSpec({ ...base, n, extraOracles: n }, { forgetSeed, grid });
fs.mkdirSync(path.dirname(raw), { recursive: true });
const specFile = `${raw}.spec.json`;
fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));

const args = ['scripts/experiment.mjs', '--spec', specFile, '--out', raw, '--port', opt('port', '4175')];
if (opt('cache-dir')) args.push('--cache-dir', opt('cache-dir'));
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const result = JSON.parse(fs.readFileSync(raw, 'utf8'));
const selected = selectTuned(result, grid);
const { oracleAccuracy, chosen } = selected;
// With --methods, the other methods' rows come from the previous run of the same setting.
const previous = only && fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined;
// What every grid point depends on; the attribution only matters to DMM's rows (kept beside them, below).
const setting = { ...spec, v: undefined, methods: undefined, attribution: undefined };
if (previous && JSON.stringify(previous.setting) !== JSON.stringify(setting)) {
  throw new Error(`${out} was tuned on another setting (spec, forget seed or N): run the whole grid instead of --methods`);
}
if (previous && !only.includes('dmm') && JSON.stringify(previous.attribution) !== JSON.stringify(spec.attribution)) {
  throw new Error(`${out} tuned DMM with another attribution: include dmm in --methods`);
}
const kept = (previous?.points ?? []).filter((p) => !only.includes(p.method)).map((p) => ({ ...p, score: p.gklForget }));
const points = [...kept, ...selected.points];
for (const p of kept) if (p.chosen) chosen[p.method] = p;
const pct = (x) => (x * 100).toFixed(1);
const doNothing = result.groups['do-nothing'].gkl.forget.mean;
const floor = result.noiseFloor.gkl.forget.mean;
console.log(`\nTuning on forget seed ${forgetSeed}: GKL forget (mean) do nothing ${fmt(doNothing, 2)}, noise floor ${fmt(floor, 2)}`);
console.log(`oracle accuracy: retain ${pct(oracleAccuracy.retain)} %, validation ${pct(oracleAccuracy.validation)} %\n`);
console.log(
  table(
    [...points].sort((a, b) => a.method.localeCompare(b.method) || a.cost - b.cost),
    [
      ['grid point', (p) => `${p.chosen ? '▶ ' : '  '}${p.id}`],
      ['cost × retrain', (p) => p.cost.toFixed(2)],
      ['GKL F', (p) => fmt(p.score, 2)],
      ['acc % F', (p) => pct(p.accuracy.forget)],
      ['R', (p) => pct(p.accuracy.retain)],
      ['V', (p) => pct(p.accuracy.validation)],
      ['not eligible', (p) => p.problems.join('; ')],
    ],
  ),
);
const summary = {
  about: 'Browser-scale tuning: scripts/tune.mjs (grid and rule in scripts/lib/tuning.mjs); reproduce with npm run tune',
  setting,
  attribution: spec.attribution,
  grid: GRID,
  specHashes: { ...previous?.specHashes, [grid.map((r) => r.method).join(',')]: result.specHash },
  forgetSeed,
  doNothing,
  noiseFloor: floor,
  oracleAccuracy,
  points: points.map(({ id, method, params, score, accuracy, cost, problems, chosen: isChosen }) => ({
    id,
    method,
    params,
    gklForget: score,
    accuracy,
    cost,
    problems,
    chosen: isChosen,
  })),
  chosen: Object.fromEntries(Object.entries(chosen).map(([m, p]) => [m, p.params])),
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(summary, null, 1)}\n`);
console.error(`[tune] wrote ${out} and ${raw}`);
