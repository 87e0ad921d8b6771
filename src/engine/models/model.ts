import * as tf from '@tensorflow/tfjs';
import { createRng } from '../rng';
import { type NamedVariable, type WeightsData } from './params';
import { buildTinyCnn } from './tinyCnn';
import { buildResNet9 } from './resnet9';

export type ModelSpec = { arch: 'tiny-cnn' } | { arch: 'resnet9'; width: number };

export const DEFAULT_RESNET9_WIDTH = 0.25;

export interface Model {
  readonly spec: ModelSpec;
  /** Trainable parameters, in a fixed order. */
  readonly trainable: NamedVariable[];
  /** Non-trainable state (batch-norm running statistics). */
  readonly state: NamedVariable[];
  /**
   * Logits [batch, 10] for normalised NHWC images. Training mode uses batch statistics and updates
   * the running statistics; evaluation mode does neither.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /**
   * Penultimate features [batch, D] (the input of the final linear layer), for last-layer attribution:
   * apply(x, t) computes exactly applyHead(head, features(x, t)). Training mode updates running statistics
   * as apply does.
   */
  features(x: tf.Tensor4D, training?: boolean): tf.Tensor2D;
  /** The final linear layer (its variables are also in `trainable`). */
  readonly head: LinearHead;
  dispose(): void;
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

/** Builds a model with weights initialised from `seed` (the same seed gives the same weights everywhere). */
export function createModel(spec: ModelSpec, seed: number): Model {
  const rng = createRng(seed).fork('init');
  const built = spec.arch === 'tiny-cnn' ? buildTinyCnn(rng) : buildResNet9(rng, spec.width);
  const { trainable, state, forward, features, head } = built;
  return {
    spec,
    trainable,
    state,
    apply: forward,
    features: (x, training = false) => features(x, training),
    head,
    dispose: () => {
      for (const { variable } of [...trainable, ...state]) variable.dispose();
    },
  };
}

export function describeModel(spec: ModelSpec): string {
  return spec.arch === 'tiny-cnn' ? 'Tiny CNN' : `ResNet-9 (width ×${spec.width})`;
}

export function countParameters(model: Model): number {
  return model.trainable.reduce((sum, { variable }) => sum + variable.size, 0);
}

/** Copies every variable (trainable and state) out as plain arrays. */
export async function exportWeights(model: Model): Promise<WeightsData[]> {
  const all = [...model.trainable, ...model.state];
  return Promise.all(
    all.map(async ({ name, variable }) => ({
      name,
      shape: variable.shape.slice(),
      values: (await variable.data()) as Float32Array,
    })),
  );
}

/** Loads weights exported by `exportWeights` into a model of the same architecture. */
export function importWeights(model: Model, weights: WeightsData[]): void {
  const all = [...model.trainable, ...model.state];
  if (weights.length !== all.length) {
    throw new Error(`weights have ${weights.length} tensors, the model has ${all.length}`);
  }
  all.forEach(({ name, variable }, i) => {
    const w = weights[i];
    if (w.name !== name || w.shape.join('x') !== variable.shape.join('x')) {
      throw new Error(`weight ${i} is ${w.name} [${w.shape}], the model expects ${name} [${variable.shape}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(w.values, w.shape, 'float32')));
  });
}

/** An independent copy of a model (same architecture, same current weights). */
export function cloneModel(model: Model): Model {
  const copy = createModel(model.spec, 0);
  const source = [...model.trainable, ...model.state];
  [...copy.trainable, ...copy.state].forEach(({ variable }, i) => {
    variable.assign(source[i].variable);
  });
  return copy;
}
