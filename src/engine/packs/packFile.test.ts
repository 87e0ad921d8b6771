import { describe, expect, it } from 'vitest';
import type { CachedModel } from '../cache/types';
import { decodePack, encodePack } from './packFile';

const key = (c: string) => c.repeat(64);

const original: CachedModel = {
  key: key('a'),
  kind: 'original',
  description: 'original-0 (1000 images, seed 1)',
  weights: [
    { name: 'conv/kernel', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, -6.5]) },
    { name: 'conv/bias', shape: [1], values: Float32Array.from([Math.PI]) },
  ],
  outputs: { logits: Float32Array.from([0.25, -1, 7]) },
  meta: { examplesProcessed: 8000, seconds: 9.5 },
  createdAt: '2026-12-02T00:00:00.000Z',
};
const oracle: CachedModel = {
  key: key('b'),
  kind: 'oracle',
  description: 'oracle-0-0',
  outputs: { logits: Float32Array.from([1, 2]) },
  meta: {},
  createdAt: '2026-12-02T00:00:01.000Z',
};

describe('pack files', () => {
  it('round-trip entries with and without weights, value for value', () => {
    const back = decodePack(encodePack([original, oracle]));
    expect(back).toHaveLength(2);
    expect(back[0]).toEqual(original);
    expect(back[1]).toEqual(oracle);
    expect(back[1].weights).toBeUndefined();
  });

  it('decode from any byte offset (a view into a larger buffer)', () => {
    const bytes = encodePack([original]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodePack(shifted.subarray(3))[0]).toEqual(original);
  });

  it('decode a Node Buffer (whose slices share a larger memory pool)', () => {
    const bytes = encodePack([original, oracle]);
    const pooled = Buffer.concat([Buffer.from('xyz'), Buffer.from(bytes)]).subarray(3);
    expect(decodePack(pooled)).toEqual([original, oracle]);
  });

  it('name what is wrong with bytes that are not a pack', () => {
    const bytes = encodePack([original]);
    expect(() => decodePack(new TextEncoder().encode('<!doctype html><html>'))).toThrow(/does not start with "UPPACK1"/);
    expect(() => decodePack(bytes.subarray(0, bytes.length - 4))).toThrow(/runs past the end|whole number/);
    const badHeader = bytes.slice();
    badHeader[12] = 0x7b + 1; // the header's "{" becomes "|"
    expect(() => decodePack(badHeader)).toThrow(/header is not JSON/);
    const badKey = encodePack([{ ...oracle, key: 'short' }]);
    expect(() => decodePack(badKey)).toThrow(/header is malformed/);
  });
});
