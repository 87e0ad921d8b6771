import * as tf from '@tensorflow/tfjs';

/** Gradients keyed by variable name, as `tf.variableGrads` returns them. */
export type Gradients = Record<string, tf.Tensor>;

/**
 * SGD with momentum and L2 weight decay, PyTorch semantics (what the paper's recipe means):
 *   g ← g + wd·θ;  v ← μ·v + g;  θ ← θ − lr·v
 * The learning rate is passed per step so schedules need no optimizer state.
 */
export class SgdMomentum {
  private readonly velocity = new Map<string, tf.Variable>();
  constructor(
    private readonly variables: tf.Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {}

  step(grads: Gradients, lr: number): void {
    tf.tidy(() => {
      for (const theta of this.variables) {
        const raw = grads[theta.name];
        if (!raw) continue;
        const g = this.weightDecay > 0 ? tf.add(raw, tf.mul(theta, this.weightDecay)) : raw;
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
