import { describe, expect, it } from 'vitest';
import { forcedBackend, forcedWorkers } from './engineClient';

describe('link options for the engine', () => {
  it('?workers=N forces the pool size, and a wrong value says what is allowed', () => {
    expect(forcedWorkers('?workers=2')).toEqual({ workers: 2 });
    expect(forcedWorkers('?s=1.abc&workers=auto')).toEqual({});
    expect(forcedWorkers('')).toEqual({});
    expect(forcedWorkers('?workers=0').error).toMatch(/whole number from 1 to 16/);
    expect(forcedWorkers('?workers=two').error).toMatch(/\?workers=two is not a pool size/);
  });
  it('?backend= names a backend', () => {
    expect(forcedBackend('?backend=wasm')).toEqual({ force: 'wasm' });
    expect(forcedBackend('?backend=tpu').error).toMatch(/not a backend/);
  });
});
