import { describe, expect, it } from 'vitest';
import { deviceLossMessage, isDeviceLoss } from './deviceLoss';

describe('isDeviceLoss', () => {
  it.each([
    'Device was lost',
    'GPU device lost: reason destroyed',
    'WebGPU: DEVICE_LOST',
    'WebGL context lost',
    'The WebGL context was lost.',
    "Failed to execute 'createBuffer' on 'GPUDevice': Instance dropped",
  ])('recognises %j', (message) => {
    expect(isDeviceLoss(new Error(message))).toBe(true);
    expect(isDeviceLoss(message)).toBe(true);
  });

  it('recognises a loss in the cause chain and in plain objects with a message', () => {
    expect(isDeviceLoss(new Error('training failed', { cause: new Error('device lost') }))).toBe(true);
    expect(isDeviceLoss({ message: 'GPU device was lost' })).toBe(true);
  });

  it('recognises a DOMException-like name', () => {
    const e = new Error('the operation failed');
    e.name = 'GPUDeviceLostError';
    expect(isDeviceLoss(e)).toBe(true);
  });

  it.each(['Cancelled', 'no dataset is loaded yet', 'out of memory', 'the device storage is full', 'lost connection'])(
    'does not take %j for a device loss',
    (message) => {
      expect(isDeviceLoss(new Error(message))).toBe(false);
    },
  );

  it('handles non-errors and cyclic causes', () => {
    expect(isDeviceLoss(undefined)).toBe(false);
    expect(isDeviceLoss(null)).toBe(false);
    expect(isDeviceLoss(42)).toBe(false);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDeviceLoss(a)).toBe(false);
  });
});

describe('deviceLossMessage', () => {
  it('names the original message and the new backend', () => {
    const text = deviceLossMessage(new Error('Device was lost'), 'wasm');
    expect(text).toContain('The GPU device was lost during the run (Device was lost)');
    expect(text).toContain('restarted on wasm');
    expect(text).toContain('Run again resumes from there');
  });

  it('says so when the restart failed too', () => {
    const text = deviceLossMessage(new Error('Device was lost'), undefined, new Error('no backend'));
    expect(text).toContain('Restarting the backend failed too (no backend); reload the page');
  });
});
