/**
 * ExperimentResult: everything an experiment produced, as plain JSON-able data. Charts, exports and the
 * headless runner read only this. The format is documented in README.md ("Results format").
 *
 * Examples: every per-example array indexes the experiment's examples — the |S| training points of the
 * subset (example e = training index e, 0 ≤ e < |S|) followed by the |V| validation points (example
 * |S| + v = validation index v). `splits.*` list example ids.
 */
import type { KlomSummary } from '../metrics/klom';
import type { ExperimentSpec, MethodName } from './spec';

export const RESULT_FORMAT = 1;

export interface Environment {
  backend: string;
  /** The WebGPU adapter or WebGL renderer, when one runs. */
  adapter?: string;
  tfjsVersion: string;
  appVersion: string;
  userAgent?: string;
  datasetId: string;
  datasetName: string;
}

export type SplitKey = 'forget' | 'retain' | 'validation';
export const SPLIT_KEYS: readonly SplitKey[] = ['forget', 'retain', 'validation'];

export interface Splits {
  forget: number[];
  retain: number[];
  validation: number[];
}

export interface GroupResult {
  /** 'original', 'oracle', or a method id of the spec. */
  name: string;
  method?: MethodName;
  label: string;
  /** margins[model][example]. */
  margins: number[][];
  /** Mean over models of the argmax accuracy on each split. */
  accuracy: Record<SplitKey, number>;
  /** KLoM(group ‖ oracle) per split; absent for the oracle group itself. */
  klom?: Record<SplitKey, KlomSummary>;
  /** KLoM per example (same order as the examples), absent for the oracle group. */
  klomPerExample?: number[];
  /** Simple loss-based membership inference accuracy, forget vs validation, mean over models (0.5 = cannot tell). */
  mia?: number;
  /** NeurIPS 2023 challenge score of this group against the oracles (forget-quality score and final score). */
  epsilon?: { forgetScore: number; finalScore: number };
  cost?: MethodCost;
  /** Warnings in words, e.g. over-unlearning. */
  warnings: string[];
}

export interface MethodCost {
  /** Mean wall seconds per model. */
  seconds: number;
  /** Mean examples processed (forward + backward) per model. */
  examplesProcessed: number;
  /** examplesProcessed / examples processed by training one oracle from scratch (the paper's cost axis). */
  fractionOfRetraining: number;
  /** seconds / seconds of training one oracle. */
  timeFractionOfRetraining: number;
  /** For attribution-based methods: the fraction including the attribution's share, amortised over this experiment's requests. */
  fractionWithAttribution?: number;
}

export interface NoiseFloor {
  /** 'disjoint-groups': KLoM between the N oracles and an independent group; 'split-half': halves of the N oracles. */
  method: 'disjoint-groups' | 'split-half';
  /** Models per side in the floor's KLoM. */
  n: number;
  klom: Record<SplitKey, KlomSummary>;
  /** The challenge score of the independent oracle group against the oracles: the best a method can expect at this N. */
  epsilon?: { forgetScore: number; finalScore: number };
}

export interface AttributionResult {
  estimator: 'datamodels' | 'trak';
  /** Models the estimator used (subset models, or TRAK's ensemble). */
  models: number;
  /** Pearson correlation of DM-Direct's predicted margins with the oracles' mean margins, per split. */
  quality: Record<SplitKey, number>;
  /** Mean over originals of DM-Direct's predicted margin, per example (for the scatter plot). */
  predictedMargins: number[];
  /** Mean oracle margin per example. */
  oracleMeanMargins: number[];
  /** Examples processed building it (training the subset models), and wall seconds. */
  examplesProcessed: number;
  seconds: number;
}

export interface RequestResult {
  /** Which deletion request (0-based); metrics are after requests 0..request. */
  request: number;
  splits: Splits;
  /** original, oracle, then one group per method in spec order. */
  groups: Record<string, GroupResult>;
  noiseFloor: NoiseFloor;
  attribution?: AttributionResult;
  /** Training one oracle: examples processed and seconds (the cost axis' 1.0). */
  retrainCost: { examplesProcessed: number; seconds: number };
}

export interface ExperimentResult extends RequestResult {
  format: typeof RESULT_FORMAT;
  spec: ExperimentSpec;
  specHash: string;
  environment: Environment;
  createdAt: string;
  /** Scale note shown next to every number, e.g. "N = 4 seeds, reduced-scale proxy of the paper's N = 100". */
  scale: string;
  /** Earlier requests of a continual spec (the top level holds the last one). */
  earlierRequests: RequestResult[];
  timing: { seconds: number; modelsTrained: number; cacheHits: number };
  /** Things the user should know about the run (e.g. the model cache was full, so nothing was kept). */
  notes: string[];
}
