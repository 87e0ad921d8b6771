import * as tf from '@tensorflow/tfjs';

/** Gradients keyed by variable name, as `tf.variableGrads` returns them. */
export type Gradients = Record<string, tf.Tensor>;

/** What the training and unlearning loops need of an optimizer: one update per step, lr given per step. */
export interface Optimizer {
  step(grads: Gradients, lr: number): void;
  dispose(): void;
}

/**
 * Per-variable 0/1 masks (keyed by variable name, same shape as the variable): where the mask is 0 the
 * variable never moves. Not owned by the optimizer (the caller disposes them).
 */
export type GradientMasks = ReadonlyMap<string, tf.Tensor>;

/**
 * SGD with momentum and L2 weight decay, PyTorch semantics (what the paper's recipe means):
 *   g ← g + wd·θ;  v ← μ·v + g;  θ ← θ − lr·v
 * The learning rate is passed per step so schedules need no optimizer state.
 *
 * With `masks` (SalUn), the mask multiplies the whole update direction, weight decay included:
 *   g ← m ⊙ (g + wd·θ)
 * so a masked-out weight's velocity stays exactly 0 and the weight stays bit-identical to its start.
 * (SalUn's PyTorch code masks `param.grad` before `optimizer.step()`, which then adds weight decay to
 * every weight; the playground keeps masked-out weights at θ0, which is what a saliency mask means.)
 */
export class SgdMomentum implements Optimizer {
  private readonly velocity = new Map<string, tf.Variable>();
  constructor(
    private readonly variables: tf.Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
    private readonly masks?: GradientMasks,
  ) {}

  step(grads: Gradients, lr: number): void {
    tf.tidy(() => {
      for (const theta of this.variables) {
        const raw = grads[theta.name];
        if (!raw) continue;
        let g = this.weightDecay > 0 ? tf.add(raw, tf.mul(theta, this.weightDecay)) : raw;
        const mask = this.masks?.get(theta.name);
        if (mask) g = tf.mul(g, mask);
        let v = this.velocity.get(theta.name);
        if (!v) {
          v = tf.variable(g, false);
          this.velocity.set(theta.name, v);
        } else {
          v.assign(tf.add(tf.mul(v, this.momentum), g));
        }
        theta.assign(tf.sub(theta, tf.mul(v, lr)));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba), PyTorch semantics and defaults (β1 0.9, β2 0.999, ε 1e-8, no weight decay):
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  θ ← θ − lr · m̂ / (√v̂ + ε)
 * with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t). Unlike tf.train.adam, the learning rate is passed per step
 * (the matching methods decay it per epoch). The first step from zero state is θ − lr·g/(|g| + ε).
 */
export class Adam implements Optimizer {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.t;
  }

  step(grads: Gradients, lr: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      for (const theta of this.variables) {
        const g = grads[theta.name];
        if (!g) continue;
        let m = this.m.get(theta.name);
        let v = this.v.get(theta.name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(theta), false);
          v = tf.variable(tf.zerosLike(theta), false);
          this.m.set(theta.name, m);
          this.v.set(theta.name, v);
        }
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        // PyTorch's form: θ − (lr/c1) · m / (√v/√c2 + ε).
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), this.epsilon);
        theta.assign(tf.sub(theta, tf.mul(tf.div(m, denom), lr / c1)));
      }
    });
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
