/**
 * Random labels (the SalUn repository's RL baseline): each epoch, F with fresh random WRONG labels (uniform
 * over the 9 other classes) and R with its true labels, concatenated and shuffled into one loader (SalUn's
 * `ConcatDataset` + shuffled `DataLoader`), CE in training mode, SGD with momentum and weight decay, constant lr.
 * SalUn's code draws from all 10 classes (a label may stay right); a random label that may equal the true one only dilutes forgetting, so the playground draws wrong labels.
 */
import type { ImageSet } from '../../data/types';
import { NUM_CLASSES } from '../../data/types';
import type { Optimizer } from '../../train/optimizers';
import { createRng, permutation, type Rng } from '../../rng';
import { descentLoss, passSteps, runMethod, sgd, type UnlearnRun } from '../common';
import type { UnlearnInputs, UnlearningMethod } from '../types';

/** One epoch's data: (index, label) pairs of F (random wrong labels) ∪ R (true labels), shuffled together. */
export function randomLabelEpoch(
  set: ImageSet,
  forget: Int32Array,
  retain: Int32Array,
  labelRng: Rng,
  orderRng: Rng,
): { order: Int32Array; labels: Int32Array } {
  const n = forget.length + retain.length;
  const index = new Int32Array(n);
  const label = new Int32Array(n);
  forget.forEach((f, i) => {
    index[i] = f;
    label[i] = (set.labels[f] + 1 + labelRng.int(NUM_CLASSES - 1)) % NUM_CLASSES;
  });
  retain.forEach((r, i) => {
    index[forget.length + i] = r;
    label[forget.length + i] = set.labels[r];
  });
  const perm = permutation(n, orderRng);
  return { order: perm.map((j) => index[j]), labels: perm.map((j) => label[j]) };
}

type RlParams = { epochs: number; batchSize: number; lr: number };

/** Optimisation steps of the RL epochs. */
export function randomLabelSteps(inputs: Pick<UnlearnInputs, 'forget' | 'retain'>, p: RlParams): number {
  return passSteps(inputs.forget.length + inputs.retain.length, p.batchSize) * p.epochs;
}

/** The RL epochs (shared with SalUn, which passes a masked optimizer). */
export async function randomLabelEpochs(
  run: UnlearnRun,
  optimizer: Optimizer,
  inputs: Pick<UnlearnInputs, 'forget' | 'retain' | 'seed'>,
  p: RlParams,
): Promise<void> {
  const labelRng = createRng(inputs.seed).fork('random-labels');
  const orderRng = createRng(inputs.seed).fork('order');
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const { order, labels } = randomLabelEpoch(run.set, inputs.forget, inputs.retain, labelRng, orderRng);
    await run.pass({ order, labels, batchSize: p.batchSize, optimizer, lr: p.lr, loss: descentLoss(run.model) });
  }
}

export const randomLabels: UnlearningMethod<'random-labels'> = (inputs) =>
  runMethod(inputs, randomLabelSteps(inputs, inputs.params), sgd(inputs.params), (run, optimizer) =>
    randomLabelEpochs(run, optimizer, inputs, inputs.params),
  );
