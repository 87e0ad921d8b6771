/**
 * A small, deterministic ExperimentResult with the engine's exact layout, for unit tests of the result
 * views and exports (and for browser tests of importing results). Its numbers are synthetic: margins
 * drawn around per-group means, KLoM and GKL computed with the engine's own functions.
 */
import { createRng } from '../../engine/rng';
import { gklPerExample, gklPrior } from '../../engine/metrics/gkl';
import { klomPerExample, summariseKlom } from '../../engine/metrics/klom';
import { SPLIT_KEYS, type ExperimentResult, type GroupResult, type SplitKey, type Splits } from '../../engine/experiment/result';
import { shiftSkill, type ShiftSkill } from '../../engine/metrics/attributionSkill';
import { parseSpec, type ExperimentSpec } from '../../engine/experiment/spec';
import { methodMeta } from '../../engine/unlearn/catalog';

export const FIXTURE_SPEC: ExperimentSpec = parseSpec({
  v: 2,
  dataset: { source: 'embedded', trainSize: 40, validationSize: 20 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 1, batchSize: 10, peakLr: 0.05, peakEpoch: 0.5 },
  forget: [{ kind: 'indices', indices: [1, 4, 9, 16, 25] }],
  n: 3,
  extraOracles: 3,
  methods: [
    { id: 'do-nothing', method: 'do-nothing' },
    { id: 'retrain', method: 'retrain' },
    { id: 'dmm', method: 'dmm' },
    { id: 'gradient-ascent', method: 'gradient-ascent' },
  ],
  attribution: { estimator: 'datamodels', models: 8 },
  metrics: ['klom', 'accuracy', 'mia', 'cost'],
  seed: 0,
});

const pick = (values: ArrayLike<number>, ids: number[]) => ids.map((i) => values[i]);

export function makeFixtureResult(spec: ExperimentSpec = FIXTURE_SPEC): ExperimentResult {
  const s = spec.dataset.trainSize;
  const v = spec.dataset.validationSize;
  const forget = spec.forget[0].kind === 'indices' ? spec.forget[0].indices : [0];
  const inForget = new Set(forget);
  const splits: Splits = {
    forget: [...forget],
    retain: Array.from({ length: s }, (_, i) => i).filter((i) => !inForget.has(i)),
    validation: Array.from({ length: v }, (_, j) => s + j),
  };
  const rng = createRng(42);
  const n = spec.n;
  // Mean margin of a group on an example: trained points high, forget points lower for oracles, etc.
  const base = Array.from({ length: s + v }, (_, j) => (j < s ? 3 : 1) + rng.normal());
  const forgetShift: Record<string, number> = {
    original: 0,
    oracle: -2.5,
    retrain: -2.5,
    'do-nothing': 0,
    dmm: -2.2,
    'gradient-ascent': -6,
  };
  const marginsOf = (name: string) =>
    Array.from({ length: n }, () =>
      base.map((b, j) => {
        const shift = inForget.has(j) ? forgetShift[name] : name === 'gradient-ascent' ? -3 : 0;
        return b + shift + 0.8 * rng.normal();
      }),
    );
  const accuracyOf = (margins: number[][]) => {
    const acc = {} as Record<SplitKey, number>;
    for (const k of ['forget', 'retain', 'validation'] as const) {
      acc[k] = margins.reduce((t, row) => t + splits[k].filter((j) => row[j] > 0).length / splits[k].length, 0) / margins.length;
    }
    return acc;
  };
  const oracleMargins = marginsOf('oracle');
  const prior = gklPrior(oracleMargins);
  const bySplit = (per: number[]) => ({
    forget: summariseKlom(pick(per, splits.forget)),
    retain: summariseKlom(pick(per, splits.retain)),
    validation: summariseKlom(pick(per, splits.validation)),
  });
  const klomOf = (margins: number[][]) => {
    const per = Array.from(klomPerExample(margins, oracleMargins));
    const gkl = Array.from(gklPerExample(margins, oracleMargins, prior));
    return { klomPerExample: per, klom: bySplit(per), gklPerExample: gkl, gkl: bySplit(gkl) };
  };
  const group = (name: string, label: string, method?: GroupResult['method'], fraction?: number): GroupResult => {
    const margins = name === 'oracle' ? oracleMargins : marginsOf(name);
    const g: GroupResult = { name, label, method, margins, accuracy: accuracyOf(margins), warnings: [], mia: 0.5 + 0.1 * rng.next() };
    if (name !== 'oracle') Object.assign(g, klomOf(margins));
    if (fraction !== undefined) {
      g.cost = {
        seconds: fraction * 2,
        examplesProcessed: fraction * 100,
        fractionOfRetraining: fraction,
        timeFractionOfRetraining: fraction,
      };
    }
    return g;
  };
  const groups: Record<string, GroupResult> = {
    original: group('original', 'Original (θ0)'),
    oracle: group('oracle', 'Oracle (retrained without F)'),
  };
  const fractions: Record<string, number> = { 'do-nothing': 0, retrain: 1, dmm: 0.12, 'gradient-ascent': 0.03 };
  for (const m of spec.methods) groups[m.id] = group(m.id, methodMeta(m.method).label, m.method, fractions[m.id] ?? 0.1);
  if (groups['gradient-ascent']) {
    groups['gradient-ascent'].warnings.push("damages the model: retain accuracy 40 % vs the oracle's 95 %");
  }
  if (groups.dmm?.cost) groups.dmm.cost.fractionWithAttribution = 0.5;
  const floorMargins = groups.retrain?.margins ?? marginsOf('retrain');
  const floorPer = Array.from(klomPerExample(floorMargins, oracleMargins));
  const meanOf = (rows: number[][]) => base.map((_, j) => rows.reduce((t, row) => t + row[j], 0) / rows.length);
  const originalMean = meanOf(groups.original.margins);
  const oracleMean = meanOf(oracleMargins);
  const floorMean = meanOf(floorMargins);
  // A fair attribution: 90 % of the true shift, plus noise.
  const predicted = originalMean.map((o, j) => o + 0.9 * (oracleMean[j] - o) + 0.3 * rng.normal());
  const skill = {} as Record<SplitKey, ShiftSkill>;
  for (const k of SPLIT_KEYS) {
    const ids = splits[k];
    skill[k] = shiftSkill(pick(predicted, ids), pick(originalMean, ids), pick(oracleMean, ids), pick(floorMean, ids));
  }
  return {
    format: 1,
    spec,
    specHash: 'f'.repeat(64),
    environment: { backend: 'wasm', tfjsVersion: '4.22.0', appVersion: '0.1.0', datasetId: 'embedded-test', datasetName: 'test images' },
    createdAt: '2025-01-01T00:00:00.000Z',
    scale: `N = ${n} seeds per side (reduced-scale proxy of the paper's N = 100), tiny CNN, |S| = ${s}`,
    request: 0,
    splits,
    groups,
    noiseFloor: {
      method: 'disjoint-groups',
      n,
      klom: bySplit(floorPer),
      independentMargins: floorMargins,
      gkl: bySplit(Array.from(gklPerExample(floorMargins, oracleMargins, prior))),
    },
    attribution: {
      estimator: 'datamodels',
      models: 8,
      skill,
      predictedMargins: predicted,
      oracleMeanMargins: oracleMean,
      originalMeanMargins: originalMean,
      examplesProcessed: 400,
      seconds: 3,
    },
    retrainCost: { examplesProcessed: 100, seconds: 2 },
    earlierRequests: [],
    timing: { seconds: 30, modelsTrained: 20, cacheHits: 0 },
    notes: [],
  };
}
