/**
 * What the planner, the spec and the page know about a method, without tfjs: its name, label, where its
 * defaults come from, its parameters (zod, with defaults), how to show each parameter, cross-field checks,
 * its cost in examples and what the runner must hand it. One `<name>.meta.ts` per method defines this with
 * `defineMethod`; `<name>.ts` beside it is the tfjs implementation.
 */
import type { z } from 'zod';
import { momentum, weightDecay } from '../schemaParts';
import { trainingExamples } from '../train/schedule';

export interface ParamInfo {
  label: string;
  hint?: string;
  /** Step of the number input. */
  step?: number;
}

/** A problem with a parameter, found by a method's cross-field check. */
export interface ParamIssue {
  /** The parameter, and an element index for list parameters. */
  path: [string] | [string, number];
  message: string;
}

type Shape = z.core.$ZodShape;
type Params<S extends Shape> = z.output<z.ZodObject<S, z.core.$strict>>;

export interface MethodNeeds<P> {
  /** Target logits the runner computes for each model: the mean logits of K oracles, or DM-Direct's prediction. */
  targets?: 'oracle-mean' | 'dm-direct';
  /** Independent oracles per request beyond the N (the runner trains max over methods and spec.extraOracles). */
  extraOracles?: (params: P, n: number) => number;
  /** Reads the data attribution (datamodels or TRAK). */
  attribution?: true;
}

export interface MethodDefinition<N extends string = string, S extends Shape = Shape> {
  name: N;
  label: string;
  /** Where the published values come from (shown on the method card). */
  source: string;
  /** What the method does, in a sentence or two (the card's info tip). */
  tip?: string;
  /** The parameters, with the browser-scale defaults (the published values where those were not tuned). */
  params: z.ZodObject<S, z.core.$strict>;
  /**
   * The published values where they differ from the browser-scale defaults: what a method entry with
   * `settings: "published"` starts from. Absent when the tuning kept the published values.
   */
  published?: Partial<z.input<z.ZodObject<S, z.core.$strict>>>;
  /** How the page shows each parameter. */
  paramInfo: { [K in keyof S]: ParamInfo };
  /** Checks between parameters, run after the schema accepted them. */
  check?: (params: Params<S>) => ParamIssue[];
  /** Examples (forward + backward) one run processes for |F| = forget and |R| = retain: the plan's cost. */
  examples: (params: Params<S>, forget: number, retain: number) => number;
  needs?: MethodNeeds<Params<S>>;
  /**
   * A reference group the runner assembles itself instead of running an unlearning method: an independent
   * group of oracles (Retrain), or DM-Direct's predicted logits.
   */
  reference?: 'independent-oracles' | 'dm-direct-prediction';
}

export type ReferenceKind = NonNullable<MethodDefinition['reference']>;

/** Identity, for inference: keeps the literal name, the parameter shape and the reference kind in the entry's type. */
export function defineMethod<const N extends string, S extends Shape, const R extends ReferenceKind | undefined = undefined>(
  definition: MethodDefinition<N, S> & { reference?: R },
): MethodDefinition<N, S> & { reference: R } {
  return definition as MethodDefinition<N, S> & { reference: R };
}

/** Examples of one pass over `count` points in batches of `batchSize` (0 for an empty set). */
export const passExamples = (count: number, batchSize: number) => (count > 0 ? trainingExamples(count, 1, batchSize) : 0);

/** Labels of the parameters most methods share. */
export const COMMON_PARAM_INFO = {
  lr: { label: 'Learning rate', step: 0.0001 },
  epochs: { label: 'Epochs' },
  batchSize: { label: 'Batch size' },
  momentum: { label: 'Momentum', step: 0.01 },
  weightDecay: { label: 'Weight decay', step: 0.0001 },
  forgetBatchSize: { label: 'Forget batch size' },
} satisfies Record<string, ParamInfo>;

/** The SGD parameters most baselines share (momentum 0.9, weight decay 5e-4), with their labels. */
export const sgdParams = { momentum: momentum(0.9), weightDecay: weightDecay(5e-4) };
export const sgdParamInfo = { momentum: COMMON_PARAM_INFO.momentum, weightDecay: COMMON_PARAM_INFO.weightDecay };

export const BENCH = 'github.com/RoyRin/data-unlearning-bench';
