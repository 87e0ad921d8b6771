import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { BENCH, COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams, type ParamIssue } from '../methodMeta';

export const scrubMeta = defineMethod({
  name: 'scrub',
  label: 'SCRUB',
  source: `Kurmanji et al. 2023 (github.com/meghdadk/SCRUB) as run by ${BENCH}: T 4, γ 0.99, α 0.1, lr 5e-4, decay ×0.1 at 3/5/9, forget batch 32, retain batch 64`,
  params: z.strictObject({
    lr: lr(5e-4),
    epochs: epochs(5),
    /** Max steps (over F) happen while epoch < msteps (≤ epochs). */
    msteps: z.int().min(0).max(200).default(3),
    temperature: z.number().gt(0).max(100).default(4),
    gamma: z.number().min(0).max(100).default(0.99),
    alpha: z.number().min(0).max(100).default(0.1),
    forgetBatchSize: batchSize(32),
    batchSize: batchSize(64),
    /** lr ×lrDecayRate after each of these epochs (strictly increasing). */
    lrDecayEpochs: z.array(z.int().min(1).max(200)).max(20).default([3, 5, 9]),
    lrDecayRate: z.number().gt(0).max(1).default(0.1),
    ...sgdParams,
  }),
  paramInfo: {
    lr: COMMON_PARAM_INFO.lr,
    epochs: COMMON_PARAM_INFO.epochs,
    msteps: { label: 'Max steps (epochs)', hint: 'max steps over F happen while epoch < msteps' },
    temperature: { label: 'Temperature T', step: 0.5 },
    gamma: { label: 'γ (CE weight)', step: 0.01 },
    alpha: { label: 'α (KL weight)', step: 0.01 },
    forgetBatchSize: COMMON_PARAM_INFO.forgetBatchSize,
    batchSize: COMMON_PARAM_INFO.batchSize,
    lrDecayEpochs: { label: 'LR decay at epochs', hint: 'comma-separated, increasing' },
    lrDecayRate: { label: 'LR decay factor', step: 0.01 },
    ...sgdParamInfo,
  },
  check: (p) => {
    const issues: ParamIssue[] = [];
    if (p.msteps > p.epochs) issues.push({ path: ['msteps'], message: `must be ≤ epochs (${p.epochs}), got ${p.msteps}` });
    const decay = p.lrDecayEpochs;
    const j = decay.findIndex((d, i) => i > 0 && d <= decay[i - 1]);
    if (j > 0) issues.push({ path: ['lrDecayEpochs', j], message: `must be increasing (${decay[j - 1]} then ${decay[j]})` });
    return issues;
  },
  examples: (p, forget, retain) =>
    Math.min(p.msteps, p.epochs) * passExamples(forget, p.forgetBatchSize) + p.epochs * passExamples(retain, p.batchSize),
});
