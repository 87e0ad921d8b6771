/** Whole-experiment presets the page offers, and the spec a first visit starts from. */
import { parseSpec } from './parse';
import type { ExperimentSpec, ExperimentSpecInput } from './schema';

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
  v: 2,
  dataset: { source: 'embedded', trainSize: 1_000, validationSize: 500 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 8, batchSize: 100, peakLr: 0.05, peakEpoch: 2 },
  forget: [{ kind: 'random', k: 50, seed: 0 }],
  n: 4,
  extraOracles: 4,
  methods: [
    { id: 'do-nothing', method: 'do-nothing' },
    { id: 'retrain', method: 'retrain' },
    { id: 'oracle-matching', method: 'oracle-matching' },
    { id: 'dmm', method: 'dmm' },
    { id: 'fine-tune', method: 'fine-tune' },
    { id: 'gradient-ascent', method: 'gradient-ascent' },
  ],
  attribution: { estimator: 'datamodels', models: 32, terms: 'diagonal' },
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
  v: 2,
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
    description:
      '1,000 training images (8 epochs), N = 4 models per side, 50 random points forgotten; DMM, Oracle Matching and the baselines: a first result in minutes.',
    spec: quick,
  },
  {
    id: 'random',
    name: 'Random forget set',
    description: "100 random training images forgotten; the paper's main comparison at browser scale.",
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
      "100 images at both ends of the first principal component of the original model's features: a structured, harder forget set.",
    spec: {
      ...comparisonBase,
      forget: [{ kind: 'subpopulation', k: 100, component: 0, side: 'both', seed: 0, features: 'penultimate' }],
      methods: comparisonMethods,
    },
  },
]);

/** The spec a first visit starts from: the quick preset, complete. */
export const DEFAULT_SPEC: ExperimentSpec = deepFreeze(parseSpec(quick));
