import { matching } from '../matching';
import type { UnlearningMethod } from '../types';

/** Oracle Matching: the shared matching recipe towards the mean logits of K oracles. */
export const oracleMatching: UnlearningMethod<'oracle-matching'> = (inputs) => matching(inputs, 'Oracle Matching');
