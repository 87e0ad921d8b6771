import { z } from 'zod';
import { defineMethod } from '../methodMeta';

export const doNothingMeta = defineMethod({
  name: 'do-nothing',
  label: 'Do nothing',
  source: 'reference: θu = θ0',
  tip: 'Do nothing: θu = θ0, the upper reference.',
  params: z.strictObject({}),
  paramInfo: {},
  examples: () => 0,
});
