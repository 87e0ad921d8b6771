import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { BENCH, COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const gradientAscentMeta = defineMethod({
  name: 'gradient-ascent',
  label: 'Gradient ascent',
  source: `SalUn repository's GA recipe (lr 1e-4, 5 epochs, SGD momentum 0.9, wd 5e-4); batch 64 from ${BENCH}`,
  params: z.strictObject({ lr: lr(1e-3), epochs: epochs(10), batchSize: batchSize(64), ...sgdParams }),
  published: { lr: 1e-4, epochs: 5 },
  paramInfo: { lr: COMMON_PARAM_INFO.lr, epochs: COMMON_PARAM_INFO.epochs, batchSize: COMMON_PARAM_INFO.batchSize, ...sgdParamInfo },
  examples: (p, forget) => p.epochs * passExamples(forget, p.batchSize),
});
