import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { applyHead } from './layers';
import { cloneModel, countParameters, createModel, exportWeights, importWeights } from './model';
import type { ModelSpec } from './modelSpec';

beforeAll(async () => {
  await useWasmBackend();
});

describe('models', () => {
  it('tiny CNN has ≤ 50k parameters and maps [b,32,32,3] to [b,10]', () => {
    const model = createModel({ arch: 'tiny-cnn' }, 1);
    const params = countParameters(model);
    expect(params).toBeLessThanOrEqual(50_000);
    expect(params).toBeGreaterThan(20_000);
    const out = tf.tidy(() => model.apply(tf.randomNormal([3, 32, 32, 3]), false));
    expect(out.shape).toEqual([3, 10]);
    out.dispose();
    model.dispose();
  });

  it.each([
    [0.25, 100_000, 200_000],
    [1, 2_200_000, 2_400_000],
  ])('ResNet-9 at width %f has the expected size', (width, lo, hi) => {
    const model = createModel({ arch: 'resnet9', width }, 1);
    const params = countParameters(model);
    expect(params).toBeGreaterThan(lo);
    expect(params).toBeLessThan(hi);
    model.dispose();
  });

  it('ResNet-9 maps [b,32,32,3] to [b,10] in both modes', () => {
    const model = createModel({ arch: 'resnet9', width: 0.125 }, 1);
    for (const training of [false, true]) {
      const out = tf.tidy(() => model.apply(tf.randomNormal([2, 32, 32, 3]), training));
      expect(out.shape).toEqual([2, 10]);
      out.dispose();
    }
    model.dispose();
  });

  it('initialises from the seed: same seed → identical weights, other seed → different', async () => {
    const spec: ModelSpec = { arch: 'tiny-cnn' };
    const [a, b, c] = [createModel(spec, 7), createModel(spec, 7), createModel(spec, 8)];
    const [wa, wb, wc] = await Promise.all([a, b, c].map(exportWeights));
    expect(wa.map((w) => Array.from(w.values))).toEqual(wb.map((w) => Array.from(w.values)));
    expect(Array.from(wa[0].values)).not.toEqual(Array.from(wc[0].values));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('clones and re-imports weights exactly, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const model = createModel({ arch: 'tiny-cnn' }, 3);
    const copy = cloneModel(model);
    const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D;
    const [ya, yb] = [model.apply(x, false), copy.apply(x, false)];
    expect(Array.from(await ya.data())).toEqual(Array.from(await yb.data()));
    const other = createModel({ arch: 'tiny-cnn' }, 4);
    importWeights(other, await exportWeights(model));
    const yc = other.apply(x, false);
    expect(Array.from(await yc.data())).toEqual(Array.from(await ya.data()));
    const wrong = createModel({ arch: 'resnet9', width: 0.125 }, 1);
    const weights = await exportWeights(model);
    expect(() => importWeights(wrong, weights)).toThrow(/weights have \d+ tensors/);
    tf.dispose([x, ya, yb, yc]);
    [model, copy, other, wrong].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ arch: 'tiny-cnn' } as ModelSpec, 1024, true],
    [{ arch: 'resnet9', width: 0.25 } as ModelSpec, 32, false],
  ])('%o exposes penultimate features and a linear head with apply = head(features)', async (spec, dim, hasBias) => {
    const before = tf.memory().numTensors;
    const model = createModel(spec, 2);
    expect(model.head.kernel.shape).toEqual([dim, 10]);
    expect(model.head.bias !== undefined).toBe(hasBias);
    expect(model.trainable.some(({ variable }) => variable === model.head.kernel)).toBe(true);
    const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const h = model.features(x);
    expect(h.shape).toEqual([3, dim]);
    const [z, zh] = [model.apply(x, false), applyHead(model.head, h)];
    expect(Array.from(await zh.data())).toEqual(Array.from(await z.data()));
    tf.dispose([x, h, z, zh]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
