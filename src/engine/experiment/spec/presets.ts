/** Whole-experiment presets the page offers, and the spec a first visit starts from. */
import { parseSpec } from './parse';
import type { ExperimentSpec, ExperimentSpecInput, MethodName } from './schema';

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

// Every preset and lesson shares one setting (the report's: 1,000 training images, 8 epochs, seed 0), so their
// originals and subset models are the same models, shipped once in public/packs/.
const setting: Pick<ExperimentSpecInput, 'v' | 'dataset' | 'model' | 'recipe' | 'seed'> = {
  v: 2,
  dataset: { source: 'embedded', trainSize: 1_000, validationSize: 500 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 8, batchSize: 100, peakLr: 0.05, peakEpoch: 2 },
  seed: 0,
};

const method = (name: MethodName) => ({ id: name, method: name });

const quick: ExperimentSpecInput = {
  ...setting,
  forget: [{ kind: 'random', k: 50, seed: 0 }],
  n: 4,
  extraOracles: 4,
  methods: (['do-nothing', 'retrain', 'oracle-matching', 'dmm', 'fine-tune', 'gradient-ascent'] as const).map(method),
  attribution: { estimator: 'datamodels', models: 32, terms: 'diagonal' },
  metrics: ['klom', 'accuracy', 'cost'],
};

const comparisonMethods = (
  ['do-nothing', 'retrain', 'oracle-matching', 'dmm', 'scrub', 'fine-tune', 'gradient-ascent', 'neggrad-plus'] as const
).map(method);

const comparisonBase: Omit<ExperimentSpecInput, 'forget' | 'methods'> = {
  ...setting,
  n: 16,
  extraOracles: 16,
  attribution: { estimator: 'datamodels', models: 100, alpha: 0.5, terms: 'diagonal' },
  metrics: ['klom', 'accuracy', 'mia', 'cost'],
};

const classForget: ExperimentSpecInput['forget'] = [{ kind: 'class', classIndex: 3, seed: 0 }];
const subpopulationForget: ExperimentSpecInput['forget'] = [
  { kind: 'subpopulation', k: 50, component: 0, side: 'both', seed: 0, features: 'penultimate' },
];
// A coherent forget set moves the other forget and validation points too, which the diagonal cannot see: the
// comparison presets add the originals' gradient-kernel terms (docs/results.md, "Coherent forget sets"). The lessons
// keep cheaper terms so they open in about a minute: four kernels would add about 20 s here.
const kernelAttribution = { ...comparisonBase.attribution, estimator: 'datamodels' as const, terms: 'kernel' as const };
const pooledAttribution = (a: ExperimentSpecInput['attribution']) => ({ ...a, estimator: 'datamodels' as const, terms: 'pooled' as const });

export const PRESETS: readonly Preset[] = deepFreeze([
  {
    id: 'quick',
    name: 'Quick demo',
    description:
      '1,000 training images, N = 4 models per group, 50 random points forgotten: DMM and oracle matching against the baselines.',
    spec: quick,
  },
  {
    id: 'random',
    name: 'Random forget set',
    description: "The report's setting: N = 16, 50 random training images forgotten, eight methods.",
    spec: { ...comparisonBase, forget: [{ kind: 'random', k: 50, seed: 0 }], methods: comparisonMethods },
  },
  {
    id: 'class',
    name: 'A whole class',
    description: 'N = 16; every cat in the training subset forgotten (class-aligned unlearning).',
    spec: {
      ...comparisonBase,
      forget: classForget,
      methods: [...comparisonMethods, method('random-labels'), method('salun')],
      attribution: kernelAttribution,
    },
  },
  {
    id: 'subpopulation',
    name: 'Coherent subpopulation',
    description:
      "N = 16; 50 images at both ends of the first principal component of the original model's features: a structured, harder forget set.",
    spec: { ...comparisonBase, forget: subpopulationForget, methods: comparisonMethods, attribution: kernelAttribution },
  },
]);

export type LessonId = 'dmm' | 'class' | 'subpopulation';

/** A lesson: a short experiment that opens with `#lesson=<id>`, runs at once and shows a trimmed page. */
export interface Lesson {
  id: LessonId;
  title: string;
  /** What the class should look at. */
  description: string;
  spec: ExperimentSpecInput;
}

const lessonMethods = (['do-nothing', 'retrain', 'oracle-matching', 'dmm', 'gradient-ascent'] as const).map(method);

export const LESSONS: readonly Lesson[] = deepFreeze([
  {
    id: 'dmm',
    title: 'Datamodel matching against the baselines',
    description: 'Which methods move the forgotten images to where retraining puts them, and at what cost.',
    spec: { ...quick, methods: lessonMethods },
  },
  {
    id: 'class',
    title: 'Forgetting a whole class',
    description: 'When the forget set is a whole class, the attribution predicts little of what retraining changes, and DMM with it.',
    spec: { ...quick, forget: classForget, methods: lessonMethods, attribution: pooledAttribution(quick.attribution) },
  },
  {
    id: 'subpopulation',
    title: 'Forgetting a coherent group',
    description: 'A structured forget set: 50 images at both ends of the main direction of the model’s features.',
    spec: { ...quick, forget: subpopulationForget, methods: lessonMethods },
  },
]);

/** The spec a first visit starts from: the quick preset, complete. */
export const DEFAULT_SPEC: ExperimentSpec = deepFreeze(parseSpec(quick));
