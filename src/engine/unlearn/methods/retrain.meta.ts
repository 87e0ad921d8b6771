import { z } from 'zod';
import { defineMethod } from '../methodMeta';

/** Retrain: the runner's independent group of oracles (no implementation file). */
export const retrainMeta = defineMethod({
  name: 'retrain',
  label: 'Retrain (oracle)',
  source: 'reference: train on R from scratch with the experiment recipe',
  tip: 'Retrain: an independent group of oracles; its KLoM is the noise floor.',
  params: z.strictObject({}),
  paramInfo: {},
  examples: () => 0,
  needs: { extraOracles: (_params, n) => n },
  reference: 'independent-oracles',
});
