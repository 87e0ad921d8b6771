import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, RunControl } from '../control';
import { createModel, exportWeights } from '../models/model';
import { syntheticImageSet } from '../data/synthetic';
import { evaluateModel } from './evaluate';
import { triangularLr } from './schedule';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { trainModel, type TrainProgress, type TrainRecipe } from './trainer';

beforeAll(async () => {
  await useWasmBackend();
});

const recipe: TrainRecipe = {
  epochs: 4,
  batchSize: 32,
  peakLr: 0.05,
  peakEpoch: 1,
  momentum: 0.9,
  weightDecay: 5e-4,
  flip: true,
};

describe('triangular schedule', () => {
  it('rises linearly to the peak, then falls to zero', () => {
    expect(triangularLr(0, 24, 0.4, 5)).toBe(0);
    expect(triangularLr(2.5, 24, 0.4, 5)).toBeCloseTo(0.2);
    expect(triangularLr(5, 24, 0.4, 5)).toBeCloseTo(0.4);
    expect(triangularLr(14.5, 24, 0.4, 5)).toBeCloseTo(0.2);
    expect(triangularLr(24, 24, 0.4, 5)).toBe(0);
    expect(triangularLr(30, 24, 0.4, 5)).toBe(0);
  });
});

describe('training loop', () => {
  const set = syntheticImageSet(160, 1);
  const indices = Int32Array.from({ length: 128 }, (_, i) => i);

  it('reduces the loss, reports progress, and leaks no tensors', async () => {
    const model = createModel({ arch: 'tiny-cnn' }, 1);
    const before = tf.memory().numTensors;
    const events: TrainProgress[] = [];
    const summary = await trainModel(model, set, indices, recipe, {
      seed: 1,
      onProgress: (p) => events.push(p),
      progressIntervalMs: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.steps).toBe(16);
    expect(events.length).toBe(16);
    expect(events.map((e) => e.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const firstLoss = events[0].loss;
    const lastLoss = events[events.length - 1].loss;
    expect(lastLoss).toBeLessThan(firstLoss * 0.5);
    expect(events[events.length - 1].imagesPerSec).toBeGreaterThan(0);
    const evaluation = await evaluateModel(
      model,
      set,
      Int32Array.from({ length: 32 }, (_, i) => 128 + i),
    );
    expect(evaluation.accuracy).toBeGreaterThan(0.5);
    expect(evaluation.logits.length).toBe(320);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('is deterministic: same seeds → identical weights and logits', async () => {
    const run = async () => {
      const model = createModel({ arch: 'tiny-cnn' }, 5);
      await trainModel(model, set, indices, { ...recipe, epochs: 1 }, { seed: 9 });
      const weights = await exportWeights(model);
      const ev = await evaluateModel(model, set);
      model.dispose();
      return { weights: weights.map((w) => Array.from(w.values)), logits: Array.from(ev.logits) };
    };
    const a = await run();
    const b = await run();
    expect(a.weights).toEqual(b.weights);
    expect(a.logits).toEqual(b.logits);
  });

  it('stops on cancel without leaking tensors, and honours pause/resume', async () => {
    const model = createModel({ arch: 'tiny-cnn' }, 2);
    const before = tf.memory().numTensors;
    const control = new RunControl();
    let steps = 0;
    let pausedAtStep2!: () => void;
    const reachedStep2 = new Promise<void>((resolve) => (pausedAtStep2 = resolve));
    const run = trainModel(model, set, indices, recipe, {
      seed: 1,
      control,
      progressIntervalMs: 0,
      onProgress: (p) => {
        steps = p.step;
        if (p.step === 2) {
          control.pause();
          pausedAtStep2();
        }
      },
    });
    await reachedStep2;
    // While paused, no step runs however long we wait.
    await new Promise((r) => setTimeout(r, 300));
    expect(steps).toBe(2);
    control.resume();
    await new Promise((r) => setTimeout(r, 10));
    control.cancel();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBeGreaterThanOrEqual(2);
    expect(steps).toBeLessThan(16);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
