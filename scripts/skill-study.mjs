#!/usr/bin/env node
/**
 * npm run skill-study -- [--base examples/random-forget.json] [--n 8] [--out public/studies/dmm-vs-skill.json]
 *                        [--cache-dir .experiment-cache] [--port 4175]
 *
 * "DMM is as good as its attribution": runs the base spec's setting once per attribution (subset datamodels with
 * M = 12, 48 and 100 models, diagonal and all terms; TRAK on one model) with do nothing, retraining, DM-Direct and DMM at
 * its browser-scale settings, and records each attribution's skill and cost beside DMM's forget-split distance to
 * the oracles. The subset models of a smaller M are the first models of a larger one, so with one cache each model
 * is trained once. The output is the study the app draws in its "DMM vs attribution" view.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fmt, parseArgs, root, table } from './lib/harness.mjs';

const { opt } = parseArgs(process.argv.slice(2));
const baseFile = opt('base', 'examples/random-forget.json');
const n = Number(opt('n', 8));
// N = 8 by default: the models of a larger report run are reused, and DMM's distance ranks well enough there.
const base = { ...JSON.parse(fs.readFileSync(path.resolve(root, baseFile), 'utf8')), n, extraOracles: n };
const out = path.resolve(opt('out', 'public/studies/dmm-vs-skill.json'));
const work = path.resolve('experiment-results/skill-study');
fs.mkdirSync(work, { recursive: true });

const ATTRIBUTIONS = [
  ...[12, 48, 100].flatMap((models) => ['diagonal', 'all'].map((terms) => ({ estimator: 'datamodels', models, alpha: 0.5, terms }))),
  { estimator: 'trak', models: 1 },
];
const methods = [
  { id: 'do-nothing', method: 'do-nothing' },
  { id: 'retrain', method: 'retrain' },
  { id: 'dm-direct', method: 'dm-direct' },
  { id: 'dmm', method: 'dmm' },
];

const num = (x) => (typeof x === 'number' ? x : Number(x));
const points = [];
for (const attribution of ATTRIBUTIONS) {
  const name = attribution.estimator === 'trak' ? `trak-${attribution.models}` : `dm-${attribution.models}-${attribution.terms}`;
  const spec = { ...base, methods, attribution, metrics: ['klom', 'accuracy', 'cost'] };
  const specFile = path.join(work, `${name}.spec.json`);
  const resultFile = path.join(work, `${name}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const args = ['scripts/experiment.mjs', '--spec', specFile, '--out', resultFile, '--port', opt('port', '4175')];
  if (opt('cache-dir')) args.push('--cache-dir', opt('cache-dir'));
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  const gkl = (id) => num(r.groups[id].gkl.forget.mean);
  points.push({
    name,
    attribution,
    skill: r.attribution.skill.forget,
    attributionExamples: r.attribution.examplesProcessed,
    attributionCost: r.attribution.examplesProcessed / r.retrainCost.examplesProcessed,
    gklForget: { doNothing: gkl('do-nothing'), dmDirect: gkl('dm-direct'), dmm: gkl('dmm'), floor: num(r.noiseFloor.gkl.forget.mean) },
    dmmAccuracy: r.groups.dmm.accuracy,
    dmmCost: r.groups.dmm.cost.fractionOfRetraining,
    specHash: r.specHash,
  });
}

console.log(
  table(points, [
    ['attribution', (p) => p.name],
    ['cost × retrain', (p) => fmt(p.attributionCost, 1)],
    ['forget skill', (p) => fmt(p.skill.skill, 2)],
    ['shift r', (p) => fmt(p.skill.shiftR, 2)],
    ['slope', (p) => fmt(p.skill.shiftSlope, 2)],
    ['GKL F: DM-Direct', (p) => fmt(p.gklForget.dmDirect, 2)],
    ['DMM', (p) => fmt(p.gklForget.dmm, 2)],
    ['do nothing', (p) => fmt(p.gklForget.doNothing, 2)],
    ['floor', (p) => fmt(p.gklForget.floor, 2)],
  ]),
);
const study = {
  about: `DMM's forget-split distance against its attribution's skill; npm run skill-study on ${baseFile}'s setting`,
  base: { ...base, methods },
  n: base.n,
  points,
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(study, null, 1)}\n`);
console.error(`[skill-study] wrote ${out}`);
