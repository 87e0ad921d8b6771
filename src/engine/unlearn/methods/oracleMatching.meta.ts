import { z } from 'zod';
import { BENCH, defineMethod } from '../methodMeta';
import { BROWSER_MATCHING_SHAPE, matchingExamples, matchingParamInfo, matchingParams } from '../matchingParams';

export const oracleMatchingMeta = defineMethod({
  name: 'oracle-matching',
  label: 'Oracle Matching',
  source: `Georgiev et al. 2024 (Oracle Matching), ${BENCH}: K 1, 10 epochs, Adam lr 1e-3, batch 512, retain ×5, forget ×1, lr ×0.95/epoch`,
  tip: 'Oracle Matching: fine-tune θ0 towards the mean logits of K real oracles. It needs oracles, so it is an idealised upper bound.',
  params: z.strictObject({
    /** K: how many oracles' mean logits are the target. */
    oracles: z.int().min(1).max(100).default(1),
    ...matchingParams({ ...BROWSER_MATCHING_SHAPE, epochs: 6, lr: 1e-3 }),
  }),
  published: { epochs: 10, lr: 1e-3, batchSize: 512, retainMultiplier: 5, forgetRepeat: 1, lrDecay: 0.95 },
  paramInfo: { oracles: { label: 'Oracles K', hint: 'the target is the mean logits of K oracle models' }, ...matchingParamInfo },
  examples: matchingExamples,
  needs: { targets: 'oracle-mean', extraOracles: (p) => p.oracles },
});
