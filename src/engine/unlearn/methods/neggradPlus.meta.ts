import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { BENCH, COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const neggradPlusMeta = defineMethod({
  name: 'neggrad-plus',
  label: 'NegGrad+ (ascent + descent)',
  source: `${BENCH} ascent_descent example config: lr 1e-3, 5 epochs, 3 ascent epochs, forget batch 32, retain batch 64`,
  params: z.strictObject({
    lr: lr(1e-3),
    epochs: epochs(5),
    /** GA passes over F happen in the first `ascentEpochs` epochs (≤ epochs). */
    ascentEpochs: z.int().min(0).max(200).default(3),
    forgetBatchSize: batchSize(32),
    batchSize: batchSize(64),
    ...sgdParams,
  }),
  paramInfo: {
    lr: COMMON_PARAM_INFO.lr,
    epochs: COMMON_PARAM_INFO.epochs,
    ascentEpochs: { label: 'Ascent epochs', hint: 'gradient-ascent passes over F happen in the first epochs only' },
    forgetBatchSize: COMMON_PARAM_INFO.forgetBatchSize,
    batchSize: COMMON_PARAM_INFO.batchSize,
    ...sgdParamInfo,
  },
  check: (p) =>
    p.ascentEpochs > p.epochs ? [{ path: ['ascentEpochs'], message: `must be ≤ epochs (${p.epochs}), got ${p.ascentEpochs}` }] : [],
  examples: (p, forget, retain) => p.ascentEpochs * passExamples(forget, p.forgetBatchSize) + p.epochs * passExamples(retain, p.batchSize),
});
