/**
 * The tfjs implementation of every method in the catalog, by name. Retrain and DM-Direct are reference groups
 * the runner assembles itself (their meta says `reference`), so they have no entry here.
 */
import type { UnlearnMethodName } from './catalog';
import { datamodelMatching } from './methods/dmm';
import { doNothing } from './methods/doNothing';
import { fineTune } from './methods/fineTune';
import { gradientAscent } from './methods/gradientAscent';
import { iau } from './methods/iau';
import { l1Sparse } from './methods/l1Sparse';
import { neggradPlus } from './methods/neggradPlus';
import { oracleMatching } from './methods/oracleMatching';
import { randomLabels } from './methods/randomLabels';
import { salun } from './methods/salun';
import { scrub } from './methods/scrub';
import type { UnlearningMethod } from './types';

export const METHODS: { [M in UnlearnMethodName]: UnlearningMethod<M> } = {
  'do-nothing': doNothing,
  'oracle-matching': oracleMatching,
  dmm: datamodelMatching,
  'gradient-ascent': gradientAscent,
  'fine-tune': fineTune,
  'neggrad-plus': neggradPlus,
  scrub,
  'random-labels': randomLabels,
  salun,
  iau,
  'l1-sparse': l1Sparse,
};

export type { UnlearnMethodName } from './catalog';
export type { UnlearnInputs, UnlearnOutcome, UnlearnProgress, UnlearningMethod } from './types';
