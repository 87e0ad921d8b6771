/**
 * Every unlearning method the runner can call, by name (shared/docs/unlearning.md, "Methods"). Retraining and
 * DM-Direct are not UnlearningMethods: the runner handles both (see types.ts).
 */
import type { MethodName } from '../experiment/spec';
import { doNothing } from './doNothing';
import { fineTune } from './fineTune';
import { gradientAscent } from './gradientAscent';
import { iau } from './iau';
import { datamodelMatching, oracleMatching } from './matching';
import { neggradPlus } from './neggradPlus';
import { randomLabels } from './randomLabels';
import { salun } from './salun';
import { scrub } from './scrub';
import type { UnlearningMethod } from './types';

export type UnlearnMethodName = Exclude<MethodName, 'retrain' | 'dm-direct'>;

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
};

export type { UnlearnInputs, UnlearnOutcome, UnlearnProgress, UnlearningMethod } from './types';
