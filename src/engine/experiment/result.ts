/**
 * ExperimentResult: everything an experiment produced, as plain JSON-able data, described once by a zod schema.
 * The runner builds it, the page's importer validates files against it, the end-to-end tests read it, and
 * docs/spec-and-results.md is checked against it. Charts, exports and the headless runner read only this.
 *
 * Examples: every per-example array indexes the experiment's examples — the |S| training points of the
 * subset (example e = training index e, 0 ≤ e < |S|) followed by the |V| validation points (example
 * |S| + v = validation index v). `splits.*` list example ids.
 *
 * JSON has no NaN or ±Infinity: an exported file holds the strings "NaN", "Infinity" and "-Infinity" instead
 * (resultJsonReplacer), and the schema reads them back as numbers; null, which older files hold for any of
 * them, reads back as NaN.
 */
import { z } from 'zod';
import type { ShiftSkill } from '../metrics/attributionSkill';
import type { KlomSummary } from '../metrics/klom';
import { SPLIT_KEYS, type SplitKey } from '../metrics/splits';
import { METHOD_NAMES, type MethodName } from '../unlearn/catalog';
import type { ExperimentSpec } from './spec';

export const RESULT_FORMAT = 1;
export { SPLIT_KEYS, type SplitKey };

const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;
const num = z
  .union([z.number(), z.enum(NON_FINITE), z.null()])
  .transform((v) => (v === null ? Number.NaN : typeof v === 'string' ? Number(v) : v));

/** JSON.stringify's replacer for a result: non-finite numbers as the strings the schema reads back. */
export function resultJsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
const splitRecord = <T extends z.ZodType>(t: T) => z.object({ forget: t, retain: t, validation: t });
const klomSummary = z.object({ p95: num, p99: num, mean: num, count: z.int().min(0) }) satisfies z.ZodType<KlomSummary, unknown>;
const ids = z.array(z.int().min(0));
const epsilon = z.object({ forgetScore: num, finalScore: num });
const shiftSkillSchema = z.object({
  /** Pearson r of the predicted shift (m̂ − m̄ori) with the true shift (m̄ora − m̄ori). */
  shiftR: num,
  /** OLS slope of the predicted shift on the true shift (1 = right size). */
  shiftSlope: num,
  /** 1 − Σ(m̂ − m̄ora)² / Σ(m̄ori − m̄ora)²: > 0 beats doing nothing, 1 is perfect. */
  skill: num,
  /** The same skill for the independent oracle group's mean (present when there are N independent oracles). */
  ceiling: num.optional(),
}) satisfies z.ZodType<ShiftSkill, unknown>;

// Loose objects: fields a newer engine adds survive an import and a re-export.
const costSchema = z.object({
  /** Mean wall seconds per model. */
  seconds: num,
  /** Mean examples processed (forward + backward) per model. */
  examplesProcessed: num,
  /** examplesProcessed / examples processed by training one oracle from scratch (the paper's cost axis). */
  fractionOfRetraining: num,
  /** seconds / seconds of training one oracle. */
  timeFractionOfRetraining: num,
  /** For attribution-based methods: the fraction including the attribution's share, amortised over this experiment's requests. */
  fractionWithAttribution: num.optional(),
});

export const groupSchema = z.looseObject({
  /** 'original', 'oracle', or a method id of the spec. */
  name: z.string().min(1).max(200),
  label: z.string().max(500),
  method: z.enum(METHOD_NAMES as [MethodName, ...MethodName[]]).optional(),
  /** margins[model][example]. */
  margins: z.array(z.array(num)).min(1),
  /** Mean over models of the argmax accuracy on each split. */
  accuracy: splitRecord(num),
  /** Warnings in words, e.g. over-unlearning. */
  warnings: z.array(z.string().max(2000)),
  cost: costSchema.optional(),
  /** Simple loss-based membership inference accuracy, forget vs validation, mean over models (0.5 = cannot tell). */
  mia: num.optional(),
  /** KLoM per example (same order as the examples), absent for the oracle group. */
  klomPerExample: z.array(num).optional(),
  /** KLoM(group ‖ oracle) per split; absent for the oracle group itself. */
  klom: splitRecord(klomSummary).optional(),
  /** Moderated Gaussian KL per example (same order as the examples), absent for the oracle group. */
  gklPerExample: z.array(num).optional(),
  /** GKL(group ‖ oracle) per split (mean, p95, p99); the small-N distance. Absent for the oracle group. */
  gkl: splitRecord(klomSummary).optional(),
  /** NeurIPS 2023 challenge score of this group against the oracles (forget-quality score and final score). */
  epsilon: epsilon.optional(),
});

const noiseFloorSchema = z.looseObject({
  /** 'disjoint-groups': KLoM between the N oracles and an independent group; 'split-half': halves of the N oracles. */
  method: z.enum(['disjoint-groups', 'split-half']),
  /** Models per side in the floor's KLoM. */
  n: z.int().min(1),
  klom: splitRecord(klomSummary),
  /**
   * The independent oracle group's margins, [model][example], whenever the floor is 'disjoint-groups' (a copy of
   * Retrain's when Retrain is compared), so the floor can be recomputed from the file.
   */
  independentMargins: z.array(z.array(num)).optional(),
  /** GKL between the same two oracle groups as `klom`, with the request's s0² (absent in files from before GKL). */
  gkl: splitRecord(klomSummary).optional(),
  /** The challenge score of the independent oracle group against the oracles: the best a method can expect at this N. */
  epsilon: epsilon.optional(),
});

const attributionSchema = z.object({
  estimator: z.enum(['datamodels', 'trak']),
  /** Models the estimator used (subset models, or TRAK's ensemble). */
  models: z.int().min(0),
  /** Attribution skill per split: does DM-Direct predict the shift from the originals to the oracles? */
  skill: splitRecord(shiftSkillSchema),
  /** Mean over originals of DM-Direct's predicted margin, per example (m̂). */
  predictedMargins: z.array(num),
  /** Mean oracle margin per example (m̄ora). */
  oracleMeanMargins: z.array(num),
  /** Mean original margin per example (m̄ori): the shifts are measured from it. */
  originalMeanMargins: z.array(num),
  /** Examples processed building it (training the subset models, computing the gradient kernels), and their seconds, cached or not. */
  examplesProcessed: num,
  seconds: num,
  /** With terms 'kernel': the gradient kernels' count, relative ridge λ and the scale fitted to the subset models' diagonal. */
  kernel: z.object({ models: z.int().min(1), lambda: num, scale: num }).optional(),
});

const requestShape = {
  /** Which deletion request (0-based); metrics are after requests 0..request. */
  request: z.int().min(0),
  splits: z.object({ forget: ids, retain: ids, validation: ids }),
  /** original, oracle, then one group per method in spec order. */
  groups: z.record(z.string(), groupSchema),
  noiseFloor: noiseFloorSchema,
  attribution: attributionSchema.optional(),
  /** Training one oracle: examples processed and seconds (the cost axis' 1.0). */
  retrainCost: z.object({ examplesProcessed: num, seconds: num }),
};

export const requestResultSchema = z.looseObject(requestShape);

const environmentSchema = z.object({
  backend: z.string(),
  /** The WebGPU adapter or WebGL renderer, when one runs. */
  adapter: z.string().optional(),
  /** Engine workers that ran the jobs (results do not depend on it). */
  workers: z.int().min(1).optional(),
  tfjsVersion: z.string(),
  appVersion: z.string(),
  userAgent: z.string().optional(),
  datasetId: z.string(),
  datasetName: z.string(),
});

/** The file format; `spec` is checked by parseSpec (with migrations), not here. */
export const resultSchema = z.looseObject({
  format: z.literal(RESULT_FORMAT),
  spec: z.unknown(),
  specHash: z.string().regex(/^[0-9a-f]{64}$/),
  environment: environmentSchema,
  createdAt: z.string(),
  /** Scale note shown next to every number, e.g. "N = 4 seeds per side (reduced-scale proxy of the paper's N = 100), …". */
  scale: z.string(),
  ...requestShape,
  /** Earlier requests of a continual spec (the top level holds the last one). */
  earlierRequests: z.array(requestResultSchema),
  timing: z.object({
    seconds: num,
    modelsTrained: z.int().min(0),
    cacheHits: z.int().min(0),
    /** Of the cache hits, models that came from a shipped pack (absent in results from before packs). */
    packModels: z.int().min(0).optional(),
  }),
  /** Things the user should know about the run (e.g. the model cache was full, so nothing was kept). */
  notes: z.array(z.string()),
});

export type Environment = z.output<typeof environmentSchema>;
export type Splits = z.output<typeof requestShape.splits>;
export type GroupResult = z.output<typeof groupSchema>;
export type MethodCost = z.output<typeof costSchema>;
export type NoiseFloor = z.output<typeof noiseFloorSchema>;
export type AttributionResult = z.output<typeof attributionSchema>;
export type RequestResult = z.output<typeof requestResultSchema>;
export type ExperimentResult = z.output<typeof resultSchema> & { spec: ExperimentSpec };

/** A scale note to show next to every number. */
export function scaleNote(spec: ExperimentSpec): string {
  const arch = spec.model.arch === 'tiny-cnn' ? 'tiny CNN' : `ResNet-9 ×${spec.model.width}`;
  return `N = ${spec.n} seeds per side (reduced-scale proxy of the paper's N = 100), ${arch}, |S| = ${spec.dataset.trainSize}`;
}
