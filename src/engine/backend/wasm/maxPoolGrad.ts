import { backend_util } from '@tensorflow/tfjs';
import type { MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { withScratch, type KernelArgs } from './scratch';

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
export function maxPoolGradNonOverlapping(args: KernelArgs): TensorInfo | undefined {
  const { dy, input: x, output: y } = args.inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
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
