/**
 * Fast paths for stock wasm kernels that are correct but slow on a training step's shapes: Sum, Mean, Tile,
 * BatchMatMul with transpose flags, and Identity / same-dtype Cast. Each returns undefined for arguments it leaves
 * to the stock kernel.
 */
import { util } from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, KernelBackend, SumAttrs, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import { withScratch, type KernelArgs } from './scratch';

/**
 * Sum or Mean of a float32 NHWC tensor over axes [1,2] or [0,1,2] (conv bias gradients, tf.moments, batch-norm
 * gradients) via XNNPACK average pooling over the whole image: the stock wasm reductions first transpose the reduced
 * axes to the end, ≈ 15× slower. Returns undefined for other reductions (caller delegates).
 */
export function reduceOverSpatialAxes(op: 'Sum' | 'Mean'): (args: KernelArgs) => TensorInfo | undefined {
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
export function tileByBroadcast(args: KernelArgs): TensorInfo | undefined {
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
export function batchMatMulWithoutTransposes(args: KernelArgs): TensorInfo | undefined {
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
export function aliasSameDtype(args: KernelArgs): TensorInfo | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype ?? x.dtype;
  if (x.dtype === 'string' || dtype !== x.dtype) return undefined;
  (args.backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
