import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { BENCH, COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const fineTuneMeta = defineMethod({
  name: 'fine-tune',
  label: 'Fine-tune on retain',
  source: `the usual fine-tuning baseline (lr 1e-3, 5 epochs, SGD momentum 0.9, wd 5e-4); batch 64 from ${BENCH}`,
  params: z.strictObject({ lr: lr(1e-3), epochs: epochs(5), batchSize: batchSize(64), ...sgdParams }),
  paramInfo: { lr: COMMON_PARAM_INFO.lr, epochs: COMMON_PARAM_INFO.epochs, batchSize: COMMON_PARAM_INFO.batchSize, ...sgdParamInfo },
  examples: (p, _forget, retain) => p.epochs * passExamples(retain, p.batchSize),
});
