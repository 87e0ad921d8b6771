import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { ParamBuilder, batchNorm } from './params';
import type { Forward } from './model';

/**
 * A small CNN for fast runs (≈34k parameters): three conv3×3–BN–ReLU–maxpool stages (16, 32, 64
 * channels) and a dense classifier on the 4×4×64 features.
 */
export function buildTinyCnn(rng: Rng) {
  const b = new ParamBuilder(rng);
  const stages = [
    { conv: b.conv('conv1', 3, 3, 16), bn: b.batchNorm('bn1', 16) },
    { conv: b.conv('conv2', 3, 16, 32), bn: b.batchNorm('bn2', 32) },
    { conv: b.conv('conv3', 3, 32, 64), bn: b.batchNorm('bn3', 64) },
  ];
  const head = b.dense('fc', 4 * 4 * 64, 10, true);

  const forward: Forward = (x, training) =>
    tf.tidy(() => {
      let h = x;
      for (const { conv, bn } of stages) {
        h = tf.conv2d(h, conv as tf.Tensor4D, 1, 'same');
        h = batchNorm(h, bn, training, true);
        h = tf.maxPool(h, 2, 2, 'valid');
      }
      const flat = tf.reshape(h, [h.shape[0], 4 * 4 * 64]) as tf.Tensor2D;
      return tf.add(tf.matMul(flat, head.kernel as tf.Tensor2D), head.bias!) as tf.Tensor2D;
    });

  return { trainable: b.trainable, state: b.state, forward };
}
