import { z } from 'zod';
import { batchSize, epochs, lr } from '../../schemaParts';
import { COMMON_PARAM_INFO, defineMethod, passExamples, sgdParamInfo, sgdParams } from '../methodMeta';

export const l1SparseMeta = defineMethod({
  name: 'l1-sparse',
  label: 'ℓ1-sparse fine-tune',
  source:
    'Jia et al. 2023, as FT_l1 in the SalUn repository (github.com/OPTML-Group/Unlearn-Saliency): α 5e-4 decaying to 0, lr 0.01, 10 epochs, batch 256, SGD momentum 0.9, wd 5e-4',
  tip: 'ℓ1-sparse: fine-tune on R with cross-entropy plus α_e·‖θ‖₁, α_e = α·(1 − e/epochs) shrinking to 0; sparser weights forget more of what only F supported.',
  params: z.strictObject({
    lr: lr(0.01),
    epochs: epochs(10),
    batchSize: batchSize(256),
    /** Weight of ‖θ‖₁ in the first epoch; it decays linearly to 0 over the epochs. */
    alpha: z.number().min(0).max(1).default(5e-4),
    ...sgdParams,
  }),
  paramInfo: {
    lr: COMMON_PARAM_INFO.lr,
    epochs: COMMON_PARAM_INFO.epochs,
    batchSize: COMMON_PARAM_INFO.batchSize,
    alpha: { label: 'α (ℓ1 weight)', hint: 'weight of ‖θ‖₁ in the first epoch, decaying linearly to 0', step: 0.0001 },
    ...sgdParamInfo,
  },
  examples: (p, _forget, retain) => p.epochs * passExamples(retain, p.batchSize),
});
