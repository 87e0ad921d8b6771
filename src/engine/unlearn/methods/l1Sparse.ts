import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../rng';
import { passSteps, runMethod, sgd, shuffled } from '../common';
import { crossEntropy } from '../losses';
import type { UnlearningMethod } from '../types';

/**
 * ℓ1-sparse unlearning (Jia et al. 2023; the SalUn repository's FT_l1): fine-tune on R with
 * CE + α_e·‖θ‖₁ over every trainable weight, α_e = α·(1 − e/epochs) in 0-based epoch e, SGD with momentum
 * and weight decay, constant lr, training mode.
 */
export const l1Sparse: UnlearningMethod<'l1-sparse'> = (inputs) => {
  const { params: p, retain, model } = inputs;
  const rng = createRng(inputs.seed).fork('order');
  return runMethod(inputs, passSteps(retain.length, p.batchSize) * p.epochs, sgd(p), async (run, optimizer) => {
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      const alpha = p.alpha * (1 - epoch / p.epochs);
      await run.pass({
        order: shuffled(retain, rng),
        batchSize: p.batchSize,
        optimizer,
        lr: p.lr,
        loss: (b) => {
          const ce = crossEntropy(model.apply(b.x, true), b.y);
          if (alpha === 0) return ce;
          const l1 = tf.addN(model.trainable.map(({ variable }) => tf.sum(tf.abs(variable))));
          return tf.add(ce, tf.mul(l1, alpha)) as tf.Scalar;
        },
      });
    }
  });
};
