/**
 * Oracle Matching and Datamodel Matching (Georgiev et al. 2024): one implementation, two sources of targets.
 * Fine-tune θu with MSE on logits towards `targets` (OM: the K oracles' mean logits; DMM: DM-Direct's
 * z(θ0) − Σ_F β) over F repeated `forgetRepeat` times ∪ a random sample of R of size
 * min(|R|, round(retainMultiplier·|F|)), the sample drawn once per run. Adam, lr × lrDecay after each epoch,
 * reshuffled every epoch, model in training mode (batch statistics), as the authors' code.
 * OM's `oracles` (K) is the runner's business (how many oracles it averages), not the method's; each method's
 * file (methods/dmm.ts, methods/oracleMatching.ts) only names its targets.
 */
import { NUM_CLASSES } from '../data/types';
import { Adam } from '../train/optimizers';
import { createRng } from '../rng';
import { passSteps, runMethod, shuffled } from './common';
import { logitMse, targetRows } from './losses';
import type { MatchingParams } from './matchingParams';
import type { UnlearnInputs, UnlearnOutcome } from './types';

/** F × forgetRepeat followed by the retain sample (indices into the set). */
export function matchingSet(forget: Int32Array, retain: Int32Array, params: MatchingParams, seed: number): Int32Array {
  const sampleSize = Math.min(retain.length, Math.round(params.retainMultiplier * forget.length));
  const sample = shuffled(retain, createRng(seed).fork('retain-sample')).subarray(0, sampleSize);
  const out = new Int32Array(forget.length * params.forgetRepeat + sampleSize);
  for (let r = 0; r < params.forgetRepeat; r++) out.set(forget, r * forget.length);
  out.set(sample, forget.length * params.forgetRepeat);
  return out;
}

export async function matching(inputs: Omit<UnlearnInputs, 'params'> & { params: MatchingParams }, name: string): Promise<UnlearnOutcome> {
  const { params, targets, set, model } = inputs;
  if (!targets) {
    throw new Error(
      `${name} needs target logits (inputs.targets): ${name === 'DMM' ? "DM-Direct's predictions" : "the oracles' mean logits"}`,
    );
  }
  if (targets.length !== set.count * NUM_CLASSES) {
    throw new Error(`${name}: targets hold ${targets.length} values, expected ${set.count * NUM_CLASSES} (set.count × ${NUM_CLASSES})`);
  }
  const pool = matchingSet(inputs.forget, inputs.retain, params, inputs.seed);
  const orderRng = createRng(inputs.seed).fork('order');
  return runMethod(
    inputs,
    passSteps(pool.length, params.batchSize) * params.epochs,
    (variables) => new Adam(variables),
    async (run, optimizer) => {
      for (let epoch = 0; epoch < params.epochs; epoch++) {
        await run.pass({
          order: shuffled(pool, orderRng),
          batchSize: params.batchSize,
          optimizer,
          lr: params.lr * params.lrDecay ** epoch,
          loss: (b) => logitMse(model.apply(b.x, true), targetRows(targets, b.indices)),
        });
      }
    },
  );
}
