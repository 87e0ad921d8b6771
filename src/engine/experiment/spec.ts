/**
 * The experiment spec: one small, versioned, validated description of an unlearning experiment that
 * fits in a URL. Everything the planner and runner do is a function of a parsed spec (and the backend).
 *
 * Rules (see shared/docs/design.md, "Specs, links and results"):
 * - one schema, `v: 1`; unknown fields are rejected, out-of-range values too, and the error message
 *   names the field (`methods[2].params.lr: must be > 0`);
 * - a spec of another version is refused (never silently read as this one);
 * - `parseSpec` fills every default, so a parsed spec is complete; `canonicalJson` / `specHash` are
 *   computed from the parsed form, so two specs that mean the same experiment hash the same.
 *
 * Method hyperparameter defaults follow the published recipes in shared/docs/unlearning.md; each method's
 * origin is in `METHOD_INFO[method].source`.
 *
 * This module must stay light: it is imported by the page as well as the worker, so it never imports
 * tfjs (only types from the engine modules that do).
 */
import { z } from 'zod';
import { NUM_CLASSES } from '../data/types';
import type { ModelSpec } from '../models/modelSpec';
import type { TrainRecipe } from '../train/trainer';

export const SPEC_VERSION = 1;

/** Images available per split for each dataset source (the embedded subset and the full CIFAR-10 train batches). */
export const DATASET_LIMITS = {
  embedded: { train: 10_000, validation: 2_000 },
  full: { train: 45_000, validation: 5_000 },
} as const;

const MAX_SEED = 2 ** 32 - 1;

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const seed = () => z.int().min(0).max(MAX_SEED);
const lr = (value: number) => z.number().gt(0).max(10).default(value);
const epochs = (value: number) => z.int().min(1).max(200).default(value);
const batchSize = (value: number) => z.int().min(1).max(4096).default(value);
const momentum = (value = 0.9) => z.number().min(0).lt(1).default(value);
const weightDecay = (value = 5e-4) => z.number().min(0).lt(1).default(value);
/** Multiplicative learning-rate decay per epoch (1 = constant). */
const lrDecay = (value: number) => z.number().gt(0).max(1).default(value);

const datasetSchema = z
  .strictObject({
    /** 'embedded': the subset shipped with the app; 'full': CIFAR-10 loaded by the user. */
    source: z.enum(['embedded', 'full']).default('embedded'),
    /** |S|: how many images of the training split the models train on. */
    trainSize: z.int().min(10).max(DATASET_LIMITS.full.train).default(10_000),
    /** |V|: validation images (never trained on) on which margins and metrics are computed. */
    validationSize: z.int().min(1).max(DATASET_LIMITS.full.validation).default(2_000),
  })
  .prefault({});

const modelSchema = z
  .discriminatedUnion('arch', [
    z.strictObject({ arch: z.literal('tiny-cnn') }),
    // 0.25 = DEFAULT_RESNET9_WIDTH in models/model.ts (not imported: that module loads tfjs).
    z.strictObject({ arch: z.literal('resnet9'), width: z.number().gt(0).max(1).default(0.25) }),
  ])
  .prefault({ arch: 'tiny-cnn' }) satisfies z.ZodType<ModelSpec, unknown>;

/** Defaults: the app's training form (paper's recipe shape, scaled to a browser: src/app/lib/trainConfig.ts). */
const recipeSchema = z
  .strictObject({
    epochs: epochs(10),
    batchSize: z.int().min(1).max(1024).default(128),
    peakLr: z.number().gt(0).max(10).default(0.05),
    peakEpoch: z.number().min(0).max(200).default(2),
    momentum: momentum(0.9),
    weightDecay: weightDecay(5e-4),
    flip: z.boolean().default(false),
  })
  .prefault({}) satisfies z.ZodType<TrainRecipe, unknown>;

// ---------------------------------------------------------------------------------------------
// Forget sets
// ---------------------------------------------------------------------------------------------

const forgetSize = () => z.int().min(1).max(DATASET_LIMITS.full.train);

const uniqueIndices = z
  .array(z.int().min(0).max(DATASET_LIMITS.full.train))
  .min(1)
  .superRefine((indices, ctx) => {
    const firstAt = new Map<number, number>();
    indices.forEach((index, i) => {
      const first = firstAt.get(index);
      if (first === undefined) firstAt.set(index, i);
      else ctx.addIssue({ code: 'custom', path: [i], message: `duplicate index ${index} (also at [${first}])` });
    });
  });

export const FORGET_KINDS = ['random', 'class', 'indices', 'subpopulation', 'neighbours'] as const;
export type ForgetKind = (typeof FORGET_KINDS)[number];

const forgetGeneratorSchema = z.discriminatedUnion('kind', [
  /** k points of S drawn uniformly (seeded). */
  z.strictObject({ kind: z.literal('random'), k: forgetSize(), seed: seed().default(0) }),
  /** k points of one class (seeded), or all of them when k is absent. */
  z.strictObject({
    kind: z.literal('class'),
    classIndex: z.int().min(0).max(NUM_CLASSES - 1),
    k: forgetSize().optional(),
    seed: seed().default(0),
  }),
  /** An explicit list of indices into S (e.g. picked in the image grid). */
  z.strictObject({ kind: z.literal('indices'), indices: uniqueIndices }),
  /**
   * A coherent subpopulation: the k extreme points along principal component `component` of the
   * features ('top': largest projections, 'bottom': smallest, 'both': ⌈k/2⌉ top and ⌊k/2⌋ bottom,
   * as data-unlearning-bench's forget sets 6 and 9: 250 + 250). `seed` seeds the power iteration's start.
   */
  z.strictObject({
    kind: z.literal('subpopulation'),
    k: forgetSize(),
    component: z.int().min(0).max(99).default(0),
    side: z.enum(['top', 'bottom', 'both']).default('top'),
    seed: seed().default(0),
    features: z.enum(['datamodel', 'penultimate']).default('penultimate'),
  }),
  /** The anchor and its k − 1 nearest neighbours (Euclidean, in feature space). */
  z.strictObject({
    kind: z.literal('neighbours'),
    anchor: z.int().min(0).max(DATASET_LIMITS.full.train - 1),
    k: forgetSize(),
    features: z.literal('penultimate').default('penultimate'),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

export const METHOD_NAMES = [
  'do-nothing',
  'retrain',
  'oracle-matching',
  'dm-direct',
  'dmm',
  'gradient-ascent',
  'fine-tune',
  'neggrad-plus',
  'scrub',
  'random-labels',
  'salun',
  'iau',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

const BENCH = 'github.com/RoyRin/data-unlearning-bench';

/** What each method is and where its default hyperparameters come from. */
export const METHOD_INFO: Record<
  MethodName,
  { label: string; source: string; usesAttribution: boolean; usesOracles: boolean }
> = {
  'do-nothing': { label: 'Do nothing', source: 'reference: θu = θ0', usesAttribution: false, usesOracles: false },
  retrain: {
    label: 'Retrain (oracle)',
    source: 'reference: train on R from scratch with the experiment recipe',
    usesAttribution: false,
    usesOracles: false,
  },
  'oracle-matching': {
    label: 'Oracle Matching',
    source: `Georgiev et al. 2024 (Oracle Matching), ${BENCH}: K 1, 10 epochs, Adam lr 1e-3, batch 512, retain ×5, forget ×1, lr ×0.95/epoch`,
    usesAttribution: false,
    usesOracles: true,
  },
  'dm-direct': {
    label: 'DM-Direct',
    source: 'Georgiev et al. 2024 (DM-Direct): predicted logits z(θ0) − Σ_F β, no training',
    usesAttribution: true,
    usesOracles: false,
  },
  dmm: {
    label: 'Datamodel Matching',
    source: `Georgiev et al. 2024 (DMM), ${BENCH}: 4–10 epochs, Adam lr 1e-4, batch 512, retain ×20, forget ×5, lr ×0.95/epoch`,
    usesAttribution: true,
    usesOracles: false,
  },
  'gradient-ascent': {
    label: 'Gradient ascent',
    source: `SalUn repository's GA recipe (lr 1e-4, 5 epochs, SGD momentum 0.9, wd 5e-4); batch 64 from ${BENCH}`,
    usesAttribution: false,
    usesOracles: false,
  },
  'fine-tune': {
    label: 'Fine-tune on retain',
    source: `unlearning.md (lr 1e-3, 5 epochs, SGD momentum 0.9, wd 5e-4); batch 64 from ${BENCH}`,
    usesAttribution: false,
    usesOracles: false,
  },
  'neggrad-plus': {
    label: 'NegGrad+ (ascent + descent)',
    source: `${BENCH} ascent_descent example config: lr 1e-3, 5 epochs, 3 ascent epochs, forget batch 32, retain batch 64`,
    usesAttribution: false,
    usesOracles: false,
  },
  scrub: {
    label: 'SCRUB',
    source: `Kurmanji et al. 2023 (github.com/meghdadk/SCRUB) as run by ${BENCH}: T 4, γ 0.99, α 0.1, lr 5e-4, decay ×0.1 at 3/5/9, forget batch 32, retain batch 64`,
    usesAttribution: false,
    usesOracles: false,
  },
  'random-labels': {
    label: 'Random labels',
    source: 'Fan et al. 2023 (SalUn repository) RL baseline: lr 0.01, 10 epochs, batch 256, SGD momentum 0.9, wd 5e-4',
    usesAttribution: false,
    usesOracles: false,
  },
  salun: {
    label: 'SalUn',
    source: 'Fan et al. 2023 (github.com/OPTML-Group/Unlearn-Saliency): mask 50%, RL with lr 0.1, 10 epochs, batch 256',
    usesAttribution: false,
    usesOracles: false,
  },
  iau: {
    label: 'IAU',
    source: 'Liu et al. (github.com/Lolo1222/IAU): one full-batch Adam step on ∇CE(R) − ∇CE(F), lr 1e-3',
    usesAttribution: false,
    usesOracles: false,
  },
};

const sgdParams = {
  momentum: momentum(0.9),
  weightDecay: weightDecay(5e-4),
};

/** Fine-tuning set of OM / DMM: F repeated `forgetRepeat` times ∪ a sample of R of size retainMultiplier·|F|. */
const matchingParams = (d: { epochs: number; lr: number; retainMultiplier: number; forgetRepeat: number }) => ({
  epochs: epochs(d.epochs),
  lr: lr(d.lr),
  batchSize: batchSize(512),
  retainMultiplier: z.number().min(0).max(1000).default(d.retainMultiplier),
  forgetRepeat: z.int().min(1).max(100).default(d.forgetRepeat),
  lrDecay: lrDecay(0.95),
});

const methodParams = {
  'do-nothing': z.strictObject({}),
  retrain: z.strictObject({}),
  'oracle-matching': z.strictObject({
    /** K: how many oracles' mean logits are the target. */
    oracles: z.int().min(1).max(100).default(1),
    ...matchingParams({ epochs: 10, lr: 1e-3, retainMultiplier: 5, forgetRepeat: 1 }),
  }),
  'dm-direct': z.strictObject({}),
  dmm: z.strictObject(matchingParams({ epochs: 5, lr: 1e-4, retainMultiplier: 20, forgetRepeat: 5 })),
  'gradient-ascent': z.strictObject({ lr: lr(1e-4), epochs: epochs(5), batchSize: batchSize(64), ...sgdParams }),
  'fine-tune': z.strictObject({ lr: lr(1e-3), epochs: epochs(5), batchSize: batchSize(64), ...sgdParams }),
  'neggrad-plus': z.strictObject({
    lr: lr(1e-3),
    epochs: epochs(5),
    /** GA passes over F happen in the first `ascentEpochs` epochs (≤ epochs). */
    ascentEpochs: z.int().min(0).max(200).default(3),
    forgetBatchSize: batchSize(32),
    batchSize: batchSize(64),
    ...sgdParams,
  }),
  scrub: z.strictObject({
    lr: lr(5e-4),
    epochs: epochs(5),
    /** Max steps (over F) happen while epoch < msteps (≤ epochs). */
    msteps: z.int().min(0).max(200).default(3),
    temperature: z.number().gt(0).max(100).default(4),
    gamma: z.number().min(0).max(100).default(0.99),
    alpha: z.number().min(0).max(100).default(0.1),
    forgetBatchSize: batchSize(32),
    batchSize: batchSize(64),
    /** lr ×lrDecayRate after each of these epochs (strictly increasing). */
    lrDecayEpochs: z.array(z.int().min(1).max(200)).max(20).default([3, 5, 9]),
    lrDecayRate: z.number().gt(0).max(1).default(0.1),
    ...sgdParams,
  }),
  'random-labels': z.strictObject({ lr: lr(0.01), epochs: epochs(10), batchSize: batchSize(256), ...sgdParams }),
  salun: z.strictObject({
    /** Fraction of weights (global ranking by saliency) that may move. */
    maskFraction: z.number().gt(0).max(1).default(0.5),
    lr: lr(0.1),
    epochs: epochs(10),
    batchSize: batchSize(256),
    ...sgdParams,
  }),
  iau: z.strictObject({ lr: lr(1e-3) }),
} as const satisfies Record<MethodName, z.ZodType>;

const methodId = z.string().min(1).max(64);

const methodSchema = z.discriminatedUnion('method', [
  z.strictObject({ id: methodId, method: z.literal('do-nothing'), params: methodParams['do-nothing'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('retrain'), params: methodParams.retrain.prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('oracle-matching'), params: methodParams['oracle-matching'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('dm-direct'), params: methodParams['dm-direct'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('dmm'), params: methodParams.dmm.prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('gradient-ascent'), params: methodParams['gradient-ascent'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('fine-tune'), params: methodParams['fine-tune'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('neggrad-plus'), params: methodParams['neggrad-plus'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('scrub'), params: methodParams.scrub.prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('random-labels'), params: methodParams['random-labels'].prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('salun'), params: methodParams.salun.prefault({}) }),
  z.strictObject({ id: methodId, method: z.literal('iau'), params: methodParams.iau.prefault({}) }),
]);

// ---------------------------------------------------------------------------------------------
// Attribution, metrics, the spec
// ---------------------------------------------------------------------------------------------

const attributionSchema = z
  .discriminatedUnion('estimator', [
    /** Subset datamodels (the paper's): M models on random subsets of S holding a fraction α of it. */
    z.strictObject({
      estimator: z.literal('datamodels'),
      models: z.int().min(2).max(20_000).default(100),
      alpha: z.number().gt(0).lt(1).default(0.5),
    }),
    /** TRAK-style gradient attribution, ensembled over `models` models. */
    z.strictObject({
      estimator: z.literal('trak'),
      models: z.int().min(1).max(100).default(1),
      projectionDim: z.int().min(1).max(16_384).default(512),
      lambda: z.number().min(0).max(1e6).default(0.01),
    }),
  ])
  .prefault({ estimator: 'datamodels' });

export const METRIC_NAMES = ['klom', 'accuracy', 'mia', 'epsilon-score', 'cost'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const metricsSchema = z
  .array(z.enum(METRIC_NAMES))
  .min(1)
  .superRefine((metrics, ctx) => {
    metrics.forEach((m, i) => {
      if (metrics.indexOf(m) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `"${m}" is listed twice` });
    });
  })
  .default(['klom', 'accuracy', 'mia', 'cost']);

export const experimentSpecSchema = z.strictObject({
  v: z.literal(SPEC_VERSION),
  dataset: datasetSchema,
  model: modelSchema,
  recipe: recipeSchema,
  /** One or more deletion requests, applied in order (continual unlearning); see forgetSets.ts. */
  forget: z.array(forgetGeneratorSchema).min(1).max(20),
  /** N: originals (and as many oracles) per side of KLoM; the paper uses 100. */
  n: z.int().min(1).max(100).default(8),
  /** Extra oracles (beyond the N) for the noise floor: KLoM between two disjoint oracle groups. */
  extraOracles: z.int().min(0).max(100).default(8),
  methods: z.array(methodSchema).min(1).max(32),
  attribution: attributionSchema,
  metrics: metricsSchema,
  /** Master seed: originals, oracles, subsets and method randomness derive from it (forget generators have their own). */
  seed: seed().default(0),
});

export type ExperimentSpec = z.output<typeof experimentSpecSchema>;
/** What a user or a link may give: every field with a default may be left out. */
export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;
export type DatasetSpec = ExperimentSpec['dataset'];
export type ForgetGenerator = ExperimentSpec['forget'][number];
export type MethodSpec = ExperimentSpec['methods'][number];
export type MethodParams<M extends MethodName> = z.output<(typeof methodParams)[M]>;
export type AttributionSpec = ExperimentSpec['attribution'];

// ---------------------------------------------------------------------------------------------
// Parsing and errors
// ---------------------------------------------------------------------------------------------

export interface SpecIssue {
  /** The field, as `methods[2].params.lr` (`spec` for the whole object). */
  path: string;
  message: string;
}

/** A spec that cannot be read. The message names every offending field. */
export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    const shown = issues.slice(0, 8).map((i) => `${i.path}: ${i.message}`);
    if (issues.length > 8) shown.push(`(and ${issues.length - 8} more)`);
    super(shown.join('; '));
    this.name = 'SpecError';
  }
}

/** `['methods', 2, 'params', 'lr']` → `methods[2].params.lr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || 'spec';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const quoteAll = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** One zod issue → readable issues (an unknown-keys issue names each key as its own field). */
function toSpecIssues(issue: z.core.$ZodIssue, input: unknown): SpecIssue[] {
  const path = issue.path;
  const here = formatPath(path);
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown field' }));
    case 'invalid_type': {
      if (value === undefined) return [{ path: here, message: 'is required' }];
      if (issue.expected === 'int' && typeof value === 'number') {
        return [{ path: here, message: `must be a whole number, got ${describe(value)}` }];
      }
      const article: Record<string, string> = { int: 'a whole number', array: 'an array', object: 'an object' };
      const expected = article[issue.expected] ?? `a ${issue.expected}`;
      return [{ path: here, message: `must be ${expected}, got ${describe(value)}` }];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return [{ path: here, message: `needs at least ${min} item${min === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path: here, message: min <= 1 ? 'must not be empty' : `needs at least ${min} characters` }];
      return [{ path: here, message: `must be ${issue.inclusive ? '≥' : '>'} ${min}, got ${describe(value)}` }];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return [{ path: here, message: `allows at most ${max} item${max === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path: here, message: `allows at most ${max} characters` }];
      return [{ path: here, message: `must be ${issue.inclusive ? '≤' : '<'} ${max}, got ${describe(value)}` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.length === 1 ? quoteAll(issue.values) : `one of ${quoteAll(issue.values)}`;
      return [{ path: here, message: `must be ${allowed}, got ${value === undefined ? 'nothing' : describe(value)}` }];
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options) {
        const message =
          value === undefined
            ? `is required (one of ${quoteAll(options)})`
            : `must be one of ${quoteAll(options)}, got ${describe(value)}`;
        return [{ path: here, message }];
      }
      return [{ path: here, message: issue.message }];
    }
    default:
      return [{ path: here, message: issue.message }];
  }
}

/** Checks that involve several fields; run on a spec that passed the schema. */
function crossFieldIssues(spec: ExperimentSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });

  const limits = DATASET_LIMITS[spec.dataset.source];
  if (spec.dataset.trainSize > limits.train) {
    add(['dataset', 'trainSize'], `must be ≤ ${limits.train} for the ${spec.dataset.source} dataset, got ${spec.dataset.trainSize}`);
  }
  if (spec.dataset.validationSize > limits.validation) {
    add(['dataset', 'validationSize'], `must be ≤ ${limits.validation} for the ${spec.dataset.source} dataset, got ${spec.dataset.validationSize}`);
  }
  if (spec.recipe.peakEpoch > spec.recipe.epochs) {
    add(['recipe', 'peakEpoch'], `must be ≤ recipe.epochs (${spec.recipe.epochs}), got ${spec.recipe.peakEpoch}`);
  }

  const size = spec.dataset.trainSize;
  let forgotten = 0;
  spec.forget.forEach((g, i) => {
    if (g.kind === 'indices') {
      g.indices.forEach((index, j) => {
        if (index >= size) add(['forget', i, 'indices', j], `index ${index} is outside the training subset (0..${size - 1})`);
      });
      forgotten += g.indices.length;
    } else if (g.kind === 'subpopulation' && g.features === 'datamodel' && spec.attribution.estimator !== 'datamodels') {
      add(['forget', i, 'features'], 'datamodel features need attribution.estimator "datamodels" (its subset models give the datamodel matrix)');
    } else if (g.kind === 'neighbours' && g.anchor >= size) {
      add(['forget', i, 'anchor'], `index ${g.anchor} is outside the training subset (0..${size - 1})`);
    }
    if (g.kind !== 'indices' && g.k !== undefined) {
      if (g.k >= size) add(['forget', i, 'k'], `must be < dataset.trainSize (${size}), got ${g.k}`);
      forgotten += g.k;
    }
  });
  if (forgotten >= size && issues.every((x) => !x.path.startsWith('forget'))) {
    add(['forget'], `the requests forget ${forgotten} of ${size} training images; at least one must remain`);
  }

  const firstId = new Map<string, number>();
  spec.methods.forEach((m, i) => {
    const first = firstId.get(m.id);
    if (first !== undefined) add(['methods', i, 'id'], `duplicate id ${JSON.stringify(m.id)} (also methods[${first}])`);
    else firstId.set(m.id, i);
    if (m.method === 'neggrad-plus' && m.params.ascentEpochs > m.params.epochs) {
      add(['methods', i, 'params', 'ascentEpochs'], `must be ≤ epochs (${m.params.epochs}), got ${m.params.ascentEpochs}`);
    }
    if (m.method === 'scrub') {
      if (m.params.msteps > m.params.epochs) {
        add(['methods', i, 'params', 'msteps'], `must be ≤ epochs (${m.params.epochs}), got ${m.params.msteps}`);
      }
      const decay = m.params.lrDecayEpochs;
      for (let j = 1; j < decay.length; j++) {
        if (decay[j] <= decay[j - 1]) {
          add(['methods', i, 'params', 'lrDecayEpochs', j], `must be increasing (${decay[j - 1]} then ${decay[j]})`);
          break;
        }
      }
    }
  });
  return issues;
}

/**
 * Validates `input` (for example JSON from a link or a file) and returns the complete spec, defaults
 * filled, explicit index lists sorted and metrics in their canonical order. Throws a SpecError naming
 * every offending field; a spec of another version is refused before anything else is read.
 */
export function parseSpec(input: unknown): ExperimentSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SpecError([{ path: 'spec', message: `must be an object, got ${describe(input)}` }]);
  }
  const version = (input as { v?: unknown }).v;
  if (version === undefined) {
    throw new SpecError([{ path: 'v', message: `missing spec version; this app reads version ${SPEC_VERSION}` }]);
  }
  if (version !== SPEC_VERSION) {
    const shown = typeof version === 'number' ? String(version) : JSON.stringify(version) ?? String(version);
    const error = new SpecError([{ path: 'v', message: `unsupported spec version ${shown}; this app reads version ${SPEC_VERSION}` }]);
    // The whole message, without the field prefix: the version is not a typo to fix but a different format.
    error.message = `unsupported spec version ${shown}; this app reads version ${SPEC_VERSION}`;
    throw error;
  }
  const parsed = experimentSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new SpecError(parsed.error.issues.flatMap((issue) => toSpecIssues(issue, input)));
  }
  const spec = parsed.data;
  const crossIssues = crossFieldIssues(spec);
  if (crossIssues.length > 0) throw new SpecError(crossIssues);
  // Normalise what does not change the experiment's meaning, so equal experiments hash equal.
  for (const g of spec.forget) if (g.kind === 'indices') g.indices = [...g.indices].sort((a, b) => a - b);
  spec.metrics = METRIC_NAMES.filter((m) => spec.metrics.includes(m));
  return spec;
}

/** Like parseSpec, but returns the problem instead of throwing. */
export function safeParseSpec(input: unknown): { ok: true; spec: ExperimentSpec } | { ok: false; error: SpecError } {
  try {
    return { ok: true, spec: parseSpec(input) };
  } catch (e) {
    if (e instanceof SpecError) return { ok: false, error: e };
    throw e;
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * The canonical text of a spec: parsed (defaults filled, normalised), object keys sorted at every
 * level, no whitespace, numbers as JSON.stringify prints them. Array order is kept (request and method
 * order mean something), except for the normalisations parseSpec applies.
 */
export function canonicalJson(spec: ExperimentSpecInput | ExperimentSpec): string {
  return JSON.stringify(sortedKeys(parseSpec(spec)));
}

/** SHA-256 (lowercase hex) of the canonical JSON, UTF-8 encoded. */
export async function specHash(spec: ExperimentSpecInput | ExperimentSpec): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(spec));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

export type PresetId = 'quick' | 'random' | 'class' | 'subpopulation';

export interface Preset {
  id: PresetId;
  name: string;
  description: string;
  spec: ExperimentSpecInput;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const quick: ExperimentSpecInput = {
  v: 1,
  dataset: { source: 'embedded', trainSize: 1_000, validationSize: 500 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 4, batchSize: 100, peakLr: 0.05, peakEpoch: 1 },
  forget: [{ kind: 'random', k: 50, seed: 0 }],
  n: 4,
  extraOracles: 4,
  methods: [
    { id: 'do-nothing', method: 'do-nothing' },
    { id: 'retrain', method: 'retrain' },
    { id: 'fine-tune', method: 'fine-tune' },
    { id: 'gradient-ascent', method: 'gradient-ascent' },
    { id: 'dmm', method: 'dmm' },
  ],
  attribution: { estimator: 'datamodels', models: 32 },
  metrics: ['klom', 'accuracy', 'cost'],
  seed: 0,
};

const comparisonMethods: ExperimentSpecInput['methods'] = [
  { id: 'do-nothing', method: 'do-nothing' },
  { id: 'retrain', method: 'retrain' },
  { id: 'oracle-matching', method: 'oracle-matching' },
  { id: 'dmm', method: 'dmm' },
  { id: 'scrub', method: 'scrub' },
  { id: 'fine-tune', method: 'fine-tune' },
  { id: 'gradient-ascent', method: 'gradient-ascent' },
  { id: 'neggrad-plus', method: 'neggrad-plus' },
];

const comparisonBase: Omit<ExperimentSpecInput, 'forget' | 'methods'> = {
  v: 1,
  dataset: { source: 'embedded', trainSize: 5_000, validationSize: 1_000 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 8, batchSize: 128, peakLr: 0.05, peakEpoch: 2 },
  n: 8,
  extraOracles: 8,
  attribution: { estimator: 'datamodels', models: 100, alpha: 0.5 },
  metrics: ['klom', 'accuracy', 'mia', 'cost'],
  seed: 0,
};

export const PRESETS: readonly Preset[] = deepFreeze([
  {
    id: 'quick',
    name: 'Quick demo',
    description: '1,000 training images, 4 models per side, 50 random points forgotten: a first result in minutes.',
    spec: quick,
  },
  {
    id: 'random',
    name: 'Random forget set',
    description: '100 random training images forgotten; the paper\'s main comparison at browser scale.',
    spec: { ...comparisonBase, forget: [{ kind: 'random', k: 100, seed: 0 }], methods: comparisonMethods },
  },
  {
    id: 'class',
    name: 'A whole class',
    description: 'Every cat in the training subset forgotten (class-aligned unlearning).',
    spec: {
      ...comparisonBase,
      forget: [{ kind: 'class', classIndex: 3, seed: 0 }],
      methods: [
        ...comparisonMethods.filter((m) => m.method !== 'oracle-matching'),
        { id: 'random-labels', method: 'random-labels' },
        { id: 'salun', method: 'salun' },
      ],
    },
  },
  {
    id: 'subpopulation',
    name: 'Coherent subpopulation',
    description:
      '100 images at both ends of the first principal component of the original model\'s features: a structured, harder forget set.',
    spec: {
      ...comparisonBase,
      forget: [{ kind: 'subpopulation', k: 100, component: 0, side: 'both', seed: 0, features: 'penultimate' }],
      methods: comparisonMethods,
    },
  },
]);

/** The spec a first visit starts from: the quick preset, complete. */
export const DEFAULT_SPEC: ExperimentSpec = deepFreeze(parseSpec(quick));
