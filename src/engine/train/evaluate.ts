import * as tf from '@tensorflow/tfjs';
import { RunControl } from '../control';
import { fillBatch, toInputTensor } from '../data/batches';
import { NUM_CLASSES, PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import { accuracyFromLogits, marginsFromLogits } from '../metrics/margins';
import type { Model } from '../models/model';

export interface Evaluation {
  /** [count, 10] row-major. */
  logits: Float32Array;
  margins: Float32Array;
  labels: Uint8Array;
  accuracy: number;
}

/**
 * Per-example logits and margins of `model` (evaluation mode) on `set[indices]` (default: all of it).
 * The last batch is padded to the fixed batch size so shapes stay constant.
 */
export async function evaluateModel(
  model: Model,
  set: ImageSet,
  indices?: ArrayLike<number>,
  options: { batchSize?: number; control?: RunControl } = {},
): Promise<Evaluation> {
  const idx = indices ?? Int32Array.from({ length: set.count }, (_, i) => i);
  const n = idx.length;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 256, n));
  const logits = new Float32Array(n * NUM_CLASSES);
  const labels = new Uint8Array(n);
  const raw = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const batchLabels = new Int32Array(batchSize);
  const batchIdx = new Int32Array(batchSize);
  for (let start = 0; start < n; start += batchSize) {
    await options.control?.checkpoint();
    const count = Math.min(batchSize, n - start);
    for (let b = 0; b < batchSize; b++) batchIdx[b] = idx[start + Math.min(b, count - 1)];
    fillBatch(set, batchIdx, raw, batchLabels);
    const out = tf.tidy(() => model.apply(toInputTensor(raw, batchSize), false));
    const values = (await out.data()) as Float32Array;
    out.dispose();
    logits.set(values.subarray(0, count * NUM_CLASSES), start * NUM_CLASSES);
    for (let b = 0; b < count; b++) labels[start + b] = batchLabels[b];
  }
  return {
    logits,
    margins: marginsFromLogits(logits, labels),
    labels,
    accuracy: accuracyFromLogits(logits, labels),
  };
}

/**
 * Penultimate features (the input of the final dense layer, evaluation mode) of `set[indices]`, one row per
 * example: what the coherent-subpopulation and nearest-neighbour forget sets are computed from.
 */
export async function evaluateFeatures(
  model: Model,
  set: ImageSet,
  indices: ArrayLike<number>,
  options: { batchSize?: number; control?: RunControl } = {},
): Promise<{ values: Float32Array; rows: number; cols: number }> {
  const n = indices.length;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 256, n));
  const raw = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  const batchLabels = new Int32Array(batchSize);
  const batchIdx = new Int32Array(batchSize);
  let values: Float32Array | undefined;
  let cols = 0;
  for (let start = 0; start < n; start += batchSize) {
    await options.control?.checkpoint();
    const count = Math.min(batchSize, n - start);
    for (let b = 0; b < batchSize; b++) batchIdx[b] = indices[start + Math.min(b, count - 1)];
    fillBatch(set, batchIdx, raw, batchLabels);
    const out = tf.tidy(() => model.features(toInputTensor(raw, batchSize), false));
    cols = out.shape[1];
    const batch = (await out.data()) as Float32Array;
    out.dispose();
    values ??= new Float32Array(n * cols);
    values.set(batch.subarray(0, count * cols), start * cols);
  }
  return { values: values ?? new Float32Array(0), rows: n, cols };
}
