import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { ParamBuilder, applyHead, batchNorm, type BatchNormParams, type BuiltModel, type Forward, type LinearHead } from './layers';

/**
 * The ResNet-9 of the paper's code (the FFCV CIFAR-10 ResNet-9 used by datamodels, TRAK and
 * data-unlearning-bench), with every channel count scaled by `width`:
 *   conv_bn(3→64, k3) · conv_bn(64→128, k5, stride 2, pad 2) · Residual(conv_bn(128→128) ×2)
 *   · conv_bn(128→256, k3) · maxpool 2 · Residual(conv_bn(256→256) ×2) · conv_bn(256→128, k3, pad 0)
 *   · global max pool · linear(128→10, no bias) · ×0.2
 * width 1 is the paper's model (≈2.3M parameters); width 0.25 (≈143k) is the playground's default.
 */
export function buildResNet9(rng: Rng, width: number): BuiltModel {
  if (!(width > 0 && width <= 1)) throw new Error(`ResNet-9 width must be in (0, 1], got ${width}`);
  const c = (channels: number) => Math.max(1, Math.round(channels * width));
  const [c64, c128, c256] = [c(64), c(128), c(256)];
  const b = new ParamBuilder(rng);
  type ConvBn = { w: tf.Variable; bn: BatchNormParams; stride: number; pad: number | 'same' | 'valid' };
  const convBn = (name: string, k: number, cin: number, cout: number, stride = 1, pad: ConvBn['pad'] = 'same'): ConvBn => ({
    w: b.conv(`${name}.conv`, k, cin, cout),
    bn: b.batchNorm(`${name}.bn`, cout),
    stride,
    pad,
  });
  const prep = convBn('prep', 3, 3, c64);
  const layer1 = convBn('layer1', 5, c64, c128, 2, 2);
  const res1 = [convBn('res1a', 3, c128, c128), convBn('res1b', 3, c128, c128)];
  const layer2 = convBn('layer2', 3, c128, c256);
  const res2 = [convBn('res2a', 3, c256, c256), convBn('res2b', 3, c256, c256)];
  const layer3 = convBn('layer3', 3, c256, c128, 1, 'valid');
  const head: LinearHead = { kernel: b.dense('linear', c128, 10, false).kernel, scale: 0.2 };

  const features: Forward = (x, training) =>
    tf.tidy(() => {
      const apply = (h: tf.Tensor4D, l: ConvBn) => batchNorm(tf.conv2d(h, l.w as tf.Tensor4D, l.stride, l.pad), l.bn, training, true);
      let h = apply(apply(x, prep), layer1);
      h = tf.add(h, apply(apply(h, res1[0]), res1[1]));
      h = tf.maxPool(apply(h, layer2), 2, 2, 'valid');
      h = tf.add(h, apply(apply(h, res2[0]), res2[1]));
      h = apply(h, layer3);
      return globalMaxPool(h); // adaptive max pool to 1×1
    });
  const forward: Forward = (x, training) => tf.tidy(() => applyHead(head, features(x, training)));

  return { trainable: b.trainable, state: b.state, forward, features, head };
}

/**
 * Max over H and W, [B,H,W,C] → [B,C], with tf.max's gradient (dy to every position equal to its maximum) computed
 * as dy·(1 − step(max − x)): the same mask as tf.max's equal(x, max), but from a broadcasting Sub that XNNPACK runs,
 * where the wasm backend's broadcasting Equal is a scalar loop (≈ 25 ms of a batch-128 step).
 */
export const globalMaxPool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor4D;
  const save = args[1] as tf.GradSaveFunc;
  const [b, , , c] = x.shape;
  const max = tf.max(x, [1, 2], true);
  save([x, max]);
  return {
    value: tf.reshape(max, [b, c]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, m] = saved;
      const notMax = tf.step(tf.sub(m, input));
      return tf.mul(tf.sub(1, notMax), tf.reshape(dy, [b, 1, 1, c]));
    },
  };
}) as (x: tf.Tensor4D) => tf.Tensor2D;
