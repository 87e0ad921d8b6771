import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

/** A named variable. Models are plain lists of these plus a functional forward pass. */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/** Weights as plain data: what the cache stores and what crosses the worker boundary. */
export interface WeightsData {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface BatchNormParams {
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
  runningMean: tf.Variable<tf.Rank.R1>;
  runningVar: tf.Variable<tf.Rank.R1>;
}

/**
 * Creates a model's variables from a seeded generator. Values are drawn on the CPU in a fixed order,
 * so the same seed gives bit-identical initial weights on every backend.
 */
export class ParamBuilder {
  readonly trainable: NamedVariable[] = [];
  readonly state: NamedVariable[] = [];
  constructor(private readonly rng: Rng) {}

  private add<R extends tf.Rank>(list: NamedVariable[], name: string, shape: number[], values: Float32Array, trainable: boolean) {
    // tidy disposes the initial tensor; the variable keeps its own reference to the data.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, `${name}_${uniqueSuffix++}`));
    list.push({ name, variable });
    return variable as tf.Variable<R>;
  }

  /** He-normal convolution filter [kh, kw, cin, cout] (no bias: every conv is followed by batch norm). */
  conv(name: string, kernel: number, cin: number, cout: number): tf.Variable {
    const fanIn = kernel * kernel * cin;
    const std = Math.sqrt(2 / fanIn);
    const values = new Float32Array(kernel * kernel * cin * cout);
    for (let i = 0; i < values.length; i++) values[i] = this.rng.normal() * std;
    return this.add(this.trainable, name, [kernel, kernel, cin, cout], values, true);
  }

  /** Batch norm: scale 1, shift 0, running mean 0, running variance 1 (PyTorch defaults). */
  batchNorm(name: string, channels: number): BatchNormParams {
    const ones = new Float32Array(channels).fill(1);
    const zeros = new Float32Array(channels);
    return {
      gamma: this.add<tf.Rank.R1>(this.trainable, `${name}.gamma`, [channels], ones, true),
      beta: this.add<tf.Rank.R1>(this.trainable, `${name}.beta`, [channels], zeros, true),
      runningMean: this.add<tf.Rank.R1>(this.state, `${name}.running_mean`, [channels], zeros.slice(), false),
      runningVar: this.add<tf.Rank.R1>(this.state, `${name}.running_var`, [channels], ones.slice(), false),
    };
  }

  /** Dense layer with PyTorch's default uniform(±1/√fan_in) initialisation. */
  dense(name: string, inputs: number, outputs: number, bias: boolean): { kernel: tf.Variable; bias?: tf.Variable } {
    const bound = 1 / Math.sqrt(inputs);
    const w = new Float32Array(inputs * outputs);
    for (let i = 0; i < w.length; i++) w[i] = (this.rng.next() * 2 - 1) * bound;
    const kernel = this.add(this.trainable, `${name}.kernel`, [inputs, outputs], w, true);
    if (!bias) return { kernel };
    const b = new Float32Array(outputs);
    for (let i = 0; i < b.length; i++) b[i] = (this.rng.next() * 2 - 1) * bound;
    return { kernel, bias: this.add(this.trainable, `${name}.bias`, [outputs], b, true) };
  }
}

// tfjs variable names must be unique per engine; the suffix keeps several models alive at once.
let uniqueSuffix = 0;

const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1; // PyTorch convention: running = (1 − m)·running + m·batch

/**
 * Batch norm over N, H, W. In training mode it normalises with the batch statistics and updates the
 * running statistics (unbiased variance, as PyTorch does); in evaluation mode it uses the running ones,
 * so each example's output does not depend on the rest of its batch.
 */
export function batchNorm(x: tf.Tensor4D, p: BatchNormParams, training: boolean): tf.Tensor4D {
  if (!training) return tf.batchNorm4d(x, p.runningMean, p.runningVar, p.beta, p.gamma, BN_EPSILON);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = count > 1 ? count / (count - 1) : 1;
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(1 - BN_MOMENTUM).add(mean.mul(BN_MOMENTUM)));
    p.runningVar.assign(p.runningVar.mul(1 - BN_MOMENTUM).add(variance.mul(BN_MOMENTUM * unbiased)));
  });
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, p.beta, p.gamma, BN_EPSILON);
}
