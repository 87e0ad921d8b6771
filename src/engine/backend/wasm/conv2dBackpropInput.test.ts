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
import { conv2DBackpropInputByPhases } from './conv2dBackpropInput';

useKernelTestBackends();

interface InputCase {
  dx: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

const inputCases: InputCase[] = [
  { dx: [128, 16, 16, 16], filter: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { dx: [128, 8, 8, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { dx: [2, 4, 4, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { dx: [4, 9, 9, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'valid' },
  { dx: [4, 16, 16, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { dx: [4, 15, 15, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { dx: [4, 15, 15, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'valid' },
  { dx: [4, 16, 16, 8], filter: [3, 3, 8, 16], stride: 2, pad: 'valid' },
  { dx: [2, 10, 11, 3], filter: [3, 3, 3, 5], stride: 3, pad: 'same' },
  { dx: [3, 8, 8, 4], filter: [2, 3, 4, 6], stride: 1, pad: 'same' },
  {
    dx: [3, 9, 7, 4],
    filter: [3, 3, 4, 6],
    stride: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 2],
      [0, 0],
    ],
  },
  // Strided, H and W multiples of the stride: one convolution over all output phases (conv2DBackpropInputByPhases).
  { dx: [8, 32, 32, 16], filter: [5, 5, 16, 32], stride: 2, pad: 2 }, // ResNet-9's layer1
  { dx: [2, 12, 12, 5], filter: [4, 4, 5, 3], stride: 2, pad: 'same' },
  { dx: [2, 12, 18, 4], filter: [1, 1, 4, 6], stride: 2, pad: 'valid' },
  { dx: [2, 12, 9, 3], filter: [3, 3, 3, 5], stride: 3, pad: 'same' },
  {
    dx: [2, 10, 10, 3],
    filter: [5, 5, 3, 4],
    stride: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
  },
  {
    dx: [2, 10, 10, 3],
    filter: [5, 3, 3, 4],
    stride: 2,
    pad: [
      [0, 0],
      [4, 0],
      [0, 2],
      [0, 0],
    ],
  },
];

const phaseCases = inputCases.filter((c) => c.stride > 1 && c.dx[1] % c.stride === 0 && c.dx[2] % c.stride === 0);

describe('Conv2DBackpropInput on wasm matches the cpu kernel', () => {
  it.each(inputCases)('$dx $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.dx, c.filter, c.stride, c.pad);
    const inputs = {
      dy: {
        values: random(
          dyShape.reduce((a, b) => a * b),
          3,
        ),
        shape: dyShape,
      },
      filter: {
        values: random(
          c.filter.reduce((a, b) => a * b),
          4,
        ),
        shape: c.filter,
      },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.dx };
    const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    const got = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
    expect(got.shape).toEqual(c.dx);
    expect(relErr(got.values, ref.values), describeCase({ x: c.dx, ...c })).toBeLessThan(1e-4);
  });

  it.each(phaseCases)('by phases: $dx $filter stride $stride $pad', async (c) => {
    const dyShape = convOutShape(c.dx, c.filter, c.stride, c.pad);
    const inputs = {
      dy: {
        values: random(
          dyShape.reduce((a, b) => a * b),
          3,
        ),
        shape: dyShape,
      },
      filter: {
        values: random(
          c.filter.reduce((a, b) => a * b),
          4,
        ),
        shape: c.filter,
      },
    };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.dx };
    const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
    expect(await tf.setBackend('wasm')).toBe(true);
    const got = callDirect(conv2DBackpropInputByPhases, inputs, attrs);
    expect(relErr(got, ref.values), describeCase({ x: c.dx, ...c })).toBeLessThan(1e-4);
  });
});
