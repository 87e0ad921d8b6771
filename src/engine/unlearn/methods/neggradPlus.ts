import { createRng } from '../../rng';
import { ascentLoss, descentLoss, passSteps, runMethod, sgd, shuffled } from '../common';
import type { UnlearningMethod } from '../types';

/**
 * NegGrad+ / ascent–descent (data-unlearning-bench's `ascent_descent`): each epoch, a gradient-ascent pass over F
 * (batch `forgetBatchSize`) while epoch < ascentEpochs, then a CE pass over R (batch `batchSize`), one shared SGD
 * optimizer (its momentum carries across the two passes), constant lr.
 */
export const neggradPlus: UnlearningMethod<'neggrad-plus'> = (inputs) => {
  const { params: p, forget, retain, model } = inputs;
  const ascentEpochs = Math.min(p.ascentEpochs, p.epochs);
  const total = ascentEpochs * passSteps(forget.length, p.forgetBatchSize) + p.epochs * passSteps(retain.length, p.batchSize);
  const forgetRng = createRng(inputs.seed).fork('forget-order');
  const retainRng = createRng(inputs.seed).fork('retain-order');
  return runMethod(inputs, total, sgd(p), async (run, optimizer) => {
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      if (epoch < ascentEpochs) {
        await run.pass({ order: shuffled(forget, forgetRng), batchSize: p.forgetBatchSize, optimizer, lr: p.lr, loss: ascentLoss(model) });
      }
      await run.pass({ order: shuffled(retain, retainRng), batchSize: p.batchSize, optimizer, lr: p.lr, loss: descentLoss(model) });
    }
  });
};
