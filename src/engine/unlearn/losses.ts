/** Loss functions of the unlearning methods. Call inside tf.tidy. */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../data/types';
import { softmaxCrossEntropy } from '../train/trainer';

/** Mean softmax cross-entropy over the batch (the trainer's, with its closed-form gradient). */
export const crossEntropy = softmaxCrossEntropy;

/** Σ_i w_i · CE(z_i, y_i): a weighted sum (weights may be negative or 0, e.g. for padding rows). */
export function weightedCrossEntropySum(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32');
  const perExample = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1));
  return tf.sum(tf.mul(perExample, weights)) as tf.Scalar;
}

/**
 * SCRUB's distillation loss: KL(softmax(t/T) ‖ softmax(s/T)) · T², summed over classes and averaged over the
 * batch (PyTorch `kl_div(log_softmax(s/T), softmax(t/T), reduction='batchmean') * T²`). Gradients flow only to
 * the student's variables (tf.variableGrads differentiates w.r.t. the variables it is given; the frozen
 * teacher's are not among them).
 */
export function distillKl(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  const logPt = tf.logSoftmax(tf.div(teacher, temperature));
  const logPs = tf.logSoftmax(tf.div(student, temperature));
  const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)));
  return tf.mul(kl, (temperature * temperature) / student.shape[0]) as tf.Scalar;
}

/** Mean over the batch and the classes of (z − t)² (PyTorch `mse_loss` on logits). */
export function logitMse(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.squaredDifference(logits, targets)) as tf.Scalar;
}

/** Rows `indices` of a [count × 10] row-major target array, as a [b, 10] tensor. */
export function targetRows(targets: Float32Array, indices: ArrayLike<number>): tf.Tensor2D {
  const out = new Float32Array(indices.length * NUM_CLASSES);
  for (let b = 0; b < indices.length; b++) {
    out.set(targets.subarray(indices[b] * NUM_CLASSES, (indices[b] + 1) * NUM_CLASSES), b * NUM_CLASSES);
  }
  return tf.tensor2d(out, [indices.length, NUM_CLASSES]);
}
