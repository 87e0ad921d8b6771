import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { callDirect, random, relErr, useKernelTestBackends, type Shape4 } from '../../../../test/support/wasmKernels';
import { batchNorm, type BatchNormParams } from '../../models/layers';
import { createModel } from '../../models/model';
import type { ModelSpec } from '../../models/modelSpec';
import { globalMaxPool } from '../../models/resnet9';
import { conv2DBackpropFilterViaConv, conv2DBackpropFilterViaSwappedConv } from './conv2dBackpropFilter';

useKernelTestBackends();

// ---------------------------------------------------------------------------------------------------------------
// A full training step: conv 3×3 same → batch norm by hand from tf.moments over N,H,W → relu → conv (fused
// bias+relu) → residual add → maxPool 2×2 → conv → tf.batchNorm4d with tf.moments → relu → global mean → dense →
// softmax cross-entropy + L2 weight decay.

type Params = Record<string, tf.Variable>;

function initialValues(): Record<string, { values: Float32Array; shape: number[] }> {
  const spec: Record<string, { shape: number[]; scale: number; offset?: number }> = {
    w1: { shape: [3, 3, 3, 8], scale: 0.4 },
    gamma: { shape: [8], scale: 0.1, offset: 1 },
    beta: { shape: [8], scale: 0.1 },
    w2: { shape: [3, 3, 8, 8], scale: 0.2 },
    b2: { shape: [8], scale: 0.1 },
    w3: { shape: [3, 3, 8, 16], scale: 0.2 },
    gamma3: { shape: [16], scale: 0.1, offset: 1 },
    beta3: { shape: [16], scale: 0.1 },
    wd: { shape: [16, 10], scale: 0.3 },
    bd: { shape: [10], scale: 0.1 },
  };
  let seed = 100;
  const out: Record<string, { values: Float32Array; shape: number[] }> = {};
  for (const [name, s] of Object.entries(spec)) {
    const v = random(
      s.shape.reduce((a, b) => a * b),
      seed++,
    );
    for (let i = 0; i < v.length; i++) v[i] = v[i] * s.scale + (s.offset ?? 0);
    out[name] = { values: v, shape: s.shape };
  }
  return out;
}

function makeParams(): Params {
  const p: Params = {};
  for (const [name, v] of Object.entries(initialValues())) p[name] = tf.variable(tf.tensor(v.values, v.shape));
  return p;
}

function loss(p: Params, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const as4 = (t: tf.Tensor) => t as tf.Tensor4D;
    const as1 = (t: tf.Tensor) => t as tf.Tensor1D;
    let h = tf.conv2d(x, as4(p.w1), 1, 'same'); // no bias before a batch norm: its gradient would be 0 ± rounding
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    h = as4(tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-3))), p.gamma), p.beta));
    h = tf.relu(h);
    const r = tf.fused.conv2d({ x: h, filter: as4(p.w2), strides: 1, pad: 'same', bias: p.b2, activation: 'relu' });
    h = tf.maxPool(as4(tf.add(h, r)), 2, 2, 'valid');
    h = tf.conv2d(h, as4(p.w3), 1, 'same');
    const m3 = tf.moments(h, [0, 1, 2]);
    const bn3 = tf.batchNorm4d(h, as1(m3.mean), as1(m3.variance), as1(p.beta3), as1(p.gamma3), 1e-3);
    h = tf.relu(bn3);
    const logits = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, p.wd as tf.Tensor2D), p.bd);
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits);
    const l2 = tf.mul(5e-3, tf.addN([p.w1, p.w2, p.w3, p.wd].map((w) => tf.sum(tf.square(w)))));
    return tf.add(ce, l2) as tf.Scalar;
  });
}

const BATCH = 8;
const xValues = random(BATCH * 16 * 16 * 3, 42);
const labelValues = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10);

async function stepGradients(backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
  expect(await tf.setBackend(backend)).toBe(true);
  const p = makeParams();
  const x = tf.tensor4d(xValues, [BATCH, 16, 16, 3]);
  const labels = tf.tensor1d(labelValues, 'int32');
  const { value, grads } = tf.variableGrads(() => loss(p, x, labels), Object.values(p));
  const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
  for (const [name, v] of Object.entries(p)) out[name] = (await grads[v.name].data()) as Float32Array;
  tf.dispose([value, x, labels, ...Object.values(grads), ...Object.values(p)]);
  return out;
}

describe('a full training step on wasm', () => {
  it('gives the cpu gradients (variableGrads)', async () => {
    const ref = await stepGradients('cpu');
    const got = await stepGradients('wasm');
    expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
    for (const name of Object.keys(ref)) {
      expect(relErr(got[name], ref[name]), name).toBeLessThan(1e-4);
    }
  });

  it.each(['momentum', 'adam'] as const)('keeps tf.memory() flat over repeated %s steps', async (kind) => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const p = makeParams();
    const x = tf.tensor4d(xValues, [BATCH, 16, 16, 3]);
    const labels = tf.tensor1d(labelValues, 'int32');
    const optimizer = kind === 'momentum' ? tf.train.momentum(0.05, 0.9) : tf.train.adam(1e-2);
    const losses: number[] = [];
    const counts: { numTensors: number; numDataBuffers: number; numBytes: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const cost = optimizer.minimize(() => loss(p, x, labels), true, Object.values(p));
      if (cost === null) throw new Error('minimize returned no cost');
      losses.push((await cost.data())[0]);
      cost.dispose();
      const m = tf.memory();
      counts.push({ numTensors: m.numTensors, numDataBuffers: m.numDataBuffers, numBytes: m.numBytes });
    }
    // Optimizer slots are created on the first step; from then on nothing may accumulate (engine tensors and the
    // wasm backend's own buffers, which would reveal leaked kernel intermediates).
    for (const c of counts.slice(2)) expect(c).toEqual(counts[1]);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]); // it actually trains
    optimizer.dispose();
    tf.dispose([x, labels, ...Object.values(p)]);
  });

  it('kernels leave no wasm buffers behind (direct calls, both filter-gradient formulations)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const inputs = {
      x: { values: random(2 * 8 * 8 * 3, 7), shape: [2, 8, 8, 3] },
      dy: { values: random(2 * 8 * 8 * 4, 8), shape: [2, 8, 8, 4] },
    };
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    callDirect(conv2DBackpropFilterViaConv, inputs, attrs);
    callDirect(conv2DBackpropFilterViaSwappedConv, inputs, attrs);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) {
      callDirect(conv2DBackpropFilterViaConv, inputs, attrs);
      callDirect(conv2DBackpropFilterViaSwappedConv, inputs, attrs);
    }
    const after = tf.memory();
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numTensors).toBe(before.numTensors);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The app's models: their custom-gradient ops (models/layers.ts batchNorm, models/resnet9.ts globalMaxPool) against
// tfjs autodiff on the cpu backend, and whole-model gradients on wasm against the cpu backend.

function bnParams(c: number, seed: number): BatchNormParams {
  const v = (values: Float32Array) => tf.variable(tf.tensor1d(values)) as tf.Variable<tf.Rank.R1>;
  const gamma = random(c, seed).map((g) => 1 + 0.5 * g);
  return {
    gamma: v(gamma),
    beta: v(random(c, seed + 1).map((b) => 0.3 * b)),
    runningMean: v(new Float32Array(c)),
    runningVar: v(new Float32Array(c).fill(1)),
  };
}

/** Training-mode batch norm the way autodiff sees it (what models/layers.ts did before its custom gradient). */
function batchNormAutodiff(x: tf.Tensor4D, p: BatchNormParams, relu: boolean): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(0.9).add(mean.mul(0.1)));
    p.runningVar.assign(p.runningVar.mul(0.9).add(variance.mul((0.1 * count) / (count - 1))));
  });
  const y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, p.beta, p.gamma, 1e-5);
  return relu ? tf.relu(y) : y;
}

async function bnGradients(backend: 'cpu' | 'wasm', impl: 'custom' | 'autodiff', relu: boolean): Promise<Record<string, Float32Array>> {
  expect(await tf.setBackend(backend)).toBe(true);
  const shape: Shape4 = [4, 6, 6, 5];
  const p = bnParams(5, 30);
  const x = tf.variable(
    tf.tensor4d(
      random(4 * 6 * 6 * 5, 31).map((v) => 2 * v + 0.5),
      shape,
    ),
  );
  const r = tf.tensor4d(random(4 * 6 * 6 * 5, 32), shape);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => {
    const y = impl === 'custom' ? batchNorm(x, p, true, relu) : batchNormAutodiff(x, p, relu);
    return tf.sum(tf.mul(y, r)) as tf.Scalar;
  }, [x, p.gamma, p.beta]);
  const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
  out.dx = (await grads[x.name].data()) as Float32Array;
  out.dgamma = (await grads[p.gamma.name].data()) as Float32Array;
  out.dbeta = (await grads[p.beta.name].data()) as Float32Array;
  out.runningMean = (await p.runningMean.data()) as Float32Array;
  out.runningVar = (await p.runningVar.data()) as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before); // nothing left behind but the results
  tf.dispose([x, r, p.gamma, p.beta, p.runningMean, p.runningVar]);
  return out;
}

describe("the app's models: custom-gradient ops and whole-model gradients", () => {
  it.each([false, true])('batchNorm (relu %s) gives the autodiff gradients and running statistics', async (relu) => {
    const ref = await bnGradients('cpu', 'autodiff', relu);
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await bnGradients(backend, 'custom', relu);
      for (const name of Object.keys(ref)) {
        expect(relErr(got[name], ref[name]), `${backend} ${name}`).toBeLessThan(1e-5);
      }
    }
  });

  it('globalMaxPool gives tf.max’s gradient (every tied maximum), on cpu and wasm', async () => {
    const values = random(3 * 4 * 5 * 6, 40).map((v) => Math.round(v * 3)); // many ties
    const dyValues = random(3 * 6, 41);
    const grad = async (backend: 'cpu' | 'wasm', op: (x: tf.Tensor4D) => tf.Tensor2D) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(values, [3, 4, 5, 6]);
      const dy = tf.tensor2d(dyValues, [3, 6]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t as tf.Tensor4D), dy)))(x);
      const y = op(x);
      const out = { y: (await y.data()) as Float32Array, g: (await g.data()) as Float32Array };
      tf.dispose([x, dy, g, y]);
      return out;
    };
    const ref = await grad('cpu', (t) => tf.max(t, [1, 2]) as tf.Tensor2D);
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await grad(backend, globalMaxPool);
      expect(Array.from(got.y)).toEqual(Array.from(ref.y));
      expect(Array.from(got.g)).toEqual(Array.from(ref.g));
    }
  });

  async function modelGradients(spec: ModelSpec, backend: 'cpu' | 'wasm'): Promise<Record<string, Float32Array>> {
    expect(await tf.setBackend(backend)).toBe(true);
    const model = createModel(spec, 3);
    const x = tf.tensor4d(
      random(4 * 32 * 32 * 3, 50).map((v) => 2 * v),
      [4, 32, 32, 3],
    );
    const labels = tf.oneHot(tf.tensor1d([1, 7, 3, 0], 'int32'), 10);
    const variables = model.trainable.map((t) => t.variable);
    const step = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, true)) as tf.Scalar, variables);
    const first = step();
    tf.dispose([first.value, ...Object.values(first.grads)]);
    const before = tf.memory().numTensors;
    const { value, grads } = step(); // a second step: from the running statistics the first one left
    const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
    for (const { name, variable } of model.trainable) out[name] = (await grads[variable.name].data()) as Float32Array;
    for (const { name, variable } of model.state) out[name] = (await variable.data()) as Float32Array;
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    model.dispose();
    return out;
  }

  it.each([
    ['tiny CNN', { arch: 'tiny-cnn' }],
    ['ResNet-9 ×0.125', { arch: 'resnet9', width: 0.125 }],
  ] as [string, ModelSpec][])('%s: a training step on wasm gives the cpu gradients and running statistics', async (_, spec) => {
    const ref = await modelGradients(spec, 'cpu');
    const got = await modelGradients(spec, 'wasm');
    expect(Object.keys(got)).toEqual(Object.keys(ref));
    for (const name of Object.keys(ref)) expect(relErr(got[name], ref[name]), name).toBeLessThan(1e-4);
  });
});
