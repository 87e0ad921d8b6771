import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const salunMeta = defineMethod({
  name: 'salun',
  label: 'SalUn',
  source: 'Fan et al. 2023 (github.com/OPTML-Group/Unlearn-Saliency): mask 50%, RL with lr 0.1, 10 epochs, batch 256',
  params: z.strictObject({
    /** Fraction of weights (global ranking by saliency) that may move. */
    maskFraction: z.number().gt(0).max(1).default(0.5),
    lr: lr(0.1),
    epochs: epochs(10),
    batchSize: batchSize(256),
    ...sgdParams,
  }),
  paramInfo: {
    maskFraction: { label: 'Saliency mask fraction', hint: 'share of weights (by saliency) allowed to move', step: 0.05 },
    lr: COMMON_PARAM_INFO.lr,
    epochs: COMMON_PARAM_INFO.epochs,
    batchSize: COMMON_PARAM_INFO.batchSize,
    ...sgdParamInfo,
  },
  // The saliency pass over F, then random labels.
  examples: (p, forget, retain) => p.epochs * passExamples(forget + retain, p.batchSize) + forget,
});
