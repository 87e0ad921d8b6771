/**
 * Every method the playground knows, in the order the page offers them: one tf-free meta entry each
 * (methods/<name>.meta.ts). The spec's method union, the planner's cost, the runner's inputs and the method
 * cards are all derived from this list; the tfjs implementations are registered in index.ts.
 */
import type { z } from 'zod';
import { dmDirectMeta } from './methods/dmDirect.meta';
import { dmmMeta } from './methods/dmm.meta';
import { doNothingMeta } from './methods/doNothing.meta';
import { fineTuneMeta } from './methods/fineTune.meta';
import { gradientAscentMeta } from './methods/gradientAscent.meta';
import { iauMeta } from './methods/iau.meta';
import { l1SparseMeta } from './methods/l1Sparse.meta';
import { neggradPlusMeta } from './methods/neggradPlus.meta';
import { oracleMatchingMeta } from './methods/oracleMatching.meta';
import { randomLabelsMeta } from './methods/randomLabels.meta';
import { retrainMeta } from './methods/retrain.meta';
import { salunMeta } from './methods/salun.meta';
import { scrubMeta } from './methods/scrub.meta';
import type { MethodDefinition } from './methodMeta';

export const METHOD_CATALOG = [
  doNothingMeta,
  retrainMeta,
  oracleMatchingMeta,
  dmDirectMeta,
  dmmMeta,
  gradientAscentMeta,
  fineTuneMeta,
  neggradPlusMeta,
  scrubMeta,
  randomLabelsMeta,
  salunMeta,
  iauMeta,
  l1SparseMeta,
] as const;

type Entry = (typeof METHOD_CATALOG)[number];
export type MethodName = Entry['name'];
export type MethodMeta<M extends MethodName = MethodName> = Extract<Entry, { name: M }>;
export type MethodParams<M extends MethodName> = z.output<MethodMeta<M>['params']>;
/** Methods the runner assembles itself (Retrain, DM-Direct); every other one has an implementation in index.ts. */
export type ReferenceMethodName = Extract<Entry, { reference: string }>['name'];
export type UnlearnMethodName = Exclude<MethodName, ReferenceMethodName>;

export const METHOD_NAMES: readonly MethodName[] = METHOD_CATALOG.map((m) => m.name);

const byName = new Map<string, MethodDefinition>(METHOD_CATALOG.map((m) => [m.name, m as unknown as MethodDefinition]));

export const isMethodName = (name: unknown): name is MethodName => typeof name === 'string' && byName.has(name);

/** The catalog entry of a method, with its parameters typed loosely (for code that handles any method). */
export function methodMeta(name: MethodName): MethodDefinition {
  const meta = byName.get(name);
  if (!meta) throw new Error(`no method "${name}" in the catalog`);
  return meta;
}
