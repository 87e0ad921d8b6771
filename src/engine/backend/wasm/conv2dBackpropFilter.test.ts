import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  callDirect,
  convOutShape,
  describeCase,
  random,
  relErr,
  runKernelOn,
  useKernelTestBackends,
  type Pad,
  type Shape4,
} from '../../../../test/support/wasmKernels';
import { conv2DBackpropFilterViaConv, conv2DBackpropFilterViaSwappedConv } from './conv2dBackpropFilter';

useKernelTestBackends();

/** Float64 reference of the filter gradient (NHWC, explicit top/left padding from tfjs' own conv info). */
function filterGradReference(x: Float32Array, dy: Float32Array, xShape: Shape4, filter: Shape4, stride: number, pad: Pad): Float64Array {
  const info = tf.backend_util.computeConv2DInfo(xShape, filter, stride, 1, pad);
  const [b, h, w, ci] = xShape;
  const [kh, kw, , co] = filter;
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const acc = new Float64Array(kh * kw * ci * co);
  for (let n = 0; n < b; n++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyBase = ((n * oh + r) * ow + c) * co;
        for (let i = 0; i < kh; i++) {
          const xr = r * stride + i - top;
          if (xr < 0 || xr >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xc = c * stride + j - left;
            if (xc < 0 || xc >= w) continue;
            const xBase = ((n * h + xr) * w + xc) * ci;
            for (let k = 0; k < ci; k++) {
              const xv = x[xBase + k];
              const accBase = ((i * kw + j) * ci + k) * co;
              for (let o = 0; o < co; o++) acc[accBase + o] += xv * dy[dyBase + o];
            }
          }
        }
      }
    }
  }
  return acc;
}

interface FilterCase {
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

// Batch ≤ 16: checked against the cpu backend's Conv2DBackpropFilter (whose scalar TensorBuffer loops need ≈ 10 s
// per batch-128 case), and the float64 reference against it too. Batch 128: against the float64 reference.
const filterCases: FilterCase[] = [
  { x: [1, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [128, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { x: [1, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { x: [1, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [8, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [128, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [1, 4, 4, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { x: [16, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [128, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 1, pad: 'valid' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'valid' },
  { x: [8, 32, 32, 3], filter: [3, 3, 3, 16], stride: 2, pad: 'same' },
  { x: [8, 16, 16, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'valid' },
  { x: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { x: [4, 15, 15, 16], filter: [3, 3, 16, 8], stride: 2, pad: 'valid' },
  { x: [4, 9, 9, 5], filter: [3, 3, 5, 8], stride: 3, pad: 'same' },
  { x: [4, 8, 8, 4], filter: [2, 3, 4, 6], stride: 1, pad: 'same' },
  {
    x: [3, 9, 7, 4],
    filter: [3, 3, 4, 6],
    stride: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
];

describe('Conv2DBackpropFilter on wasm matches the cpu kernel', () => {
  it.each(filterCases)('$x $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.x, c.filter, c.stride, c.pad);
    const inputs = {
      x: {
        values: random(
          c.x.reduce((a, b) => a * b),
          1,
        ),
        shape: c.x,
      },
      dy: {
        values: random(
          dyShape.reduce((a, b) => a * b),
          2,
        ),
        shape: dyShape,
      },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
    const exact = filterGradReference(inputs.x.values, inputs.dy.values, c.x, c.filter, c.stride, c.pad);
    if (c.x[0] <= 16) {
      const cpu = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      expect(relErr(cpu.values, exact), 'cpu kernel vs float64 reference').toBeLessThan(1e-5);
      const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      expect(got.shape).toEqual(c.filter);
      expect(relErr(got.values, cpu.values), describeCase(c)).toBeLessThan(1e-4);
    }
    const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(got.shape).toEqual(c.filter);
    expect(relErr(got.values, exact), describeCase(c)).toBeLessThan(1e-4);
    // Both formulations, not only the one the registered kernel picks for this shape.
    expect(relErr(callDirect(conv2DBackpropFilterViaConv, inputs, attrs), exact)).toBeLessThan(1e-4);
    if (c.stride === 1) {
      const swapped = callDirect(conv2DBackpropFilterViaSwappedConv, inputs, attrs);
      // The swapped form declines padding of KH or more on a side (the explicit case below: 3 on the right).
      const padFits = !Array.isArray(c.pad) || c.pad.every(([a, b]) => a < c.filter[0] && b < c.filter[1]);
      expect(swapped !== undefined).toBe(padFits);
      if (swapped !== undefined) expect(relErr(swapped, exact)).toBeLessThan(1e-4);
    }
  });

  it('rejects NCHW with a clear error', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.ones([1, 2, 4, 4]);
    const dy = tf.ones([1, 3, 4, 4]);
    expect(() =>
      tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});
