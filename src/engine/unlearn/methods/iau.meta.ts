import { z } from 'zod';
import { lr } from '../../schemaParts';
import { COMMON_PARAM_INFO, defineMethod } from '../methodMeta';

export const iauMeta = defineMethod({
  name: 'iau',
  label: 'IAU',
  source: 'Liu et al. (github.com/Lolo1222/IAU): one full-batch Adam step on ∇CE(R) − ∇CE(F), lr 1e-3',
  params: z.strictObject({ lr: lr(1e-3) }),
  paramInfo: { lr: COMMON_PARAM_INFO.lr },
  examples: (_p, forget, retain) => forget + retain,
});
