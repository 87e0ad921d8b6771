import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const randomLabelsMeta = defineMethod({
  name: 'random-labels',
  label: 'Random labels',
  source: 'Fan et al. 2023 (SalUn repository) RL baseline: lr 0.01, 10 epochs, batch 256, SGD momentum 0.9, wd 5e-4',
  params: z.strictObject({ lr: lr(0.01), epochs: epochs(10), batchSize: batchSize(256), ...sgdParams }),
  paramInfo: { lr: COMMON_PARAM_INFO.lr, epochs: COMMON_PARAM_INFO.epochs, batchSize: COMMON_PARAM_INFO.batchSize, ...sgdParamInfo },
  examples: (p, forget, retain) => p.epochs * passExamples(forget + retain, p.batchSize),
});
