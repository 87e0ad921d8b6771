import type { UnlearningMethod } from '../types';

/** θu = θ0: the upper reference (no step, no example processed). */
export const doNothing: UnlearningMethod<'do-nothing'> = async () => ({ steps: 0, examplesProcessed: 0 });
