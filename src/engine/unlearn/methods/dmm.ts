import { matching } from '../matching';
import type { UnlearningMethod } from '../types';

/** Datamodel Matching: the shared matching recipe towards DM-Direct's predicted logits z(θ0) − Σ_F β. */
export const datamodelMatching: UnlearningMethod<'dmm'> = (inputs) => matching(inputs, 'DMM');
