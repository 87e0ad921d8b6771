/**
 * Conv2DBackpropInput on XNNPACK's Conv2D instead of the stock scalar loop: dx is a stride-1 convolution of dy with
 * the filter flipped spatially and its channel axes swapped. Strided shapes use the phase form when H and W are
 * multiples of the stride, else zero-insert dy. Both return undefined for shapes they leave to the stock kernel.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { convThenCrop, withScratch, type KernelArgs } from './scratch';

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
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
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
    const phases = convThenCrop(sc, dy, gT, { top, bottom, left, right }, { crop: [qh, qw] }); // [b, qh, qw, s·s·ci]
    // [b·qh, qw, s (r), s·ci (t, k)] → [b·qh, s (r), qw, s·ci]: dx[b, s·q + r, s·p + t, k] (wasm's DepthToSpace, which
    // would do the same, is a scalar loop ≈ 80× slower than this Transpose).
    const rows = sc.transpose(sc.reshape(phases, [b * qh, qw, s, s * ci]), [0, 2, 1, 3]);
    return sc.reshape(rows, [b, h, w, ci]);
  });
}

/** Conv2DBackpropInput via XNNPACK Conv2D; returns undefined when the shape is not handled (caller delegates). */
export function conv2DBackpropInputViaConv(args: KernelArgs): TensorInfo | undefined {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
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
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co } = info;
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
    return convThenCrop(s, d, f, { top, bottom, left, right }, { crop: [h, w] });
  });
}
