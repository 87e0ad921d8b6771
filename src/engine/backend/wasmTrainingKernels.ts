/**
 * Training kernels for the TensorFlow.js 4.22 WASM backend.
 *
 * What a CNN training step needs on 'wasm' and does not get (found by running a full step on 'wasm', see
 * wasmTrainingKernels.test.ts: conv2d 3×3 'same' stride 1 (+ bias, and tf.fused.conv2d), relu, maxPool 2×2,
 * batch norm via tf.moments over N,H,W, residual add, matMul dense, softmax cross-entropy, L2 weight decay,
 * tf.variableGrads / optimizer.minimize with SGD momentum and Adam, and a tf.layers conv/batchNormalization/
 * maxPooling2d/globalAveragePooling2d/dense model.fit):
 *
 * - MISSING: `Conv2DBackpropFilter` only ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
 *   Every other kernel of the step exists. (wasm also lacks, versus cpu: DepthwiseConv2dNativeBackpropFilter/Input,
 *   UnsortedSegmentSum, Einsum, FFT/IFFT/Complex/Real/Imag/ComplexAbs, Ragged*, Draw, StaticRegexReplace; none of
 *   them is used by the step above.)
 * - PRESENT BUT SLOW: `Conv2DBackpropInput` is a scalar C++ loop, ≈ 10× slower than the same work done by the
 *   backend's XNNPACK `Conv2D` (it alone took longer than the whole forward pass). `MaxPoolGrad` and `Tile` are
 *   scalar loops too; `Sum`/`Mean` over N,H,W transpose before reducing; `Identity` (and same-dtype `Cast`) copy.
 * - PRESENT BUT WRONG: the wasm `MaxPoolGrad` (and `MaxPoolWithArgmax`) starts its running maximum at FLT_MIN (the
 *   smallest *positive* float) and updates with `>=`: a window whose maximum is ≤ 0 (all values negative or zero) gets
 *   no gradient at all, and ties go to the *last* maximum instead of the first one (cpu/webgl/TF: first). Harmless
 *   right after a ReLU (those positions get zero gradient from the ReLU anyway), wrong anywhere else (e.g. pooling
 *   after batch norm or on raw inputs).
 *
 * `registerWasmTrainingKernels()` therefore registers, for 'wasm' only (idempotent; `unregisterWasmTrainingKernels()`
 * restores the stock kernels):
 * - `Conv2DBackpropFilter`: dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co] is itself
 *   a convolution: input x transposed to [ci,H,W,B] (batch and channels swapped), filter dy transposed to
 *   [OH,OW,B,co], stride 1, dilation = the forward stride, the forward padding (explicit), output [ci,KH,KW,co] →
 *   transpose to [KH,KW,ci,co]. When co ≥ 2·ci ≥ 16 (stride 1) the roles are swapped (dy is the input, x the filter):
 *   XNNPACK then packs the smaller tensor. NHWC only (NCHW throws a clear error).
 * - `Conv2DBackpropInput` (stock kernel kept for NCHW and odd paddings): dx = conv2d of dy with the filter flipped
 *   spatially and its channel axes swapped, stride 1. For a stride s > 1 (H, W multiples of s) one stride-1 conv of dy
 *   computes all s·s output phases as channel blocks, interleaved by a Transpose (conv2DBackpropInputByPhases); other
 *   strided shapes zero-insert dy (≈ s² times the work).
 * - `MaxPoolGrad` (stock kernel kept for overlapping windows): for non-overlapping windows (stride = window, e.g. the
 *   usual 2×2/2), a first-maximum mask from XNNPACK element-wise ops and MaxPool; matches the cpu backend exactly.
 * - `Sum`, `Mean` (stock kernels kept for everything else): over axes [1,2] or [0,1,2] of a 4-D tensor (conv bias
 *   gradients, tf.moments, batch-norm gradients) through XNNPACK average pooling; the stock kernels transpose first
 *   and are ≈ 15× slower there.
 * - `Tile` (float32; stock kernel kept otherwise): a broadcasting Multiply with ones. The stock kernel is a scalar
 *   loop, and tf.batchNorm4d's gradient tiles [1,1,1,C] to [B,H,W,C] with it: 0.44 s of a batch-128 step of the
 *   24k-parameter CNN with batch norm, more than everything else together (now 4 ms).
 * - `Identity` and same-dtype `Cast`: share the buffer (refcounted, as the cpu backend does) instead of copying it;
 *   the engine clones every tensor it saves for backprop through Identity (≈ 30 copies per step, 4–7 % of it).
 * - `BatchMatMul` with transposeA/transposeB and one batch (a dense layer's gradients): explicit Transpose, then the
 *   stock kernel on XNNPACK's fully-connected path; with a transpose flag it runs a scalar loop (≈ 7× slower).
 *
 * All kernels only call stock kernels of the wasm backend itself (Transpose, Conv2D, Slice, PadV2, Reverse, Sub,
 * Multiply, Step, MaxPool, AvgPool, Sum, Mean, Reshape, BatchMatMul; Concat in the per-tap variant, which is
 * measured but not used), on the backend they are handed, and dispose every intermediate (also on exceptions). They create no
 * engine tensors: tf.memory() stays flat.
 */
import {
  backend_util,
  BatchMatMul,
  Cast,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  Tile,
  unregisterKernel,
  util,
} from '@tensorflow/tfjs';
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  MaxPoolGradAttrs,
  NamedAttrMap,
  NamedTensorInfoMap,
  SumAttrs,
  TensorInfo,
  TileAttrs,
} from '@tensorflow/tfjs';

const BACKEND = 'wasm';

type KernelArgs = Parameters<KernelFunc>[0];

function wasmKernel(name: string): KernelFunc {
  const config = (registration?.replaced.get(name) ?? getKernel(name, BACKEND)) as KernelConfig | undefined;
  if (config === undefined) {
    throw new Error(
      `wasmTrainingKernels: kernel '${name}' is not registered for backend 'wasm'. ` +
        `Import '@tensorflow/tfjs-backend-wasm' before registering the training kernels.`,
    );
  }
  return config.kernelFunc;
}

function single(out: TensorInfo | TensorInfo[], name: string): TensorInfo {
  if (Array.isArray(out)) throw new Error(`wasmTrainingKernels: kernel '${name}' returned several outputs`);
  return out;
}

/** Runs wasm kernels on one backend and disposes every intermediate it made, except the returned one. */
class Scratch {
  private readonly made: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const out = single(
      wasmKernel(name)({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap }),
      name,
    );
    this.made.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  constant(values: number[] | Float32Array, shape: number[]): TensorInfo {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const dataId = this.backend.write(data, shape, 'float32');
    const info: TensorInfo = { dataId, shape, dtype: 'float32' };
    this.made.push(info);
    return info;
  }

  disposeAllBut(keep: TensorInfo | undefined): void {
    for (const info of this.made) if (info !== keep) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

function withScratch(backend: unknown, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend as KernelBackend);
  let out: TensorInfo | undefined;
  try {
    out = body(s);
    return out;
  } finally {
    s.disposeAllBut(out);
  }
}

type Conv2DInfo = backend_util.Conv2DInfo;

function filterGradConvInfo(x: TensorInfo, attrs: Conv2DBackpropFilterAttrs): Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(
      `wasm Conv2DBackpropFilter (wasmTrainingKernels) supports only dataFormat 'NHWC'; got '${dataFormat}'. ` +
        `Use channels-last tensors on the wasm backend.`,
    );
  }
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
}

/**
 * Conv2DBackpropFilter as one XNNPACK convolution: conv2d(x^T [ci,H,W,B], dy^T [OH,OW,B,co], stride 1,
 * dilation = stride, explicit padding) = dW^T [ci,KH,KW,co]. Any stride, any padding, NHWC.
 */
export function conv2DBackpropFilterViaConv(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const info = filterGradConvInfo(x, args.attrs as unknown as Conv2DBackpropFilterAttrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // The dilated "filter" (dy) spans (O−1)·s+1 input rows; pad the bottom/right just enough for KH×KW outputs.
  const bottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - h - top);
  const right = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - w - left);
  return withScratch(args.backend, (s) => {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [ci, H, W, B]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, co]: a fresh tensor, so XNNPACK's per-filter cache dies with it
    let g = s.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [sh, sw],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [ci, KH', KW', co], KH' ≥ KH
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = s.run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    }
    return s.transpose(g, [1, 2, 0, 3]);
  });
}

/**
 * Conv2DBackpropFilter as one XNNPACK convolution with the roles swapped (stride 1 only): conv2d(dy^T [co,OH,OW,B],
 * x^T [H,W,B,ci], stride 1, padding KH−1−pt / H−OH+pt) = dW^T [co,KH,KW,ci] flipped spatially. The "filter" is now
 * x, which is smaller than dy when co > ci, so XNNPACK spends less time transposing and packing it; its GEMM has
 * N = ci output columns, wasteful below 8. Returns undefined when the padding does not fit (pt or pb ≥ KH).
 */
export function conv2DBackpropFilterViaSwappedConv(args: KernelArgs): TensorInfo | undefined {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const info = filterGradConvInfo(x, args.attrs as unknown as Conv2DBackpropFilterAttrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (sh !== 1 || sw !== 1) return undefined;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h - oh + info.padInfo.top;
  const right = w - ow + info.padInfo.left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
  return withScratch(args.backend, (s) => {
    const dyT = s.transpose(dy, [3, 1, 2, 0]); // [co, OH, OW, B]
    const xT = s.transpose(x, [1, 2, 0, 3]); // [H, W, B, ci]: fresh, so XNNPACK's per-filter cache dies with it
    const g = s.run(
      'Conv2D',
      { x: dyT, filter: xT },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [co, KH, KW, ci], g[o, KH−1−i, KW−1−j, c] = dW[i, j, c, o]
    const flipped = s.run('Reverse', { x: g }, { dims: [1, 2] });
    return s.transpose(flipped, [1, 2, 3, 0]);
  });
}

/**
 * Conv2DBackpropFilter as KH·KW matMuls (stride 1 only): dW[kh,kw] = x_tap(kh,kw)^T · dy with x_tap the shifted
 * [B·OH·OW, ci] window of the padded input. Each matMul runs on XNNPACK's fully-connected path (no transposes,
 * batch 1) with dy as the packed "weights", packed once for all taps.
 */
export function conv2DBackpropFilterViaTaps(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const info = filterGradConvInfo(x, args.attrs as unknown as Conv2DBackpropFilterAttrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (sh !== 1 || sw !== 1) throw new Error('conv2DBackpropFilterViaTaps: stride 1 only');
  const { batchSize: b, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } =
    info;
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
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = s.run('Slice', { x: xT }, { begin: [0, 0, i, j], size: [ci, b, oh, ow] });
        const a = s.reshape(tap, [1, ci, n]);
        taps.push(s.run('BatchMatMul', { a, b: dy3 }, { transposeA: false, transposeB: false })); // [1, ci, co]
      }
    }
    const g = taps.length === 1 ? taps[0] : s.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 0 }); // [KH·KW, ci, co]
    return s.reshape(g, [kh, kw, ci, co]);
  });
}

/**
 * Which formulation the registered kernel uses for a shape. Measured on a 2-core x86 machine (shared, ±10 %), Node
 * 20, tfjs 4.22 SIMD wasm, batch 128, 3×3 'same' (wasmKernels.bench.ts and interleaved A/B runs; ms, conv | swapped
 * conv | per-tap matMul | naive unfold+matMul): 32×32 3→16: 29 | 36 | 33 | 315; 16×16 16→32: 28 | 27.6 | 58 | 211;
 * 8×8 32→64: 22.7 | 21.7 | 40 | 179; 4×4 64→64: 9.7 | 11.8 | 30 | 96; 2×2 64→64: 2.2 | 4.3 | 14 | 23.
 * The matMul form (an unfold that is only KH·KW slices, then XNNPACK fully-connected GEMMs) never wins, and loses
 * most at small spatial sizes, so it is not used. The swapped form wins a little when dy is much larger than x and ci
 * fills XNNPACK's 8-wide GEMM tile; with 3 input channels it wastes 5/8 of the tile.
 */
export function conv2DBackpropFilterStrategy(info: {
  strideHeight: number;
  strideWidth: number;
  inChannels: number;
  outChannels: number;
}): 'conv' | 'swapped' {
  const strideOne = info.strideHeight === 1 && info.strideWidth === 1;
  return strideOne && info.inChannels >= 8 && info.outChannels >= 2 * info.inChannels ? 'swapped' : 'conv';
}

export function wasmConv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const info = filterGradConvInfo(x, args.attrs as unknown as Conv2DBackpropFilterAttrs);
  if (conv2DBackpropFilterStrategy(info) === 'swapped') {
    const out = conv2DBackpropFilterViaSwappedConv(args);
    if (out !== undefined) return out;
  }
  return conv2DBackpropFilterViaConv(args);
}

/**
 * Conv2DBackpropInput for a stride s > 1 (same in both directions, dilation 1, NHWC, H and W multiples of s) without
 * zero-inserting dy: with the forward y[o] = Σ_k x[o·s + k − p]·W[k], every output phase r of dx[s·q + r] is a
 * stride-1 correlation of dy, dx[s·q + r] = Σ_e dy[q + e]·W[r + p − s·e]. All s·s phases (rows × columns) share the
 * window e ∈ [e0, e1], so one XNNPACK convolution of dy with a filter G [E, F, co, s·s·ci] (G's channel block r·s + t
 * holds phase (r, t)'s taps, zero where r + p − s·e falls outside the kernel) computes them all, and one Transpose
 * interleaves the blocks. For the 5×5 stride-2 layer of ResNet-9 this does 36 instead of 100 multiply-adds per
 * 2×2 output block (the zero-inserted form; the phases alone need 25). Returns undefined when not applicable.
 */
export function conv2DBackpropInputByPhases(args: KernelArgs): TensorInfo | undefined {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') return undefined;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: b, filterHeight: kh, filterWidth: kw, strideHeight: st, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  if (st !== sw || st < 2 || h % st !== 0 || w % st !== 0) return undefined;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const s = st;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Window of dy offsets e (rows) and f (columns) that any phase uses.
  const e0 = Math.ceil((pt - kh + 1) / s);
  const e1 = Math.floor((s - 1 + pt) / s);
  const f0 = Math.ceil((pl - kw + 1) / s);
  const f1 = Math.floor((s - 1 + pl) / s);
  if (e0 > 0 || f0 > 0 || e1 < e0 || f1 < f0) return undefined;
  const [eh, ew] = [e1 - e0 + 1, f1 - f0 + 1];
  const [qh, qw] = [h / s, w / s];
  const backend = args.backend as KernelBackend;
  const wv = backend.readSync(filter.dataId) as Float32Array; // [kh, kw, ci, co], a few thousand values
  const blocks = s * s * ci;
  const g = new Float32Array(eh * ew * co * blocks);
  for (let a = 0; a < eh; a++) {
    for (let c = 0; c < ew; c++) {
      for (let r = 0; r < s; r++) {
        const i = r + pt - s * (a + e0);
        if (i < 0 || i >= kh) continue;
        for (let t = 0; t < s; t++) {
          const j = t + pl - s * (c + f0);
          if (j < 0 || j >= kw) continue;
          for (let k = 0; k < ci; k++) {
            const src = ((i * kw + j) * ci + k) * co;
            const dst = (a * ew + c) * co * blocks + (r * s + t) * ci + k;
            for (let o = 0; o < co; o++) g[dst + o * blocks] = wv[src + o];
          }
        }
      }
    }
  }
  const top = -e0;
  const left = -f0;
  const bottom = qh - oh - top + eh - 1; // negative: extra rows are computed and sliced off
  const right = qw - ow - left + ew - 1;
  return withScratch(backend, (sc) => {
    const gT = sc.constant(g, [eh, ew, co, blocks]);
    let phases = sc.run(
      'Conv2D',
      { x: dy, filter: gT },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [b, ≥qh, ≥qw, s·s·ci]
    if (phases.shape[1] !== qh || phases.shape[2] !== qw) {
      phases = sc.run('Slice', { x: phases }, { begin: [0, 0, 0, 0], size: [b, qh, qw, blocks] });
    }
    // [b·qh, qw, s (r), s·ci (t, k)] → [b·qh, s (r), qw, s·ci]: dx[b, s·q + r, s·p + t, k] (wasm's DepthToSpace, which
    // would do the same, is a scalar loop ≈ 80× slower than this Transpose).
    const rows = sc.transpose(sc.reshape(phases, [b * qh, qw, s, s * ci]), [0, 2, 1, 3]);
    return sc.reshape(rows, [b, h, w, ci]);
  });
}

/** Conv2DBackpropInput via XNNPACK Conv2D; returns undefined when the shape is not handled (caller delegates). */
function conv2DBackpropInputViaConv(args: KernelArgs): TensorInfo | undefined {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
    args.attrs as unknown as Conv2DBackpropInputAttrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') return undefined;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { batchSize: b, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  if (top < 0 || left < 0) return undefined; // forward padding larger than the filter: leave it to the built-in
  // dy with (s−1) zeros inserted after every row/column (trailing ones included): [B, OH·sh, OW·sw, co].
  const uh = oh * sh;
  const uw = ow * sw;
  const bottom = h + kh - 1 - uh - top; // may be negative: then the extra output rows are sliced off
  const right = w + kw - 1 - uw - left;
  return withScratch(args.backend, (s) => {
    let d = dy;
    if (sh > 1 || sw > 1) {
      const d6 = s.reshape(dy, [b, oh, 1, ow, 1, co]);
      const padded = s.run(
        'PadV2',
        { x: d6 },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      d = s.reshape(padded, [b, uh, uw, co]);
    }
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const f = s.transpose(flipped, [0, 1, 3, 2]); // [KH, KW, co, ci], fresh (XNNPACK caches per filter id)
    let dx = s.run(
      'Conv2D',
      { x: d, filter: f },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    if (dx.shape[1] !== h || dx.shape[2] !== w) {
      dx = s.run('Slice', { x: dx }, { begin: [0, 0, 0, 0], size: [b, h, w, ci] });
    }
    return dx;
  });
}

/**
 * MaxPoolGrad for non-overlapping windows (stride = window size, no dilation), cpu semantics: the gradient of each
 * window goes to its first maximum in row-major order. Returns undefined for other pools (caller delegates).
 *
 * With x6 = x as [B,OH,kh,OW,kw,C] and y, dy broadcast over the window (XNNPACK broadcasts; wasm's Equal does not,
 * fast): notMax = step(y − x6) ∈ {0,1}; score = code − notMax with code = (K − p)/2^m for window position p, a dyadic
 * fraction in (0,1) (K = kh·kw < 2^m), so every score is exact in float32 and the first maximum scores highest;
 * best = MaxPool(score); mask = step(score − (best − 2^−(m+1))) is 1 exactly at the first maximum; dx = mask · dy.
 * 'same' padding: x is padded with −∞ (never a maximum) and dx cropped; rows/columns a 'valid' pool never reads are
 * cropped from x and get zero gradient. (A window that is entirely −∞ or NaN is not supported.)
 */
function maxPoolGradNonOverlapping(args: KernelArgs): TensorInfo | undefined {
  const { dy, input: x, output: y } = args.inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (sh !== kh || sw !== kw || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (x.dtype !== 'float32') return undefined;
  const window = kh * kw;
  const m = Math.ceil(Math.log2(window + 1));
  if (m > 20) return undefined;
  // Rows [r0, r1) and columns [c0, c1) of x that the windows cover (may reach into the padding).
  const r0 = -info.padInfo.top;
  const r1 = r0 + oh * kh;
  const c0 = -info.padInfo.left;
  const c1 = c0 + ow * kw;
  const [ir0, ir1, ic0, ic1] = [Math.max(0, r0), Math.min(h, r1), Math.max(0, c0), Math.min(w, c1)];
  if (ir1 <= ir0 || ic1 <= ic0) return undefined;
  const cropped = ir0 !== 0 || ir1 !== h || ic0 !== 0 || ic1 !== w;
  const padded = r0 < 0 || r1 > h || c0 < 0 || c1 > w;
  const codes: number[] = [];
  for (let p = 0; p < window; p++) codes.push((window - p) / 2 ** m);
  return withScratch(args.backend, (s) => {
    let xw = x;
    if (cropped) {
      xw = s.run('Slice', { x }, { begin: [0, ir0, ic0, 0], size: [b, ir1 - ir0, ic1 - ic0, c] });
    }
    if (padded) {
      xw = s.run(
        'PadV2',
        { x: xw },
        {
          paddings: [
            [0, 0],
            [ir0 - r0, r1 - ir1],
            [ic0 - c0, c1 - ic1],
            [0, 0],
          ],
          constantValue: Number.NEGATIVE_INFINITY,
        },
      );
    }
    const pooled = [b, oh, 1, ow, 1, c];
    const x6 = s.reshape(xw, [b, oh, kh, ow, kw, c]);
    const notMax = s.run('Step', { x: s.run('Sub', { a: s.reshape(y, pooled), b: x6 }) }, { alpha: 0 });
    const score = s.run('Sub', { a: s.constant(codes, [1, 1, kh, 1, kw, 1]), b: notMax });
    const best = s.run(
      'MaxPool',
      { x: s.reshape(score, [b, oh * kh, ow * kw, c]) },
      { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid', dimRoundingMode: undefined },
    );
    const threshold = s.run('Sub', { a: best, b: s.constant([2 ** -(m + 1)], []) });
    const mask = s.run('Step', { x: s.run('Sub', { a: score, b: s.reshape(threshold, pooled) }) }, { alpha: 0 });
    const dx6 = s.run('Multiply', { a: mask, b: s.reshape(dy, pooled) });
    let dx = s.reshape(dx6, [b, oh * kh, ow * kw, c]);
    if (padded) {
      dx = s.run('Slice', { x: dx }, { begin: [0, ir0 - r0, ic0 - c0, 0], size: [b, ir1 - ir0, ic1 - ic0, c] });
    }
    if (cropped) {
      dx = s.run(
        'PadV2',
        { x: dx },
        {
          paddings: [
            [0, 0],
            [ir0, h - ir1],
            [ic0, w - ic1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
    }
    return dx;
  });
}

/**
 * Sum or Mean of a float32 NHWC tensor over axes [1,2] or [0,1,2] (conv bias gradients, tf.moments, batch-norm
 * gradients) via XNNPACK average pooling over the whole image: the stock wasm reductions first transpose the reduced
 * axes to the end, ≈ 15× slower. Returns undefined for other reductions (caller delegates).
 */
function reduceOverSpatialAxes(op: 'Sum' | 'Mean'): (args: KernelArgs) => TensorInfo | undefined {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return undefined;
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const key = axes.join(',');
    if (key !== '1,2' && key !== '0,1,2') return undefined;
    const [b, h, w, c] = x.shape;
    if (h * w < 16 || b * c === 0) return undefined;
    return withScratch(args.backend, (s) => {
      let r = s.run('AvgPool', { x }, { filterSize: [h, w], strides: [h, w], pad: 'valid' }); // [b,1,1,c]
      if (key === '0,1,2') r = s.run(op, { x: s.reshape(r, [b, c]) }, { axis: [0], keepDims: false }); // [c]
      if (op === 'Sum') r = s.run('Multiply', { a: r, b: s.constant([h * w], []) });
      const outShape = key === '1,2' ? (keepDims ? [b, 1, 1, c] : [b, c]) : keepDims ? [1, 1, 1, c] : [c];
      return s.reshape(r, outShape);
    });
  };
}

/**
 * Tile of a float32 tensor as a broadcasting Multiply with ones (XNNPACK): out viewed as [r0,d0,r1,d1,…] is x viewed
 * as [1,d0,1,d1,…] times ones [r0,1,r1,1,…] (size-1 dims dropped, neighbours merged). The stock wasm Tile is a
 * scalar loop: tfjs' batch-norm gradient tiles [1,1,1,C] to [B,H,W,C] with it, 0.1–0.25 s per layer at batch 128.
 * Returns undefined when more than 6 broadcast dims would be needed or nothing is repeated (caller delegates).
 */
function tileByBroadcast(args: KernelArgs): TensorInfo | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  const { reps } = args.attrs as unknown as TileAttrs;
  if (x.dtype !== 'float32' || reps.length !== x.shape.length || reps.some((r) => r < 1)) return undefined;
  const dims: { size: number; repeat: boolean }[] = [];
  const push = (size: number, repeat: boolean) => {
    if (size === 1) return;
    const last = dims[dims.length - 1];
    if (last !== undefined && last.repeat === repeat) last.size *= size;
    else dims.push({ size, repeat });
  };
  x.shape.forEach((d, i) => {
    push(reps[i], true);
    push(d, false);
  });
  const onesSize = reps.reduce((a, r) => a * r, 1);
  if (dims.length > 6 || !dims.some((d) => d.repeat) || util.sizeFromShape(x.shape) === 0) return undefined;
  if (onesSize > 1 << 24) return undefined;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  return withScratch(args.backend, (s) => {
    const xb = s.reshape(
      x,
      dims.map((d) => (d.repeat ? 1 : d.size)),
    );
    const ones = s.constant(
      new Float32Array(onesSize).fill(1),
      dims.map((d) => (d.repeat ? d.size : 1)),
    );
    return s.reshape(s.run('Multiply', { a: xb, b: ones }), outShape);
  });
}

/**
 * BatchMatMul with transposeA or transposeB and a single batch (the dense layer's gradients: dW = xᵀ·dy, dx = dy·Wᵀ)
 * as an explicit Transpose followed by the stock kernel without transposes, which runs on XNNPACK's fully-connected
 * path; with a transpose flag the stock kernel takes a scalar loop (≈ 3 ms each for a 1024→10 layer at batch 128).
 * Returns undefined otherwise (caller delegates).
 */
function batchMatMulWithoutTransposes(args: KernelArgs): TensorInfo | undefined {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  if (!transposeA && !transposeB) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const batch = (shape: number[]) => util.sizeFromShape(shape.slice(0, -2));
  if (batch(a.shape) !== 1 || batch(b.shape) !== 1) return undefined;
  const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return withScratch(args.backend, (s) => {
    const a2 = transposeA ? s.transpose(a, swapLast(a.shape.length)) : a;
    const b2 = transposeB ? s.transpose(b, swapLast(b.shape.length)) : b;
    return s.run('BatchMatMul', { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  });
}

/**
 * Identity, and Cast to the dtype the tensor already has, as a reference to the same buffer (refcounted, like the cpu
 * backend does). The stock wasm kernels copy: the engine clones every tensor it saves for the backward pass through
 * Identity, ≈ 30 copies per training step of a 3-conv CNN. Strings are left to the stock kernel.
 */
function aliasSameDtype(args: KernelArgs): TensorInfo | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype ?? x.dtype;
  if (x.dtype === 'string' || dtype !== x.dtype) return undefined;
  (args.backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

interface Registration {
  /** Built-in wasm kernels this module replaced (restored by unregisterWasmTrainingKernels). */
  readonly replaced: Map<string, KernelConfig>;
}

let registration: Registration | undefined;

/**
 * Kernel names this module registers for 'wasm': the missing Conv2DBackpropFilter, and faster (MaxPoolGrad: also
 * correct) versions of stock kernels, which still handle the cases the fast paths do not cover.
 */
export const WASM_TRAINING_KERNELS = [
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  MaxPoolGrad,
  Sum,
  Mean,
  Tile,
  Identity,
  Cast,
  BatchMatMul,
] as const;

const FAST_PATHS: Record<(typeof WASM_TRAINING_KERNELS)[number], (args: KernelArgs) => TensorInfo | undefined> = {
  [Conv2DBackpropFilter]: (args) => {
    const { dataFormat } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    // NCHW: delegate to a previously registered kernel if there is one, else wasmConv2DBackpropFilter throws.
    const other = registration?.replaced.has(Conv2DBackpropFilter) === true;
    if (other && backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') return undefined;
    return wasmConv2DBackpropFilter(args);
  },
  [Conv2DBackpropInput]: (args) => conv2DBackpropInputByPhases(args) ?? conv2DBackpropInputViaConv(args),
  [MaxPoolGrad]: maxPoolGradNonOverlapping,
  [Sum]: reduceOverSpatialAxes('Sum'),
  [Mean]: reduceOverSpatialAxes('Mean'),
  [Tile]: tileByBroadcast,
  [Identity]: aliasSameDtype,
  [Cast]: aliasSameDtype,
  [BatchMatMul]: batchMatMulWithoutTransposes,
};

/**
 * Registers the training kernels for the 'wasm' backend (idempotent; call any time after
 * '@tensorflow/tfjs-backend-wasm' was imported, before or after tf.setBackend('wasm')).
 * Returns the names of the kernels now provided by this module.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  if (registration !== undefined) return WASM_TRAINING_KERNELS;
  wasmKernel('Conv2D'); // throws a clear error when the wasm backend's kernels are not loaded
  const current: Registration = { replaced: new Map<string, KernelConfig>() };
  for (const name of WASM_TRAINING_KERNELS) {
    const builtin = getKernel(name, BACKEND) as KernelConfig | undefined;
    if (builtin !== undefined) {
      current.replaced.set(name, builtin);
      unregisterKernel(name, BACKEND); // re-registering an existing kernel would only log a warning
    }
    const fast = FAST_PATHS[name];
    registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: (args) => {
        const out = fast(args);
        if (out !== undefined) return out;
        if (builtin === undefined) throw new Error(`wasm ${name} (wasmTrainingKernels): unsupported arguments`);
        return builtin.kernelFunc(args);
      },
    });
  }
  registration = current;
  return WASM_TRAINING_KERNELS;
}

/** Undoes registerWasmTrainingKernels: removes its kernels and restores the built-in ones it replaced. */
export function unregisterWasmTrainingKernels(): void {
  if (registration === undefined) return;
  for (const name of WASM_TRAINING_KERNELS) {
    unregisterKernel(name, BACKEND);
    const builtin = registration.replaced.get(name);
    if (builtin !== undefined) registerKernel(builtin);
  }
  registration = undefined;
}
