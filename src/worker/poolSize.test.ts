import { describe, expect, it } from 'vitest';
import { choosePoolSize } from './poolSize';

describe('choosePoolSize', () => {
  it('uses one worker per core on WASM, fewer when memory is short', () => {
    expect(choosePoolSize({ backend: 'wasm', hardwareConcurrency: 8 })).toMatchObject({
      size: 8,
      reason: expect.stringMatching(/8 logical cores/),
    });
    expect(choosePoolSize({ backend: 'wasm', hardwareConcurrency: 8, deviceMemoryGb: 2 })).toMatchObject({
      size: 4,
      reason: expect.stringMatching(/2 GB/),
    });
    expect(choosePoolSize({ backend: 'cpu', hardwareConcurrency: undefined }).size).toBe(1);
    expect(choosePoolSize({ backend: 'wasm', hardwareConcurrency: 64 }).size).toBe(16);
  });
  it('uses what the GPU measurement found', () => {
    expect(choosePoolSize({ backend: 'webgpu', hardwareConcurrency: 8 }).size).toBe(1);
    expect(choosePoolSize({ backend: 'webgpu', hardwareConcurrency: 8, gpuMeasured: { workers: 2, speedup: 1.4 } })).toMatchObject({
      size: 2,
      reason: expect.stringMatching(/1\.40×/),
    });
    expect(choosePoolSize({ backend: 'webgpu', gpuMeasured: { workers: 1, speedup: 0.9 } }).reason).toMatch(/no gain/);
  });
  it('a forced size wins, within bounds', () => {
    expect(choosePoolSize({ backend: 'wasm', hardwareConcurrency: 2, forced: 4 })).toMatchObject({
      size: 4,
      reason: expect.stringMatching(/set by/),
    });
    expect(choosePoolSize({ backend: 'webgpu', forced: 0 }).size).toBe(1);
  });
});
