import { z } from 'zod';
import { defineMethod } from '../methodMeta';

/** DM-Direct: the attribution's predicted logits, assembled by the runner (no model, no implementation file). */
export const dmDirectMeta = defineMethod({
  name: 'dm-direct',
  label: 'DM-Direct',
  source: 'Georgiev et al. 2024 (DM-Direct): predicted logits z(θ0) − Σ_F β, no training',
  tip: 'DM-Direct: no training; the predicted oracle logits ẑ_j = z_j(θ0) − Σ_{i∈F} β[i, j, :].',
  params: z.strictObject({}),
  paramInfo: {},
  examples: () => 0,
  needs: { attribution: true },
  reference: 'dm-direct-prediction',
});
