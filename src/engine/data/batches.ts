import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS_PER_IMAGE, type ImageSet } from './types';

/** Per-channel normalisation of the paper's recipe. */
export const CIFAR_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR_STD = [0.2023, 0.1994, 0.201] as const;

/**
 * Copies the images at `indices` into `out` (raw 0..255 values, NHWC) and their labels into `labels`.
 * `flip[i]` mirrors image i horizontally. Only one batch is ever converted to floats.
 */
export function fillBatch(set: ImageSet, indices: ArrayLike<number>, out: Float32Array, labels: Int32Array, flip?: Uint8Array): void {
  const rowBytes = IMAGE_SIZE * 3;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * PIXELS_PER_IMAGE;
    const dst = b * PIXELS_PER_IMAGE;
    labels[b] = set.labels[indices[b]];
    if (flip && flip[b]) {
      for (let row = 0; row < IMAGE_SIZE; row++) {
        const rowStart = row * rowBytes;
        for (let col = 0; col < IMAGE_SIZE; col++) {
          const s = src + rowStart + col * 3;
          const d = dst + rowStart + (IMAGE_SIZE - 1 - col) * 3;
          out[d] = set.images[s];
          out[d + 1] = set.images[s + 1];
          out[d + 2] = set.images[s + 2];
        }
      }
    } else {
      for (let i = 0; i < PIXELS_PER_IMAGE; i++) out[dst + i] = set.images[src + i];
    }
  }
}

/** Uploads a raw batch and normalises it on the device. */
export function toInputTensor(raw: Float32Array, batchSize: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.tensor4d(raw.subarray(0, batchSize * PIXELS_PER_IMAGE), [batchSize, IMAGE_SIZE, IMAGE_SIZE, 3]);
    const scale = tf.tensor1d(CIFAR_STD.map((s) => 1 / (255 * s)));
    const shift = tf.tensor1d(CIFAR_MEAN.map((m, i) => m / CIFAR_STD[i]));
    return tf.sub(tf.mul(x, scale), shift);
  });
}
