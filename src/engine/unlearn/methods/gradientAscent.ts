import { createRng } from '../../rng';
import { ascentLoss, passSteps, runMethod, sgd, shuffled } from '../common';
import type { UnlearningMethod } from '../types';

/** Gradient ascent: minimise −CE on F (training mode), SGD with momentum and weight decay, constant lr. */
export const gradientAscent: UnlearningMethod<'gradient-ascent'> = (inputs) => {
  const { params, forget, model } = inputs;
  const rng = createRng(inputs.seed).fork('order');
  return runMethod(inputs, passSteps(forget.length, params.batchSize) * params.epochs, sgd(params), async (run, optimizer) => {
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      await run.pass({ order: shuffled(forget, rng), batchSize: params.batchSize, optimizer, lr: params.lr, loss: ascentLoss(model) });
    }
  });
};
