/**
 * SalUn (Fan et al. 2023, github.com/OPTML-Group/Unlearn-Saliency). Saliency g = |∇θ Σ_F (−CE)| at θ0 in
 * evaluation mode (running batch-norm statistics), accumulated over F in batches of `batchSize`; the mask keeps
 * the top ⌊maskFraction · #weights⌋ (at least 1) of ALL trainable weights by g (one global ranking; ties go to
 * the weight that comes first in the model's parameter order, then in row-major order). Then random labels
 * (randomLabels.ts) with SGD whose whole update direction, weight decay included, is multiplied by the mask:
 * masked-out weights stay bit-identical to θ0. (SalUn's code masks the gradient before `optimizer.step()`, so
 * its weight decay still shrinks masked-out weights; batch-norm running statistics, which are not weights,
 * keep being updated by the training-mode passes in both.)
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '../../models/layers';
import { SgdMomentum, type Gradients } from '../../train/optimizers';
import { accumulationBatches, checkSets, UnlearnRun } from '../common';
import { randomLabelEpochs, randomLabelSteps } from './randomLabels';
import type { UnlearningMethod } from '../types';

/**
 * 0/1 masks (keyed by variable name) keeping the `keep` largest |g| over all of `params` together. Disposes
 * nothing; missing gradients count as 0.
 */
export async function topMasks(params: NamedVariable[], grads: Gradients, fraction: number): Promise<Map<string, tf.Tensor>> {
  const parts: Float32Array[] = [];
  for (const { variable } of params) {
    const g = grads[variable.name];
    if (!g) {
      parts.push(new Float32Array(variable.size));
      continue;
    }
    const abs = tf.abs(g);
    parts.push((await abs.data()) as Float32Array);
    abs.dispose();
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const keep = Math.min(total, Math.max(1, Math.floor(fraction * total)));
  const all = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  // NaN sorts last in a typed-array sort; a NaN saliency is never preferred.
  const sorted = all.slice().sort();
  const threshold = sorted[total - keep];
  let ties = keep;
  for (const v of all) if (v > threshold) ties--;
  const masks = new Map<string, tf.Tensor>();
  offset = 0;
  params.forEach(({ variable }, k) => {
    const values = new Float32Array(variable.size);
    const part = parts[k];
    for (let i = 0; i < part.length; i++) {
      if (part[i] > threshold) values[i] = 1;
      else if (part[i] === threshold && ties > 0) {
        values[i] = 1;
        ties--;
      }
    }
    masks.set(variable.name, tf.tensor(values, variable.shape, 'float32'));
    offset += part.length;
  });
  return masks;
}

export const salun: UnlearningMethod<'salun'> = async (inputs) => {
  const { params: p, forget } = inputs;
  checkSets(inputs);
  const run = new UnlearnRun(inputs, accumulationBatches(forget.length, p.batchSize) + randomLabelSteps(inputs, p));
  let masks: Map<string, tf.Tensor> | undefined;
  let optimizer: SgdMomentum | undefined;
  try {
    const grads = await run.accumulateGradients(forget, new Float32Array(forget.length).fill(-1), p.batchSize);
    try {
      masks = await topMasks(inputs.model.trainable, grads, p.maskFraction);
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    optimizer = new SgdMomentum(run.variables, p.momentum, p.weightDecay, masks);
    await randomLabelEpochs(run, optimizer, inputs, p);
    return run.outcome();
  } finally {
    optimizer?.dispose();
    for (const m of masks?.values() ?? []) m.dispose();
    run.dispose();
  }
};
