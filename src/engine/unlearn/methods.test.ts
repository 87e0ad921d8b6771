import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, RunControl } from '../control';
import { fillBatch, toInputTensor } from '../data/batches';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/types';
import { parseSpec } from '../experiment/spec';
import { createModel, exportWeights, importWeights, type Model } from '../models/model';
import type { WeightsData } from '../models/layers';
import { createRng } from '../rng';
import { syntheticImageSet } from '../data/synthetic';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { evaluateModel } from '../train/evaluate';
import { trainModel } from '../train/trainer';
import { methodMeta, type MethodParams } from './catalog';
import { METHODS, type UnlearnMethodName } from './index';
import { crossEntropy } from './losses';
import { matchingSet } from './matching';
import { randomLabelEpoch } from './methods/randomLabels';
import { scrubLr } from './methods/scrub';
import { topMasks } from './methods/salun';
import type { UnlearnInputs, UnlearnProgress } from './types';

// A tiny world: 80 synthetic images, F = 8 of them (mixed classes), R = the other 72, a tiny CNN briefly trained on all.
const set = syntheticImageSet(80, 3);
const forget = Int32Array.from([2, 5, 13, 21, 34, 47, 58, 66]);
const retain = Int32Array.from({ length: 80 }, (_, i) => i).filter((i) => !forget.includes(i));
let theta0: WeightsData[];
let margins0: Float32Array;
/** θ0's logits on the whole set, with each F row's true-class logit lowered by 4: matching targets that mean "forget". */
let targets: Float32Array;

/** The method's parsed parameters (spec defaults, then `overrides`), as the runner will pass them. */
function paramsOf<M extends UnlearnMethodName>(method: M, overrides: Record<string, unknown> = {}): MethodParams<M> {
  const spec = parseSpec({ v: 1, forget: [{ kind: 'random', k: 1 }], methods: [{ id: 'm', method, params: overrides }] });
  return spec.methods[0].params as MethodParams<M>;
}

function freshModel(): Model {
  const model = createModel({ arch: 'tiny-cnn' }, 1);
  importWeights(model, theta0);
  return model;
}

const flat = (weights: WeightsData[]) => weights.map((w) => Array.from(w.values));

beforeAll(async () => {
  await useWasmBackend();
  const model = createModel({ arch: 'tiny-cnn' }, 1);
  const all = Int32Array.from({ length: set.count }, (_, i) => i);
  await trainModel(
    model,
    set,
    all,
    { epochs: 10, batchSize: 16, peakLr: 0.05, peakEpoch: 1, momentum: 0.9, weightDecay: 5e-4, flip: false },
    { seed: 1 },
  );
  theta0 = await exportWeights(model);
  const ev = await evaluateModel(model, set);
  margins0 = Float32Array.from(forget, (f) => ev.margins[f]);
  targets = ev.logits.slice();
  for (const f of forget) targets[f * NUM_CLASSES + set.labels[f]] -= 4;
  model.dispose();
});

interface Case {
  params: Record<string, unknown>;
  /** Optimisation steps and examples processed, worked out by hand from the parameters. */
  steps: number;
  examples: number;
}

// Small runs (a few steps each); learning rates raised where the published default barely moves a model in 4 steps.
const CASES: { [M in Exclude<UnlearnMethodName, 'do-nothing'>]: Case } = {
  // F×1 ∪ 5·8 = 40 of R = 48 rows; ⌊48/32⌋ = 1 step per epoch.
  'oracle-matching': { params: { epochs: 2, batchSize: 32 }, steps: 2, examples: 64 },
  // F×5 ∪ min(72, 20·8) = 112 rows; ⌊112/32⌋ = 3 steps per epoch.
  dmm: { params: { epochs: 2, batchSize: 32, lr: 1e-3 }, steps: 6, examples: 192 },
  'gradient-ascent': { params: { epochs: 2, batchSize: 4, lr: 1e-2 }, steps: 4, examples: 16 },
  'fine-tune': { params: { epochs: 1, batchSize: 16, lr: 1e-2 }, steps: 4, examples: 64 },
  // Epoch 0: 2 ascent steps on F + 4 on R; epoch 1: 4 on R.
  'neggrad-plus': { params: { epochs: 2, ascentEpochs: 1, forgetBatchSize: 4, batchSize: 16, lr: 1e-2 }, steps: 10, examples: 136 },
  scrub: { params: { epochs: 2, msteps: 1, forgetBatchSize: 4, batchSize: 16, lr: 1e-2 }, steps: 10, examples: 136 },
  // F ∪ R = 80 rows, 5 steps.
  'random-labels': { params: { epochs: 1, batchSize: 16, lr: 1e-2 }, steps: 5, examples: 80 },
  // Saliency over F (8 forward+backward passes), then RL: 5 steps of 16.
  salun: { params: { epochs: 1, batchSize: 16, lr: 1e-2 }, steps: 5, examples: 88 },
  // One step; the gradient over all 80 examples.
  iau: { params: {}, steps: 1, examples: 80 },
  // ⌊72/16⌋ = 4 steps on R; a larger α so the ℓ1 term moves weights visibly in 4 steps.
  'l1-sparse': { params: { epochs: 1, batchSize: 16, lr: 1e-2, alpha: 1e-3 }, steps: 4, examples: 64 },
};

function inputsFor<M extends UnlearnMethodName>(method: M, model: Model, extra: Partial<UnlearnInputs<M>> = {}): UnlearnInputs<M> {
  const params = paramsOf(method, method === 'do-nothing' ? {} : CASES[method as Exclude<M, 'do-nothing'>].params);
  return { model, set, forget, retain, params, targets, seed: 7, ...extra } as UnlearnInputs<M>;
}

async function forgetMargins(model: Model): Promise<Float32Array> {
  return (await evaluateModel(model, set, forget)).margins;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('every method', () => {
  it('do-nothing changes nothing and costs nothing', async () => {
    const model = freshModel();
    const before = tf.memory().numTensors;
    const outcome = await METHODS['do-nothing'](inputsFor('do-nothing', model));
    expect(outcome).toEqual({ steps: 0, examplesProcessed: 0 });
    expect(flat(await exportWeights(model))).toEqual(flat(theta0));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  for (const method of Object.keys(CASES) as (keyof typeof CASES)[]) {
    it(`${method}: changes weights and forget margins, counts its cost, leaks nothing, is deterministic, stops on cancel`, async () => {
      const expected = CASES[method];

      // Run 1.
      const model = freshModel();
      const before = tf.memory().numTensors;
      const events: UnlearnProgress[] = [];
      const outcome = await METHODS[method](inputsFor(method, model, { onProgress: (p) => events.push(p) }) as never);
      expect(tf.memory().numTensors).toBe(before);
      expect(outcome).toEqual({ steps: expected.steps, examplesProcessed: expected.examples });
      // The planner's cost comes from the catalog: it must count what the implementation does.
      expect(methodMeta(method).examples(paramsOf(method, expected.params), forget.length, retain.length)).toBe(expected.examples);
      expect(events.length).toBeGreaterThan(0);
      const last = events[events.length - 1];
      expect(last.step).toBe(last.totalSteps);
      const weights1 = await exportWeights(model);
      const trainable = model.trainable.length;
      expect(
        maxAbsDiff(
          weights1.slice(0, trainable).flatMap((w) => Array.from(w.values)),
          theta0.slice(0, trainable).flatMap((w) => Array.from(w.values)),
        ),
      ).toBeGreaterThan(1e-5);
      const margins1 = await forgetMargins(model);
      expect(maxAbsDiff(margins1, margins0)).toBeGreaterThan(1e-3);
      model.dispose();

      // Run 2, same seed: bit-identical weights.
      const again = freshModel();
      await METHODS[method](inputsFor(method, again) as never);
      expect(flat(await exportWeights(again))).toEqual(flat(weights1));
      again.dispose();

      // Run 3: cancelled after its first batch.
      const cancelled = freshModel();
      const beforeCancel = tf.memory().numTensors;
      const control = new RunControl();
      let seen = 0;
      const run = METHODS[method](
        inputsFor(method, cancelled, {
          control,
          onProgress: (p) => {
            seen = p.step;
            control.cancel();
          },
        }) as never,
      );
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(seen).toBe(1);
      expect(tf.memory().numTensors).toBe(beforeCancel);
      cancelled.dispose();
    });
  }
});

describe('method specifics', () => {
  it('the matching methods need targets, and move the forget logits towards them', async () => {
    const model = freshModel();
    await expect(METHODS.dmm(inputsFor('dmm', model, { targets: undefined }))).rejects.toThrow(/DMM needs target logits/);
    await expect(METHODS['oracle-matching'](inputsFor('oracle-matching', model, { targets: new Float32Array(10) }))).rejects.toThrow(
      /targets hold 10 values/,
    );
    const distance = async () => {
      const { logits } = await evaluateModel(model, set, forget);
      let sum = 0;
      forget.forEach((f, r) => {
        for (let c = 0; c < NUM_CLASSES; c++) sum += (logits[r * NUM_CLASSES + c] - targets[f * NUM_CLASSES + c]) ** 2;
      });
      return sum / (forget.length * NUM_CLASSES);
    };
    const d0 = await distance();
    // The authors' setting (Adam lr 1e-4, lr ×0.95 per epoch), 5 epochs of 3 steps. The model trains in training
    // mode (batch statistics) towards evaluation-mode targets, as the authors' code does.
    await METHODS.dmm(inputsFor('dmm', model, { params: paramsOf('dmm', { epochs: 5, batchSize: 32 }) }));
    const d1 = await distance();
    expect(d1).toBeLessThan(d0 * 0.8);
    model.dispose();
  });

  it('the matching set: F × forgetRepeat, then a sample of R drawn once from the seed', () => {
    const pool = matchingSet(forget, retain, paramsOf('dmm', { retainMultiplier: 3, forgetRepeat: 2 }), 4);
    expect(pool.length).toBe(2 * 8 + 24);
    expect(Array.from(pool.subarray(0, 16))).toEqual([...forget, ...forget]);
    const sample = Array.from(pool.subarray(16));
    expect(new Set(sample).size).toBe(24);
    for (const i of sample) expect(retain.includes(i)).toBe(true);
    expect(Array.from(matchingSet(forget, retain, paramsOf('dmm', { retainMultiplier: 3, forgetRepeat: 2 }), 4))).toEqual(Array.from(pool));
    // min(|R|, round(multiplier·|F|)).
    expect(matchingSet(forget, retain, paramsOf('dmm', { retainMultiplier: 100 }), 4).length).toBe(5 * 8 + 72);
  });

  it('random labels: F gets a wrong label, R its own, all of F ∪ R once, shuffled', () => {
    const { order, labels } = randomLabelEpoch(set, forget, retain, createRng(1), createRng(2));
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    const seenWrong = new Set<number>();
    order.forEach((i, k) => {
      if (forget.includes(i)) {
        expect(labels[k]).not.toBe(set.labels[i]);
        expect(labels[k]).toBeGreaterThanOrEqual(0);
        expect(labels[k]).toBeLessThan(NUM_CLASSES);
        seenWrong.add((labels[k] - set.labels[i] + NUM_CLASSES) % NUM_CLASSES);
      } else {
        expect(labels[k]).toBe(set.labels[i]);
      }
    });
    expect(seenWrong.size).toBeGreaterThan(3); // offsets spread over 1..9
    expect(Array.from(order.subarray(0, 8))).not.toEqual(Array.from(forget));
  });

  it('pauses between steps and resumes', async () => {
    const model = freshModel();
    const control = new RunControl();
    const steps: number[] = [];
    const run = METHODS['fine-tune'](
      inputsFor('fine-tune', model, {
        control,
        onProgress: (p) => {
          steps.push(p.step);
          if (p.step === 1) control.pause();
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(steps).toEqual([1]);
    control.resume();
    const outcome = await run;
    expect(outcome.steps).toBe(4);
    expect(steps[steps.length - 1]).toBe(4);
    model.dispose();
  });

  it('gradient ascent lowers the forget margins', async () => {
    const model = freshModel();
    const m0 = await forgetMargins(model);
    await METHODS['gradient-ascent'](inputsFor('gradient-ascent', model));
    const m1 = await forgetMargins(model);
    const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(m1)).toBeLessThan(mean(m0));
    model.dispose();
  });

  it('scrub trains the student while the teacher copy exists, then disposes the teacher', async () => {
    const model = freshModel();
    const before = tf.memory().numTensors;
    const variables = model.trainable.length + model.state.length;
    let during = 0;
    await METHODS.scrub(inputsFor('scrub', model, { onProgress: () => (during = Math.max(during, tf.memory().numTensors)) }));
    expect(during).toBeGreaterThanOrEqual(before + variables); // the teacher's variables were alive
    expect(tf.memory().numTensors).toBe(before); // and are gone
    const changed = (await exportWeights(model))
      .slice(0, model.trainable.length)
      .filter((w, i) => maxAbsDiff(w.values, theta0[i].values) > 0);
    expect(changed.length).toBe(model.trainable.length); // every student tensor moved
    model.dispose();
  });

  it('scrub decays its learning rate after the listed (1-based) epochs', () => {
    const p = { lr: 1, lrDecayEpochs: [3, 5, 9], lrDecayRate: 0.1 };
    expect([0, 1, 2, 3, 4, 5, 8, 9].map((e) => scrubLr(p, e))).toEqual([1, 1, 1, 0.1, 0.1, 0.1 ** 2, 0.1 ** 2, 0.1 ** 3]);
  });

  it('salun: the mask ranks all weights globally, ties by order', async () => {
    const a = tf.tidy(() => tf.variable(tf.tensor1d([3, -1, 2, 0]), true, 'salun_rank_a'));
    const b = tf.tidy(() =>
      tf.variable(
        tf.tensor2d([
          [-2, 5],
          [2, 1],
        ]),
        true,
        'salun_rank_b',
      ),
    );
    const params = [
      { name: 'a', variable: a },
      { name: 'b', variable: b },
    ];
    // |g| = a: 3 1 2 0, b: 2 5 2 1. Top 4 of 8: 5, 3, then two of the three 2s: a[2] and b[0] (first in order).
    const masks = await topMasks(params, { [a.name]: a, [b.name]: b }, 0.5);
    expect(Array.from(masks.get(a.name)!.dataSync())).toEqual([1, 0, 1, 0]);
    expect(Array.from(masks.get(b.name)!.dataSync())).toEqual([1, 1, 0, 0]);
    for (const m of masks.values()) m.dispose();
    a.dispose();
    b.dispose();
  });

  it('salun: masked-out weights stay bit-identical to θ0, the others move', async () => {
    // The saliency, computed here on its own: |∇ Σ_F −CE| at θ0 in evaluation mode, F in one batch.
    const reference = freshModel();
    const raw = new Float32Array(forget.length * PIXELS_PER_IMAGE);
    fillBatch(set, forget, raw, new Int32Array(forget.length));
    const saliency = tf.tidy(() => {
      const x = toInputTensor(raw, forget.length);
      const y = tf.tensor1d(
        Array.from(forget, (f) => set.labels[f]),
        'int32',
      );
      const { grads: g } = tf.variableGrads(
        () => tf.mul(tf.neg(crossEntropy(reference.apply(x, false), y)), forget.length) as tf.Scalar,
        reference.trainable.map((p) => p.variable),
      );
      return reference.trainable.map(({ variable }) => tf.abs(g[variable.name]));
    });
    const g = saliency.map((t) => t.dataSync().slice());
    saliency.forEach((t) => t.dispose());
    reference.dispose();
    const all = Float32Array.from(g.flatMap((a) => Array.from(a))).sort();
    const total = all.length;
    const keep = Math.floor(total / 2);
    const threshold = all[total - keep];

    const model = freshModel();
    await METHODS.salun(inputsFor('salun', model));
    const after = await exportWeights(model);
    let unchanged = 0;
    model.trainable.forEach((_, k) => {
      const start = theta0[k].values;
      const end = after[k].values;
      for (let i = 0; i < start.length; i++) {
        const same = Object.is(end[i], start[i]);
        if (same) unchanged++;
        // Clearly below the threshold (float noise between the two gradient computations aside): must not move.
        if (g[k][i] < threshold * 0.999 && !same) {
          throw new Error(`${theta0[k].name}[${i}] is masked out but moved: ${start[i]} → ${end[i]}`);
        }
      }
    });
    expect(unchanged).toBeGreaterThanOrEqual(total - keep); // every masked-out weight
    expect(unchanged).toBeLessThan(total - keep + 0.05 * keep); // and (almost) no masked-in one
    model.dispose();
  });

  it('iau leaves batch-norm running statistics alone (gradients in evaluation mode)', async () => {
    const model = freshModel();
    await METHODS.iau(inputsFor('iau', model));
    const after = await exportWeights(model);
    const trainable = model.trainable.length;
    expect(flat(after.slice(trainable))).toEqual(flat(theta0.slice(trainable)));
    model.dispose();
  });
});

describe('l1-sparse', () => {
  const run = async (method: 'fine-tune' | 'l1-sparse', params: Record<string, unknown>) => {
    const model = freshModel();
    await METHODS[method]({ model, set, forget, retain, params: paramsOf(method, params), seed: 7 } as never);
    const weights = (await exportWeights(model)).slice(0, model.trainable.length);
    model.dispose();
    return weights;
  };
  const l1Norm = (weights: WeightsData[]) => weights.reduce((t, w) => t + w.values.reduce((a, v) => a + Math.abs(v), 0), 0);

  it('is fine-tuning when α = 0, and ends with a smaller ‖θ‖₁ than fine-tuning when α > 0', async () => {
    const recipe = { epochs: 1, batchSize: 16, lr: 1e-2 };
    const fineTuned = await run('fine-tune', recipe);
    expect(flat(await run('l1-sparse', { ...recipe, alpha: 0 }))).toEqual(flat(fineTuned));
    expect(l1Norm(await run('l1-sparse', { ...recipe, alpha: 1e-2 }))).toBeLessThan(l1Norm(fineTuned));
  });
});
