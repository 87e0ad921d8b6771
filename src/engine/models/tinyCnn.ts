import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { ParamBuilder, applyHead, batchNorm, type BuiltModel, type Forward, type LinearHead } from './layers';

/**
 * A small CNN for fast runs (≈34k parameters): three conv3×3–BN–ReLU–maxpool stages (16, 32, 64
 * channels) and a dense classifier on the 4×4×64 features.
 */
export function buildTinyCnn(rng: Rng): BuiltModel {
  const b = new ParamBuilder(rng);
  const stages = [
    { conv: b.conv('conv1', 3, 3, 16), bn: b.batchNorm('bn1', 16) },
    { conv: b.conv('conv2', 3, 16, 32), bn: b.batchNorm('bn2', 32) },
    { conv: b.conv('conv3', 3, 32, 64), bn: b.batchNorm('bn3', 64) },
  ];
  const fc = b.dense('fc', 4 * 4 * 64, 10, true);
  const head: LinearHead = { kernel: fc.kernel, bias: fc.bias, scale: 1 };

  const features: Forward = (x, training) =>
    tf.tidy(() => {
      let h = x;
      for (const { conv, bn } of stages) {
        h = tf.conv2d(h, conv as tf.Tensor4D, 1, 'same');
        h = batchNorm(h, bn, training, true);
        h = tf.maxPool(h, 2, 2, 'valid');
      }
      return tf.reshape(h, [h.shape[0], 4 * 4 * 64]) as tf.Tensor2D;
    });
  const forward: Forward = (x, training) => tf.tidy(() => applyHead(head, features(x, training)));

  return { trainable: b.trainable, state: b.state, forward, features, head };
}
