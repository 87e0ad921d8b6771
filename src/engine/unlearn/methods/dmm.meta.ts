import { z } from 'zod';
import { BENCH, defineMethod } from '../methodMeta';
import { BROWSER_MATCHING_SHAPE, matchingExamples, matchingParamInfo, matchingParams } from '../matchingParams';

export const dmmMeta = defineMethod({
  name: 'dmm',
  label: 'Datamodel Matching',
  source: `Georgiev et al. 2024 (DMM), ${BENCH}: 4–10 epochs, Adam lr 1e-4, batch 512, retain ×20, forget ×5, lr ×0.95/epoch`,
  tip: 'Datamodel Matching: fine-tune θ0 with MSE on logits towards DM-Direct’s predicted oracle logits t_j = z_j(θ0) − Σ_{i∈F} β[i, j, :], over F (repeated) and a sample of R.',
  params: z.strictObject(matchingParams({ ...BROWSER_MATCHING_SHAPE, epochs: 6, lr: 3e-3 })),
  published: { epochs: 5, lr: 1e-4, batchSize: 512, retainMultiplier: 20, forgetRepeat: 5, lrDecay: 0.95 },
  paramInfo: matchingParamInfo,
  examples: matchingExamples,
  needs: { targets: 'dm-direct', attribution: true },
});
