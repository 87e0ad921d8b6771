import * as tf from '@tensorflow/tfjs';
import { ActiveTime, RunControl } from '../control';
import { fillBatch, toInputTensor } from '../data/batches';
import { PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import type { Model } from '../models/model';
import { createRng, shuffleInPlace } from '../rng';
import { SgdMomentum } from './optimizers';
import { stepsPerEpoch, triangularLr } from './schedule';

/** The paper's recipe shape (SGD + momentum, triangular LR, weight decay), scaled to the browser. */
export interface TrainRecipe {
  epochs: number;
  batchSize: number;
  peakLr: number;
  /** Epoch at which the triangular schedule peaks (the paper: 5 of 24). */
  peakEpoch: number;
  momentum: number;
  weightDecay: number;
  /** Random horizontal flips (off in the paper's recipe). */
  flip: boolean;
}

export interface TrainProgress {
  phase: string;
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  /** Mean training loss and accuracy over the steps since the last event. */
  loss: number;
  accuracy: number;
  lr: number;
  imagesPerSec: number;
  etaSeconds: number;
  /** Seconds from the start of training to the end of the first step (includes shader compilation). */
  firstStepSeconds: number;
}

export interface TrainOptions {
  /** Seeds the data order and augmentation (the model's init has its own seed). */
  seed: number;
  phase?: string;
  control?: RunControl;
  onProgress?: (p: TrainProgress) => void;
  /** Minimum milliseconds between progress events (the loss is read from the device only then). */
  progressIntervalMs?: number;
}

export interface TrainSummary {
  steps: number;
  examplesProcessed: number;
  seconds: number;
  firstStepSeconds: number;
  imagesPerSec: number;
  finalLoss: number;
}

/** Number of optimisation steps: the last partial batch of each epoch is dropped (fixed shapes). */

/**
 * Mean softmax cross-entropy over the batch, with the closed-form gradient (softmax − onehot)·dy/B for the logits
 * instead of autodiff through logSoftmax, mul, sum and mean (a dozen small kernels per step).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [batch, classes] = logits.shape;
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32');
    const logProbs = tf.logSoftmax(x);
    save([logProbs, oneHot]);
    const value = tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), 1))) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, [lp, target]: tf.Tensor[]) => tf.mul(tf.sub(tf.exp(lp), target), tf.div(dy, batch)),
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * One optimisation step on a batch (x: normalised images, y: int32 labels): the gradients of the mean cross-entropy
 * in training mode (batch statistics, running statistics updated), then the optimizer's update. Returns
 * [loss, correct count]; call it inside tf.tidy.
 */
export function trainingStep(model: Model, optimizer: SgdMomentum, x: tf.Tensor4D, y: tf.Tensor1D, lr: number): tf.Tensor1D {
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(
    () => {
      const logits = model.apply(x, true);
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')) as tf.Scalar);
      return softmaxCrossEntropy(logits, y);
    },
    model.trainable.map((p) => p.variable),
  );
  optimizer.step(grads, lr);
  const stats = tf.stack([value, correct!]) as tf.Tensor1D;
  correct!.dispose();
  return stats;
}

/**
 * Trains `model` in place on `set[indices]` with the recipe. Batches are built from the uint8 data one
 * at a time; every step runs inside tidy, so `tf.memory().numTensors` is the same before and after.
 */
export async function trainModel(
  model: Model,
  set: ImageSet,
  indices: ArrayLike<number>,
  recipe: TrainRecipe,
  options: TrainOptions,
): Promise<TrainSummary> {
  const n = indices.length;
  if (n === 0) throw new Error('cannot train on an empty set');
  const batchSize = Math.min(recipe.batchSize, n);
  const perEpoch = stepsPerEpoch(n, batchSize);
  const totalSteps = perEpoch * recipe.epochs;
  const rng = createRng(options.seed).fork('data-order');
  const order = Int32Array.from(indices as ArrayLike<number>);
  const raw = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const labels = new Int32Array(batchSize);
  const flips = new Uint8Array(batchSize);
  const batchIndices = new Int32Array(batchSize);
  const variables = model.trainable.map((p) => p.variable);
  const optimizer = new SgdMomentum(variables, recipe.momentum, recipe.weightDecay);
  const phase = options.phase ?? 'train';
  const intervalMs = options.progressIntervalMs ?? 250;

  const start = performance.now();
  // Throughput over active time: a pause does not lower the images/s shown.
  const active = new ActiveTime(options.control);
  let firstStepSeconds = 0;
  let timedFrom = 0;
  let timedSteps = 0;
  let lastEventAt = 0;
  let sums: tf.Tensor1D | undefined; // [loss sum, correct count] since the last read
  let stepsInSums = 0;
  let lastLoss = Number.NaN;
  let step = 0;

  const readSums = async (epoch: number) => {
    if (!sums) return;
    const [lossSum, correct] = await sums.data();
    sums.dispose();
    sums = undefined;
    const now = performance.now();
    if (step === 1 && firstStepSeconds === 0) {
      firstStepSeconds = (now - start) / 1000;
      timedFrom = active.seconds();
      timedSteps = 0;
    }
    const elapsed = active.seconds() - timedFrom;
    const rate = timedSteps > 0 && elapsed > 0 ? (timedSteps * batchSize) / elapsed : 0;
    lastLoss = lossSum / stepsInSums;
    options.onProgress?.({
      phase,
      epoch,
      epochs: recipe.epochs,
      step,
      totalSteps,
      loss: lastLoss,
      accuracy: correct / (stepsInSums * batchSize),
      lr: triangularLr(step / perEpoch, recipe.epochs, recipe.peakLr, recipe.peakEpoch),
      imagesPerSec: rate,
      etaSeconds: rate > 0 ? ((totalSteps - step) * batchSize) / rate : Number.NaN,
      firstStepSeconds,
    });
    stepsInSums = 0;
    lastEventAt = now;
  };

  try {
    for (let epoch = 0; epoch < recipe.epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (let s = 0; s < perEpoch; s++) {
        // Report the steps done so far before waiting, so a paused run shows where it stopped.
        if (options.control?.isPaused && stepsInSums > 0) await readSums(epoch);
        await options.control?.checkpoint();
        for (let b = 0; b < batchSize; b++) {
          batchIndices[b] = order[s * batchSize + b];
          flips[b] = recipe.flip && rng.next() < 0.5 ? 1 : 0;
        }
        fillBatch(set, batchIndices, raw, labels, recipe.flip ? flips : undefined);
        const lr = triangularLr((step + 0.5) / perEpoch, recipe.epochs, recipe.peakLr, recipe.peakEpoch);
        const stepStats = tf.tidy(() => {
          const stats = trainingStep(model, optimizer, toInputTensor(raw, batchSize), tf.tensor1d(labels, 'int32'), lr);
          return sums ? tf.add(sums, stats) : stats;
        });
        sums?.dispose();
        sums = stepStats as tf.Tensor1D;
        stepsInSums++;
        step++;
        timedSteps++;
        const now = performance.now();
        if (step === 1 || step === totalSteps || now - lastEventAt >= intervalMs) await readSums(epoch);
      }
    }
  } finally {
    sums?.dispose();
    optimizer.dispose();
  }
  // Both without the pauses.
  const seconds = active.seconds();
  const timedSeconds = seconds - timedFrom;
  return {
    steps: totalSteps,
    examplesProcessed: totalSteps * batchSize,
    seconds,
    firstStepSeconds,
    imagesPerSec: timedSeconds > 0 ? ((totalSteps - 1) * batchSize) / timedSeconds : 0,
    finalLoss: lastLoss,
  };
}
