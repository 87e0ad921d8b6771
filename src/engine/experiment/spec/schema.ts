/**
 * The experiment spec's schema: one small, versioned, validated description of an unlearning experiment that
 * fits in a URL. Everything the planner and runner do is a function of a parsed spec (and the backend).
 *
 * - one schema per version; unknown fields are rejected, out-of-range values too, and the error message names
 *   the field (`methods[2].params.lr: must be > 0`); older versions are migrated (parse.ts), newer ones refused;
 * - `parseSpec` fills every default, so a parsed spec is complete;
 * - the method union is derived from the method catalog: a method's parameters and defaults live in its
 *   meta file, beside its implementation.
 *
 * The page imports this module, so it stays tf-free (the dependency rule checks it).
 */
import { z } from 'zod';
import { NUM_CLASSES } from '../../data/types';
import { DEFAULT_RESNET9_WIDTH, type ModelSpec } from '../../models/modelSpec';
import { epochs, momentum, seed, weightDecay } from '../../schemaParts';
import type { TrainRecipe } from '../../train/trainer';
import { METHOD_CATALOG, type MethodName, type MethodParams } from '../../unlearn/catalog';

export const SPEC_VERSION = 2;

/** Images available per split for each dataset source (the embedded subset and the full CIFAR-10 train batches). */
export const DATASET_LIMITS = {
  embedded: { train: 10_000, validation: 2_000 },
  full: { train: 45_000, validation: 5_000 },
} as const;

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
    z.strictObject({ arch: z.literal('resnet9'), width: z.number().gt(0).max(1).default(DEFAULT_RESNET9_WIDTH) }),
  ])
  .prefault({ arch: 'tiny-cnn' }) satisfies z.ZodType<ModelSpec, unknown>;

/** Defaults: the paper's recipe shape (triangular lr, SGD with momentum), scaled to a browser. */
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
    classIndex: z
      .int()
      .min(0)
      .max(NUM_CLASSES - 1),
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
    anchor: z
      .int()
      .min(0)
      .max(DATASET_LIMITS.full.train - 1),
    k: forgetSize(),
    features: z.literal('penultimate').default('penultimate'),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Methods (from the catalog)
// ---------------------------------------------------------------------------------------------

const methodId = z.string().min(1).max(64);

/**
 * Which values a method entry's parameters start from: 'browser', the browser-scale defaults (tuned on another
 * forget set), or 'published', the paper's or benchmark's values (parse.ts fills them in). Explicit params win.
 */
export const METHOD_SETTINGS = ['browser', 'published'] as const;
export type MethodSettings = (typeof METHOD_SETTINGS)[number];
const settingsSchema = z.enum(METHOD_SETTINGS).default('browser');

type Entry = (typeof METHOD_CATALOG)[number];
type MethodEntrySchema<D extends Entry> = z.ZodObject<
  { id: typeof methodId; method: z.ZodLiteral<D['name']>; settings: typeof settingsSchema; params: z.ZodPrefault<D['params']> },
  z.core.$strict
>;

/** One `{ id, method, settings, params }` object schema per catalog entry, keeping each entry's literal and parameter types. */
function entrySchemas<T extends readonly Entry[]>(catalog: T): { [K in keyof T]: MethodEntrySchema<T[K]> } {
  return catalog.map((d) => {
    const params = d.params as z.ZodObject<z.core.$ZodShape, z.core.$strict>;
    return z.strictObject({ id: methodId, method: z.literal(d.name), settings: settingsSchema, params: params.prefault({}) });
  }) as never;
}

const methodSchema = z.discriminatedUnion('method', entrySchemas(METHOD_CATALOG));

// ---------------------------------------------------------------------------------------------
// Attribution, metrics, the spec
// ---------------------------------------------------------------------------------------------

export const DATAMODEL_TERMS = ['diagonal', 'pooled', 'kernel', 'all'] as const;

const attributionSchema = z
  .discriminatedUnion('estimator', [
    /** Subset datamodels (the paper's): M models on random subsets of S holding a fraction α of it. */
    z
      .strictObject({
        estimator: z.literal('datamodels'),
        models: z.int().min(2).max(20_000).default(100),
        alpha: z.number().gt(0).lt(1).default(0.5),
        /**
         * Which terms of Σ_{i∈F} β[i, ·, :] DM-Direct sums: 'diagonal' (only β[f, f, :], each forget point's effect
         * on itself: at browser scale the full sum is mostly noise), 'pooled' (for coherent forget sets: the diagonal
         * plus the rest averaged over points of the same label, on forget and validation points), 'kernel' (the
         * diagonal plus the other forget and validation points' shifts from the originals' whole-network gradient
         * kernel, scaled to the diagonal; attribution/kernelTerms.ts) or 'all' (the paper's estimator).
         * See attribution/datamodels.ts.
         */
        terms: z.enum(DATAMODEL_TERMS).default('diagonal'),
        /** With terms 'kernel': how many originals' gradient kernels to ensemble (default KERNEL_MODELS, attribution/kernelDefaults.ts) and their relative ridge λ (default KERNEL_LAMBDA). */
        kernelModels: z.int().min(1).max(64).optional(),
        kernelLambda: z.number().gt(0).max(1e6).optional(),
      })
      .superRefine((a, ctx) => {
        for (const key of ['kernelModels', 'kernelLambda'] as const) {
          if (a[key] !== undefined && a.terms !== 'kernel') {
            ctx.addIssue({ code: 'custom', path: [key], message: `only applies with terms "kernel" (terms is "${a.terms}")` });
          }
        }
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
  methods: z.array(methodSchema).min(1).max(64),
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
export type AttributionSpec = ExperimentSpec['attribution'];

export type { MethodName, MethodParams };
