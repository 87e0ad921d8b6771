/**
 * The loop every unlearning method shares: batches from the uint8 set, one optimisation step per batch
 * inside tf.tidy, pause/cancel between steps, progress events at most every 250 ms, honest cost counts.
 *
 * Conventions (the same as train/trainer.ts):
 * - a pass over n examples takes ⌊n / b⌋ steps of b = min(batchSize, n) examples: the last partial batch
 *   is dropped, so shapes stay fixed (WebGPU reuses its shaders) and a tiny set still gets one step;
 * - `examplesProcessed` counts every example whose forward and backward pass was computed (a frozen
 *   teacher's forward pass is not counted; padding rows of a gradient accumulation are not either);
 * - progress `step` counts batches with a backward pass (optimisation steps, and the gradient-accumulation
 *   batches of SalUn's saliency and IAU), `totalSteps` all of them; `UnlearnOutcome.steps` counts
 *   optimisation steps only.
 */
import * as tf from '@tensorflow/tfjs';
import { fillBatch, toInputTensor } from '../data/batches';
import { PIXELS_PER_IMAGE, type ImageSet } from '../data/types';
import type { Model } from '../models/model';
import { shuffleInPlace, type Rng } from '../rng';
import { SgdMomentum, type GradientMasks, type Gradients, type Optimizer } from '../train/optimizers';
import { stepsPerEpoch } from '../train/schedule';
import { crossEntropy, weightedCrossEntropySum } from './losses';
import type { UnlearnInputs, UnlearnOutcome } from './types';

/** One batch as the loss functions see it. */
export interface Batch {
  /** Normalised images [b, 32, 32, 3]. */
  x: tf.Tensor4D;
  /** int32 labels [b] (the set's labels, or the pass's label overrides). */
  y: tf.Tensor1D;
  /** The batch's rows as indices into the set. */
  indices: Int32Array;
}

/** A batch's loss; runs inside tf.variableGrads, so it must compute the model's output itself. */
export type BatchLoss = (batch: Batch) => tf.Scalar;

export interface PassOptions {
  /** Indices into the set, in visiting order (already shuffled by the caller). */
  order: Int32Array;
  /** Labels to train on, aligned with `order` (random labels); the set's labels when absent. */
  labels?: Int32Array;
  batchSize: number;
  optimizer: Optimizer;
  lr: number;
  loss: BatchLoss;
}

/** Optimisation steps of one pass over n examples (0 for an empty set). */
export function passSteps(n: number, batchSize: number): number {
  return n === 0 ? 0 : stepsPerEpoch(n, batchSize);
}

/** Batches of a gradient accumulation over n examples (the last one padded). */
export function accumulationBatches(n: number, batchSize: number): number {
  return n === 0 ? 0 : Math.ceil(n / Math.min(batchSize, n));
}

/** A shuffled copy of `indices`. */
export function shuffled(indices: ArrayLike<number>, rng: Rng): Int32Array {
  return shuffleInPlace(Int32Array.from(indices), rng);
}

type RunInputs = Pick<UnlearnInputs, 'model' | 'set' | 'control' | 'onProgress'>;

/** The state of one method run: counters, progress, reusable batch buffers. */
export class UnlearnRun {
  readonly model: Model;
  readonly set: ImageSet;
  readonly variables: tf.Variable[];
  /** Optimisation steps taken. */
  steps = 0;
  examples = 0;
  /** Batches with a backward pass (progress' unit). */
  private work = 0;
  private sums: tf.Scalar | undefined;
  private lossesInSums = 0;
  private batchesSinceEvent = 0;
  private lastEventAt = 0;
  private readonly buffers = new Map<number, { raw: Float32Array; labels: Int32Array }>();

  constructor(
    private readonly inputs: RunInputs,
    /** Progress' total: every batch with a backward pass the method will run. */
    readonly totalSteps: number,
    private readonly intervalMs = 250,
  ) {
    this.model = inputs.model;
    this.set = inputs.set;
    this.variables = inputs.model.trainable.map((p) => p.variable);
  }

  /** One pass over `order` in batches, one optimizer step per batch. */
  async pass(o: PassOptions): Promise<void> {
    const n = o.order.length;
    if (n === 0) return;
    const b = Math.min(o.batchSize, n);
    const count = passSteps(n, b);
    for (let s = 0; s < count; s++) {
      await this.beforeBatch();
      const indices = o.order.subarray(s * b, (s + 1) * b);
      const { raw, labels } = this.fill(indices, o.labels?.subarray(s * b, (s + 1) * b));
      const value = tf.tidy(() => {
        const batch: Batch = { x: toInputTensor(raw, b), y: tf.tensor1d(labels, 'int32'), indices };
        const { value, grads } = tf.variableGrads(() => o.loss(batch), this.variables);
        o.optimizer.step(grads, o.lr);
        return value;
      });
      this.steps++;
      this.examples += b;
      await this.afterBatch(value);
    }
  }

  /**
   * Σ_i weights[i] · ∇θ CE(x_i, y_i) over `indices`, with the model in evaluation mode (running batch-norm
   * statistics: each example's gradient is independent of its batch, so the sum is the exact full-batch
   * gradient, and no running statistic moves). The last batch is padded with weight-0 rows (fixed shapes).
   * Returns gradients keyed by variable name; the caller disposes them.
   */
  async accumulateGradients(indices: Int32Array, weights: Float32Array, batchSize: number): Promise<Gradients> {
    const n = indices.length;
    const b = Math.min(batchSize, n);
    const acc: Gradients = {};
    const padded = new Int32Array(b);
    const w = new Float32Array(b);
    try {
      for (let start = 0; start < n; start += b) {
        await this.beforeBatch();
        const rows = Math.min(b, n - start);
        for (let i = 0; i < b; i++) {
          padded[i] = indices[start + Math.min(i, rows - 1)];
          w[i] = i < rows ? weights[start + i] : 0;
        }
        const { raw, labels } = this.fill(padded);
        tf.tidy(() => {
          const x = toInputTensor(raw, b);
          const y = tf.tensor1d(labels, 'int32');
          const wt = tf.tensor1d(w);
          const { grads } = tf.variableGrads(() => weightedCrossEntropySum(this.model.apply(x, false), y, wt), this.variables);
          for (const v of this.variables) {
            const g = grads[v.name];
            if (!g) continue;
            const old = acc[v.name];
            acc[v.name] = tf.keep(old ? tf.add(old, g) : g);
            old?.dispose();
          }
        });
        this.examples += rows;
        await this.afterBatch(undefined);
      }
    } catch (e) {
      for (const g of Object.values(acc)) g.dispose();
      throw e;
    }
    return acc;
  }

  /** Records one optimiser step taken outside `pass` (IAU's single step). */
  async recordStep(loss: tf.Scalar | undefined): Promise<void> {
    this.steps++;
    await this.afterBatch(loss);
  }

  outcome(): UnlearnOutcome {
    return { steps: this.steps, examplesProcessed: this.examples };
  }

  /** Releases the pending loss sum; call in `finally`. */
  dispose(): void {
    this.sums?.dispose();
    this.sums = undefined;
  }

  private fill(indices: Int32Array, labelOverride?: Int32Array): { raw: Float32Array; labels: Int32Array } {
    const b = indices.length;
    let buf = this.buffers.get(b);
    if (!buf) {
      buf = { raw: new Float32Array(b * PIXELS_PER_IMAGE), labels: new Int32Array(b) };
      this.buffers.set(b, buf);
    }
    fillBatch(this.set, indices, buf.raw, buf.labels);
    if (labelOverride) buf.labels.set(labelOverride);
    return buf;
  }

  private async beforeBatch(): Promise<void> {
    // Report the steps done so far before waiting, so a paused run shows where it stopped.
    if (this.inputs.control?.isPaused && this.batchesSinceEvent > 0) await this.report();
    await this.inputs.control?.checkpoint();
  }

  /** Counts a batch; `loss` (owned by this call) joins the running mean. */
  private async afterBatch(loss: tf.Scalar | undefined): Promise<void> {
    if (loss) {
      const sum = this.sums ? (tf.add(this.sums, loss) as tf.Scalar) : loss;
      if (this.sums) {
        this.sums.dispose();
        loss.dispose();
      }
      this.sums = sum;
      this.lossesInSums++;
    }
    this.work++;
    this.batchesSinceEvent++;
    const now = performance.now();
    if (this.work === 1 || this.work === this.totalSteps || now - this.lastEventAt >= this.intervalMs) await this.report();
  }

  private async report(): Promise<void> {
    let loss = Number.NaN;
    if (this.sums) {
      // Reading the loss also keeps the device queue from running far ahead of the loop.
      const [sum] = await this.sums.data();
      this.sums.dispose();
      this.sums = undefined;
      loss = sum / this.lossesInSums;
      this.lossesInSums = 0;
    }
    this.inputs.onProgress?.({ step: this.work, totalSteps: this.totalSteps, loss });
    this.batchesSinceEvent = 0;
    this.lastEventAt = performance.now();
  }
}

/** Throws a clear error when F or R holds an index outside the set (the batch code would read garbage). */
export function checkSets(inputs: Pick<UnlearnInputs, 'set' | 'forget' | 'retain'>): void {
  const { set } = inputs;
  for (const [name, indices] of [
    ['forget', inputs.forget],
    ['retain', inputs.retain],
  ] as const) {
    for (const i of indices) {
      if (!(i >= 0 && i < set.count)) throw new Error(`${name} set: index ${i} is outside the training set (0..${set.count - 1})`);
    }
  }
}

/**
 * Runs `body` with a fresh UnlearnRun and optimizer, checks F and R first, and always disposes the
 * optimizer state and the pending loss (also on cancel).
 */
export async function runMethod(
  inputs: RunInputs & Pick<UnlearnInputs, 'forget' | 'retain'>,
  totalSteps: number,
  makeOptimizer: (variables: tf.Variable[]) => Optimizer,
  body: (run: UnlearnRun, optimizer: Optimizer) => Promise<void>,
): Promise<UnlearnOutcome> {
  checkSets(inputs);
  const run = new UnlearnRun(inputs, totalSteps);
  const optimizer = makeOptimizer(run.variables);
  try {
    await body(run, optimizer);
    return run.outcome();
  } finally {
    optimizer.dispose();
    run.dispose();
  }
}

/** SGD with the method's momentum and weight decay (PyTorch semantics), optionally masked. */
export const sgd =
  (p: { momentum: number; weightDecay: number }, masks?: GradientMasks) =>
  (variables: tf.Variable[]): Optimizer =>
    new SgdMomentum(variables, p.momentum, p.weightDecay, masks);

/** Mean cross-entropy of the model in training mode (batch statistics), against the batch's labels. */
export const descentLoss =
  (model: Model): BatchLoss =>
  (b) =>
    crossEntropy(model.apply(b.x, true), b.y);

/** −CE in training mode: gradient ascent on the batch's loss. */
export const ascentLoss =
  (model: Model): BatchLoss =>
  (b) =>
    tf.neg(crossEntropy(model.apply(b.x, true), b.y));
