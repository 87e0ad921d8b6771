/**
 * WASM training throughput with the kernels of this folder, in Node, single-threaded SIMD wasm.
 *
 *   npx vitest bench --run src/engine/backend/wasm/wasmKernels.bench.ts
 *   APP_MODELS_ONLY=1 npx vitest bench --run src/engine/backend/wasm/wasmKernels.bench.ts   (the app's models only)
 *
 * Prints (console) images/s of the app's two models (models/tinyCnn.ts, models/resnet9.ts at width 0.25) at batch 128:
 * inference (model.apply(x, false)), a training step exactly as the trainer runs it (train/trainer.ts trainingStep:
 * gradients of the cross-entropy in training mode, SGD-momentum update) and their ratio (the target is ≥ 1/4). Then
 * images/s for a 24k-parameter CNN at batch 128 — inference, a training step with the registered kernels, with only the missing Conv2DBackpropFilter added to stock wasm, and with a naive unfold + matMul
 * Conv2DBackpropFilter — for the plain CNN and a batch-norm variant, then per-shape kernel timings. Timings are the
 * median of a few runs; on a shared 2-core machine expect ±10–20 %.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { createModel } from '../../models/model';
import type { ModelSpec } from '../../models/modelSpec';
import { SgdMomentum } from '../../train/optimizers';
import { trainingStep as trainerStep } from '../../train/trainer';
import { conv2DBackpropFilterViaConv, conv2DBackpropFilterViaSwappedConv, filterGradConvInfo } from './conv2dBackpropFilter';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';
import { withScratch } from './scratch';

const BATCH = 128;
type KernelArgs = Parameters<tf.KernelFunc>[0];

function kernel(name: string): tf.KernelFunc {
  return tf.getKernel(name, 'wasm').kernelFunc;
}

/**
 * Conv2DBackpropFilter as KH·KW matMuls (stride 1 only): dW[kh,kw] = x_tap(kh,kw)^T · dy with x_tap the shifted
 * [B·OH·OW, ci] window of the padded input. Each matMul runs on XNNPACK's fully-connected path (no transposes,
 * batch 1) with dy as the packed "weights", packed once for all taps. Measured here only: it never beats the registered
 * formulations (see conv2DBackpropFilterStrategy).
 */
function conv2DBackpropFilterViaTaps(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = filterGradConvInfo(x, args.attrs as unknown as tf.Conv2DBackpropFilterAttrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (sh !== 1 || sw !== 1) throw new Error('conv2DBackpropFilterViaTaps: stride 1 only');
  const { batchSize: b, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, oh + kh - 1 - h - top);
  const right = Math.max(0, ow + kw - 1 - w - left);
  const n = b * oh * ow;
  return withScratch(args.backend, (s) => {
    const xp =
      top + bottom + left + right > 0
        ? s.run(
            'PadV2',
            { x },
            {
              paddings: [
                [0, 0],
                [top, bottom],
                [left, right],
                [0, 0],
              ],
              constantValue: 0,
            },
          )
        : x;
    const xT = s.transpose(xp, [3, 0, 1, 2]); // [ci, B, Hp, Wp]
    // BatchMatMul caches its XNNPACK operator on the id of b (without its shape): give it a private copy of dy,
    // so no cache entry outlives this kernel on a tensor that the caller owns.
    const one = s.constant([1], []);
    const dyCopy = s.run('Multiply', { a: dy, b: one });
    const dy3 = s.reshape(dyCopy, [1, n, co]);
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = s.run('Slice', { x: xT }, { begin: [0, 0, i, j], size: [ci, b, oh, ow] });
        const a = s.reshape(tap, [1, ci, n]);
        taps.push(s.run('BatchMatMul', { a, b: dy3 }, { transposeA: false, transposeB: false })); // [1, ci, co]
      }
    }
    const g = taps.length === 1 ? taps[0] : s.run('Concat', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 }); // [KH·KW, ci, co]
    return s.reshape(g, [kh, kw, ci, co]);
  });
}

/**
 * The naive baseline: im2col (pad + KH·KW slices concatenated on channels) and one matMul with transposeA, which the
 * wasm backend runs on its scalar (non-XNNPACK) path.
 */
function naiveConv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as tf.KernelBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) throw new Error('naive kernel: stride 1 only');
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, batchSize: b, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  const made: tf.TensorInfo[] = [];
  const run = (name: string, inputs: tf.NamedTensorInfoMap, a: object = {}) => {
    const out = kernel(name)({ inputs, backend, attrs: a as tf.NamedAttrMap }) as tf.TensorInfo;
    made.push(out);
    return out;
  };
  const xp = run(
    'PadV2',
    { x },
    {
      paddings: [
        [0, 0],
        [top, Math.max(0, oh + kh - 1 - h - top)],
        [left, Math.max(0, ow + kw - 1 - w - left)],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const taps: tf.TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      taps.push(run('Slice', { x: xp }, { begin: [0, i, j, 0], size: [b, oh, ow, info.inChannels] }));
    }
  }
  const cols = run('Concat', taps as unknown as tf.NamedTensorInfoMap, { axis: 3 });
  const n = b * oh * ow;
  const a = run('Reshape', { x: cols }, { shape: [n, kh * kw * info.inChannels] });
  const d = run('Reshape', { x: dy }, { shape: [n, info.outChannels] });
  const g = run('BatchMatMul', { a, b: d }, { transposeA: true, transposeB: false });
  const out = kernel('Reshape')({ inputs: { x: g }, backend, attrs: { shape: attrs.filterShape } }) as tf.TensorInfo;
  for (const t of made) backend.disposeData(t.dataId);
  return out;
}

type Mode = 'ours' | 'filter-only' | 'naive';

/** Installs the kernels of the given mode for 'wasm': all of ours, or stock wasm plus one filter-gradient kernel. */
function useKernels(mode: Mode): void {
  unregisterWasmTrainingKernels();
  if (mode === 'ours') {
    registerWasmTrainingKernels();
    return;
  }
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: mode === 'naive' ? naiveConv2DBackpropFilter : conv2DBackpropFilterViaConv,
  });
}

// --- the models: conv 3→16, relu, maxpool, conv 16→32, relu, maxpool, conv 32→64, relu, maxpool, global mean pool,
// dense → 10 (24,234 parameters). 'plain': tf.fused.conv2d with bias + relu (what tf.layers does; tfjs unfuses it while
// recording gradients). 'batchnorm': conv without bias → tf.batchNorm4d (batch statistics from tf.moments when
// training, stored statistics for inference) → relu, like the app's tiny CNN (24,330 parameters).

type Arch = 'plain' | 'batchnorm';
let arch: Arch = 'plain';
let params: Record<string, tf.Variable> = {};
let stats: Record<string, tf.Tensor1D> = {};
let images: tf.Tensor4D;
let labels: tf.Tensor2D;
let optimizer: tf.Optimizer;

function block(h: tf.Tensor4D, i: number, training: boolean): tf.Tensor4D {
  const w = params[`w${i}`] as tf.Tensor4D;
  if (arch === 'plain') {
    const y = tf.fused.conv2d({ x: h, filter: w, strides: 1, pad: 'same', bias: params[`b${i}`], activation: 'relu' });
    return tf.maxPool(y, 2, 2, 'valid');
  }
  const c = tf.conv2d(h, w, 1, 'same');
  let mean = stats[`mean${i}`];
  let variance = stats[`var${i}`];
  if (training) {
    const m = tf.moments(c, [0, 1, 2]);
    mean = m.mean as tf.Tensor1D;
    variance = m.variance as tf.Tensor1D;
  }
  const bn = tf.batchNorm4d(c, mean, variance, params[`b${i}`] as tf.Tensor1D, params[`g${i}`] as tf.Tensor1D, 1e-5);
  return tf.maxPool(tf.relu(bn), 2, 2, 'valid');
}

function forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
  let h = x;
  for (let i = 1; i <= 3; i++) h = block(h, i, training);
  return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, params.wd as tf.Tensor2D), params.bd);
}

function inferenceStep(): void {
  const out = tf.tidy(() => forward(images, false));
  out.dataSync();
  out.dispose();
}

function trainingStep(): void {
  const cost = optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(labels, forward(images, true)) as tf.Scalar,
    true,
    Object.values(params),
  );
  cost?.dataSync();
  cost?.dispose();
}

function buildModel(a: Arch): number {
  tf.dispose([...Object.values(params), ...Object.values(stats)]);
  optimizer?.dispose();
  arch = a;
  params = {};
  stats = {};
  const channels = [3, 16, 32, 64];
  for (let i = 1; i <= 3; i++) {
    const [ci, co] = [channels[i - 1], channels[i]];
    params[`w${i}`] = tf.variable(tf.randomNormal([3, 3, ci, co], 0, Math.sqrt(2 / (9 * ci))));
    params[`b${i}`] = tf.variable(tf.zeros([co]));
    if (a === 'batchnorm') {
      params[`g${i}`] = tf.variable(tf.ones([co]));
      stats[`mean${i}`] = tf.zeros([co]);
      stats[`var${i}`] = tf.ones([co]);
    }
  }
  params.wd = tf.variable(tf.randomNormal([64, 10], 0, Math.sqrt(1 / 64)));
  params.bd = tf.variable(tf.zeros([10]));
  optimizer = tf.train.momentum(0.01, 0.9);
  return Object.values(params).reduce((n, p) => n + p.size, 0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void, runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const report: string[] = [];

/** The app's models: inference vs training images/s, interleaved runs, medians. */
function appModelRows(): void {
  report.push('', "The app's models, batch 128 (median of interleaved runs):");
  const x = tf.randomNormal([BATCH, 32, 32, 3]) as tf.Tensor4D;
  const y = tf.tensor1d(
    Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10),
    'int32',
  );
  const specs: [string, ModelSpec, number][] = [
    ['tiny CNN', { arch: 'tiny-cnn' }, 9],
    ['ResNet-9 ×0.25', { arch: 'resnet9', width: 0.25 }, 5],
  ];
  for (const [label, spec, runs] of specs) {
    const model = createModel(spec, 1);
    const optimizer = new SgdMomentum(
      model.trainable.map((p) => p.variable),
      0.9,
      5e-4,
    );
    const infer = () => {
      const out = tf.tidy(() => model.apply(x, false));
      out.dataSync();
      out.dispose();
    };
    const train = () => {
      const stats = tf.tidy(() => trainerStep(model, optimizer, x, y, 0.01));
      stats.dataSync();
      stats.dispose();
    };
    infer();
    train();
    const before = tf.memory().numTensors;
    const inferMs: number[] = [];
    const trainMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const [fn, times] of [
        [infer, inferMs],
        [train, trainMs],
      ] as const) {
        const t0 = performance.now();
        fn();
        times.push(performance.now() - t0);
      }
    }
    const leaked = tf.memory().numTensors - before;
    const [mi, mt] = [median(inferMs), median(trainMs)];
    const rate = (ms: number) => ((BATCH * 1000) / ms).toFixed(0).padStart(5);
    report.push(
      `  ${label.padEnd(15)} inference ${mi.toFixed(0).padStart(4)} ms ${rate(mi)} images/s | training ` +
        `${mt.toFixed(0).padStart(5)} ms ${rate(mt)} images/s | training/inference ${(mi / mt).toFixed(3)}` +
        (leaked !== 0 ? `  (${leaked} tensors leaked!)` : ''),
    );
    optimizer.dispose();
    model.dispose();
  }
  tf.dispose([x, y]);
}

function throughputRows(title: string, rows: [string, Mode | 'inference', number][]): void {
  report.push('', title);
  let inferMs = NaN;
  for (const [label, mode, runs] of rows) {
    useKernels(mode === 'inference' ? 'ours' : mode);
    const ms = timeMs(mode === 'inference' ? inferenceStep : trainingStep, runs, mode === 'inference' ? 2 : 1);
    if (mode === 'inference') inferMs = ms;
    const ratio = mode === 'inference' ? '' : `  (${(ms / inferMs).toFixed(2)}× inference time)`;
    report.push(
      `  ${label.padEnd(54)} ${ms.toFixed(0).padStart(6)} ms/batch ${((BATCH * 1000) / ms).toFixed(0).padStart(6)} images/s${ratio}`,
    );
  }
  useKernels('ours');
}

beforeAll(async () => {
  setWasmPaths(decodeURIComponent(new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname));
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
  images = tf.randomUniform([BATCH, 32, 32, 3]) as tf.Tensor4D;
  labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10) as tf.Tensor2D;
  report.push(
    `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, SIMD ${String(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'))}, ` +
      `threads ${String(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'))}, batch ${BATCH}, SGD momentum; ` +
      'median of a few runs',
  );
  registerWasmTrainingKernels();
  appModelRows();
  // APP_MODELS_ONLY=1: skip the 24k-parameter CNN and the per-kernel tables.
  if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.APP_MODELS_ONLY) {
    buildModel('plain'); // for the vitest benches below
    return;
  }

  // --- whole-model throughput
  let n = buildModel('plain');
  throughputRows(`CNN conv+bias+relu, ${n} parameters`, [
    ['inference', 'inference', 9],
    ['training, registered kernels', 'ours', 7],
    ['training, stock wasm + Conv2DBackpropFilter (conv form)', 'filter-only', 3],
    ['training, stock wasm + naive unfold+matMul filter grad', 'naive', 2],
  ]);
  n = buildModel('batchnorm');
  throughputRows(`CNN conv+batchNorm4d+relu, ${n} parameters`, [
    ['inference', 'inference', 9],
    ['training, registered kernels', 'ours', 7],
    ['training, stock wasm + Conv2DBackpropFilter (conv form)', 'filter-only', 2],
  ]);
  buildModel('plain');

  // --- per-shape kernels (the model's three convolutions plus smaller spatial sizes)
  const backend = tf.backend();
  const direct =
    (fn: (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | undefined, inputs: tf.NamedTensorInfoMap, attrs: object) => () => {
      const out = fn({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
      backend.disposeData(out.dataId);
    };
  report.push('', 'Conv2DBackpropFilter, 3×3 same stride 1, ms (conv | swapped conv | per-tap matMul | naive unfold+matMul):');
  for (const [b, s, ci, co] of [
    [128, 32, 3, 16],
    [128, 16, 16, 32],
    [128, 8, 32, 64],
    [128, 4, 64, 64],
    [128, 2, 64, 64],
    [1, 4, 64, 64],
  ]) {
    const x = tf.randomNormal([b, s, s, ci]);
    const dy = tf.randomNormal([b, s, s, co]);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] };
    const ms: number[] = [];
    for (const fn of [conv2DBackpropFilterViaConv, conv2DBackpropFilterViaSwappedConv, conv2DBackpropFilterViaTaps]) {
      ms.push(timeMs(direct(fn, { x, dy }, attrs), 7));
    }
    ms.push(timeMs(direct(naiveConv2DBackpropFilter, { x, dy }, attrs), 2));
    report.push(`  B${b} ${s}×${s} ${ci}→${co}: ${ms.map((t) => t.toFixed(1)).join(' | ')}`);
    tf.dispose([x, dy]);
  }

  const ours = (name: string) => tf.getKernel(name, 'wasm').kernelFunc;
  unregisterWasmTrainingKernels();
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc;
  const stockPool = tf.getKernel('MaxPoolGrad', 'wasm').kernelFunc;
  const stockTile = tf.getKernel('Tile', 'wasm').kernelFunc;
  registerWasmTrainingKernels();
  report.push('', 'Conv2DBackpropInput 3×3 same stride 1, ms (registered | stock wasm):');
  for (const [b, s, ci, co] of [
    [128, 16, 16, 32],
    [128, 8, 32, 64],
  ]) {
    const dy = tf.randomNormal([b, s, s, co]);
    const filter = tf.randomNormal([3, 3, ci, co]);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: [b, s, s, ci] };
    const mine = timeMs(direct(ours('Conv2DBackpropInput'), { dy, filter }, attrs), 7);
    const stock = timeMs(direct(stockInput, { dy, filter }, attrs), 3);
    report.push(`  B${b} ${s}×${s} ${ci}→${co}: ${mine.toFixed(1)} | ${stock.toFixed(1)}`);
    tf.dispose([dy, filter]);
  }
  report.push('', 'MaxPoolGrad 2×2 stride 2, ms (registered | stock wasm):');
  for (const [b, s, c] of [
    [128, 32, 16],
    [128, 16, 32],
    [128, 8, 64],
  ]) {
    const input = tf.relu(tf.randomNormal([b, s, s, c]));
    const output = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
    const dy = tf.randomNormal(output.shape);
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    const mine = timeMs(direct(ours('MaxPoolGrad'), { dy, input, output }, attrs), 7);
    const stock = timeMs(direct(stockPool, { dy, input, output }, attrs), 5);
    report.push(`  B${b} ${s}×${s}×${c}: ${mine.toFixed(1)} | ${stock.toFixed(1)}`);
    tf.dispose([input, output, dy]);
  }
  report.push('', 'Tile [1,1,1,C] → [128,H,W,C] (batch-norm gradient), ms (registered | stock wasm):');
  for (const [s, c] of [
    [32, 16],
    [16, 32],
  ]) {
    const x = tf.randomNormal([1, 1, 1, c]);
    const attrs = { reps: [BATCH, s, s, 1] };
    const mine = timeMs(direct(ours('Tile'), { x }, attrs), 7);
    const stock = timeMs(direct(stockTile, { x }, attrs), 2);
    report.push(`  ${s}×${s}×${c}: ${mine.toFixed(1)} | ${stock.toFixed(1)}`);
    x.dispose();
  }
}, 600_000);

afterAll(() => {
  console.log(['', ...report, ''].join('\n'));
  optimizer?.dispose();
  tf.dispose([images, labels, ...Object.values(params), ...Object.values(stats)]);
  unregisterWasmTrainingKernels();
});

describe('wasm CNN step, batch 128 (vitest statistics; images/s = hz × 128)', () => {
  bench('inference', inferenceStep, { time: 0, iterations: 5, warmupIterations: 1 });
  bench('training step, registered kernels', trainingStep, { time: 0, iterations: 5, warmupIterations: 1 });
});
