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

/** logits = scale · (features · kernel) + bias; kernel [D, 10]. */
export interface LinearHead {
  kernel: tf.Variable;
  bias?: tf.Variable;
  scale: number;
}

/** The final layer's logits from features, with the same ops in the same order as every architecture's forward. */
export function applyHead(head: LinearHead, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let z = tf.matMul(features, head.kernel as tf.Tensor2D);
    if (head.scale !== 1) z = tf.mul(z, head.scale);
    if (head.bias) z = tf.add(z, head.bias);
    return z as tf.Tensor2D;
  });
}

/** The forward pass of an architecture, closed over its parameters. */
export type Forward = (x: tf.Tensor4D, training: boolean) => tf.Tensor2D;

/** What an architecture's builder returns: its variables and forward passes, closed over them. */
export interface BuiltModel {
  trainable: NamedVariable[];
  state: NamedVariable[];
  forward: Forward;
  /** Penultimate features: forward(x, t) = applyHead(head, features(x, t)). */
  features: Forward;
  head: LinearHead;
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
 * x·scale + shift per channel (NHWC, [C] vectors), optionally followed by ReLU. On wasm it is one XNNPACK pass: a 1×1
 * depthwise convolution with bias (the ReLU as its output clamp), ≈ 3× faster there than a broadcasting Multiply plus
 * Add, ≈ 10× faster than wasm's FusedBatchNorm. Same rounding as tf.add(tf.mul(x, scale), shift): one product, one
 * sum. Runs the kernel directly: tfjs' fused ops fall back to separate ops whenever a gradient tape is recording; this
 * is only called where none records (inside customGrad).
 */
function channelAffine(x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  if (tf.getBackend() === 'wasm') {
    const c = x.shape[3];
    return tf
      .engine()
      .runKernel(
        'FusedDepthwiseConv2D',
        { x, filter: tf.reshape(scale, [1, 1, c, 1]), bias: shift },
        { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: relu ? 'relu' : 'linear' },
      ) as tf.Tensor4D;
  }
  const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

function updateRunningStats(p: BatchNormParams, mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
  const unbiased = count > 1 ? count / (count - 1) : 1;
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(1 - BN_MOMENTUM).add(mean.mul(BN_MOMENTUM)));
    p.runningVar.assign(p.runningVar.mul(1 - BN_MOMENTUM).add(variance.mul(BN_MOMENTUM * unbiased)));
  });
}

/**
 * Training-mode batch norm (optionally fused with the ReLU after it) as one custom-gradient op with the closed-form
 * backward, instead of autodiff through tf.moments and tf.batchNorm4d (a few dozen kernels per layer, a Tile and
 * several broadcasting ones among them; on wasm the forward FusedBatchNorm alone is ≈ 10× a 1×1 depthwise pass).
 * With x̂ = (x − μ)/σ, σ = √(var + ε) (biased batch variance, as tf.moments), z = γ·x̂ + β and dz the gradient at z
 * (masked by z > 0 when the ReLU is fused):
 *   dβ = Σ dz,  dγ = Σ dz·x̂,  dx = γ/σ · (dz − mean(dz) − x̂·mean(dz·x̂))   (sums and means over N, H, W)
 * computed as dx = dz·(γ/σ) + (x − μ)·a + c with per-channel a = −(γ/σ)·Σ(dz·(x − μ))/(σ²·n), c = −(γ/σ)·Σdz/n.
 */
function batchNormTraining(x: tf.Tensor4D, p: BatchNormParams, relu: boolean): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const n = b * h * w;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.mean(input, [0, 1, 2]) as tf.Tensor1D;
    const wasm = tf.getBackend() === 'wasm';
    // x − μ: on wasm a depthwise pass (x·1 − μ, exact), elsewhere a broadcasting Sub.
    const centered = wasm ? channelAffine(input, tf.onesLike(mean), tf.neg(mean), false) : tf.sub<tf.Tensor4D>(input, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2]) as tf.Tensor1D;
    updateRunningStats(p, mean, variance, n);
    const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON)) as tf.Tensor1D;
    const scale = tf.mul(gamma, invStd) as tf.Tensor1D;
    // Elsewhere tf.batchNorm4d: one kernel on the GPU backends, and the very values the autodiff version computed
    // (a value near 0 that rounds to the other side of the ReLU sends a max-pool gradient elsewhere).
    let value = wasm
      ? channelAffine(centered, scale, beta, relu)
      : (tf.batchNorm4d(input, mean, variance, beta, gamma, BN_EPSILON) as tf.Tensor4D);
    if (relu && !wasm) value = tf.relu(value);
    save([centered, value, scale, invStd]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xc, y, s, inv] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const dz = (relu ? tf.mul(dy, tf.step(y)) : dy) as tf.Tensor4D;
        const sumDz = tf.sum(dz, [0, 1, 2]) as tf.Tensor1D;
        const sumDzXc = tf.sum(tf.mul(dz, xc), [0, 1, 2]) as tf.Tensor1D;
        const dGamma = tf.mul(sumDzXc, inv);
        const a = tf.mul(tf.mul(s, tf.square(inv)), tf.div(sumDzXc, -n)) as tf.Tensor1D;
        const cc = tf.mul(s, tf.div(sumDz, -n)) as tf.Tensor1D;
        const dx = tf.add(channelAffine(dz, s, tf.zerosLike(s), false), channelAffine(xc, a, cc, false));
        return [dx, dGamma, sumDz];
      },
    };
  });
  return op(x, p.gamma, p.beta) as tf.Tensor4D;
}

/**
 * Batch norm over N, H, W, optionally followed by a ReLU. In training mode it normalises with the batch statistics
 * and updates the running statistics (unbiased variance, as PyTorch does); in evaluation mode it uses the running ones,
 * so each example's output does not depend on the rest of its batch.
 */
export function batchNorm(x: tf.Tensor4D, p: BatchNormParams, training: boolean, relu = false): tf.Tensor4D {
  if (!training) {
    const y = tf.batchNorm4d(x, p.runningMean, p.runningVar, p.beta, p.gamma, BN_EPSILON);
    return relu ? tf.relu(y) : y;
  }
  return batchNormTraining(x, p, relu);
}
