import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../rng';
import type { BuiltModel, LinearHead, NamedVariable, WeightsData } from './layers';
import type { ModelSpec } from './modelSpec';
import { buildResNet9 } from './resnet9';
import { buildTinyCnn } from './tinyCnn';

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

/** How each architecture is built from its spec. */
const ARCHITECTURES: { [A in ModelSpec['arch']]: (rng: Rng, spec: Extract<ModelSpec, { arch: A }>) => BuiltModel } = {
  'tiny-cnn': (rng) => buildTinyCnn(rng),
  resnet9: (rng, spec) => buildResNet9(rng, spec.width),
};

/** Builds a model with weights initialised from `seed` (the same seed gives the same weights everywhere). */
export function createModel(spec: ModelSpec, seed: number): Model {
  const rng = createRng(seed).fork('init');
  // The table's key and spec type agree by construction; TypeScript cannot correlate them through a union.
  const build = ARCHITECTURES[spec.arch] as (rng: Rng, spec: ModelSpec) => BuiltModel;
  const { trainable, state, forward, features, head } = build(rng, spec);
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
