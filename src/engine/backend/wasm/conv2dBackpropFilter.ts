/**
 * Conv2DBackpropFilter, which the wasm backend lacks: the filter gradient is itself a convolution, run on XNNPACK's
 * Conv2D in one of two formulations (conv2DBackpropFilterStrategy picks one per shape). NHWC only.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import { convThenCrop, withScratch, type KernelArgs } from './scratch';

type Conv2DInfo = backend_util.Conv2DInfo;

export function filterGradConvInfo(x: TensorInfo, attrs: Conv2DBackpropFilterAttrs): Conv2DInfo {
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
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // The dilated "filter" (dy) spans (O−1)·s+1 input rows; pad the bottom/right just enough for KH×KW outputs.
  const bottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - h - top);
  const right = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - w - left);
  return withScratch(args.backend, (s) => {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [ci, H, W, B]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, co]: a fresh tensor, so XNNPACK's per-filter cache dies with it
    // [ci, KH', KW', co], KH' ≥ KH, cropped to [ci, KH, KW, co]
    const g = convThenCrop(s, xT, dyT, { top, bottom, left, right }, { dilations: [sh, sw], crop: [kh, kw] });
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
    const g = convThenCrop(s, dyT, xT, { top, bottom, left, right }); // [co, KH, KW, ci], g[o, KH−1−i, KW−1−j, c] = dW[i, j, c, o]
    const flipped = s.run('Reverse', { x: g }, { dims: [1, 2] });
    return s.transpose(flipped, [1, 2, 3, 0]);
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
