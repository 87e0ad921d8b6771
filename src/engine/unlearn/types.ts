/**
 * The one interface every unlearning method implements.
 *
 * A method receives a copy of the original model θ0 and changes it in place into θu. It never sees the
 * oracles' weights; Oracle Matching gets the oracles' mean logits as `targets`, DMM gets DM-Direct's
 * predicted logits as `targets` (both computed by the runner). DM-Direct and retraining are not
 * `UnlearningMethod`s: DM-Direct has no model (its outputs are the predicted logits) and retraining is
 * the oracle training itself; the runner handles both.
 */
import type { RunControl } from '../control';
import type { ImageSet } from '../data/types';
import type { Model } from '../models/model';
import type { MethodName, MethodParams } from './catalog';

export interface UnlearnProgress {
  step: number;
  totalSteps: number;
  /** Mean loss over the steps since the last event (NaN when the method has no loss). */
  loss: number;
}

export interface UnlearnInputs<M extends MethodName = MethodName> {
  /** θu: starts as a copy of θ0; the method updates its variables in place. */
  model: Model;
  /** The training split; `forget` and `retain` index into it. */
  set: ImageSet;
  /** F: distinct indices into `set`, ascending. */
  forget: Int32Array;
  /** R = S \ F: distinct indices into `set`, ascending. */
  retain: Int32Array;
  params: MethodParams<M>;
  /**
   * Target logits for the matching methods: row `set` index i → targets[i·10 .. i·10+9]
   * (length set.count·10; only rows of F and R are read). OM: mean logits of K oracles; DMM: z(θ0) − Σ_F β.
   */
  targets?: Float32Array;
  /** Seeds every random choice of the method (data order, retain samples, random labels). */
  seed: number;
  control?: RunControl;
  onProgress?: (p: UnlearnProgress) => void;
}

export interface UnlearnOutcome {
  /** Optimisation steps taken. */
  steps: number;
  /**
   * Examples whose forward+backward pass the method computed (the paper's cost axis numerator; a
   * forward-only pass, e.g. of a frozen teacher, is not counted).
   */
  examplesProcessed: number;
}

export type UnlearningMethod<M extends MethodName = MethodName> = (inputs: UnlearnInputs<M>) => Promise<UnlearnOutcome>;
