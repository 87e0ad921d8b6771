import { createRng } from '../../rng';
import { descentLoss, passSteps, runMethod, sgd, shuffled } from '../common';
import type { UnlearningMethod } from '../types';

/** Fine-tune on retain ("GD"): CE on R (training mode), SGD with momentum and weight decay, constant lr. */
export const fineTune: UnlearningMethod<'fine-tune'> = (inputs) => {
  const { params, retain, model } = inputs;
  const rng = createRng(inputs.seed).fork('order');
  return runMethod(inputs, passSteps(retain.length, params.batchSize) * params.epochs, sgd(params), async (run, optimizer) => {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      await run.pass({ order: shuffled(retain, rng), batchSize: params.batchSize, optimizer, lr: params.lr, loss: descentLoss(model) });
    }
  });
};
