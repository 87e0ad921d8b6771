/**
 * IAU (Liu et al., github.com/Lolo1222/IAU, `IAU_unlearn.py`): one Adam step (fresh state, lr `lr`) on the
 * full-batch gradient ∇[CE(R) − CE(F)], each CE the mean over its set (the authors back-propagate the mean loss
 * of one full batch of R, then of −CE on one full batch of F, and step once).
 *
 * The full batches do not fit here, so the gradient is accumulated over batches of 256 with the model in
 * evaluation mode (running batch-norm statistics): each example's gradient is then independent of its batch,
 * the sum is exactly the full-batch gradient, and no running statistic moves. (The authors' small CNN has no
 * batch norm, so training mode made no difference there.) Rows: R with weight 1/|R|, F with −1/|F|.
 */
import { Adam } from '../../train/optimizers';
import { accumulationBatches, checkSets, UnlearnRun } from '../common';
import type { UnlearningMethod } from '../types';

const IAU_BATCH = 256;

export const iau: UnlearningMethod<'iau'> = async (inputs) => {
  const { forget, retain } = inputs;
  checkSets(inputs);
  const n = retain.length + forget.length;
  const indices = new Int32Array(n);
  const weights = new Float32Array(n);
  indices.set(retain);
  indices.set(forget, retain.length);
  weights.fill(1 / retain.length, 0, retain.length);
  weights.fill(-1 / forget.length, retain.length);
  const run = new UnlearnRun(inputs, accumulationBatches(n, IAU_BATCH) + 1);
  const optimizer = new Adam(run.variables);
  try {
    const grads = await run.accumulateGradients(indices, weights, IAU_BATCH);
    try {
      await inputs.control?.checkpoint();
      optimizer.step(grads, inputs.params.lr);
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    await run.recordStep(undefined);
    return run.outcome();
  } finally {
    optimizer.dispose();
    run.dispose();
  }
};
