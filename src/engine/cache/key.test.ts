import { describe, expect, it } from 'vitest';
import { KEY_PREFIX, cacheKey, canonicalText } from './key';

const hex = (d: ArrayBuffer) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (bytes: Uint8Array<ArrayBuffer>) => hex(await crypto.subtle.digest('SHA-256', bytes));

describe('cacheKey', () => {
  it('is the SHA-256 of the prefix and the documented canonical text', async () => {
    const indices = new Int32Array([5, 1, 4]);
    const parts = {
      seed: 3,
      role: 'oracle',
      recipe: { lr: 0.4, epochs: 2, aug: [true, null] },
      train: indices,
      dataset: 'cifar10-full-ab',
    };
    const token = `#Int32Array:12:${await sha256(new Uint8Array(indices.buffer))}`;
    const text = `{"dataset":"cifar10-full-ab","recipe":{"aug":[true,null],"epochs":2,"lr":0.4},"role":"oracle","seed":3,"train":${token}}`;
    expect(await canonicalText(parts)).toBe(text);
    const key = await cacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(await sha256(new TextEncoder().encode(KEY_PREFIX + text)));
  });

  it('does not depend on key order at any level, nor on properties that are undefined', async () => {
    const a = await cacheKey({ arch: { name: 'resnet9', width: 0.25 }, seed: 1, recipe: { epochs: 4, opt: { lr: 0.1, momentum: 0.9 } } });
    const b = await cacheKey({
      recipe: { opt: { momentum: 0.9, lr: 0.1 }, epochs: 4 },
      seed: 1,
      arch: { width: 0.25, name: 'resnet9' },
      note: undefined,
    });
    expect(b).toBe(a);
  });

  it('differs when anything differs, including array order and one index', async () => {
    const base = { dataset: 'd', train: new Int32Array([0, 1, 2, 3]), seed: 1, list: [1, 2] };
    const key = await cacheKey(base);
    const variants = [
      { ...base, train: new Int32Array([0, 1, 2, 4]) },
      { ...base, train: new Int32Array([0, 1, 2]) },
      { ...base, seed: 2 },
      { ...base, seed: '1' },
      { ...base, list: [2, 1] },
      { ...base, dataset: 'e' },
      { ...base, extra: null },
    ];
    const keys = await Promise.all(variants.map((v) => cacheKey(v)));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  it('hashes typed arrays by content and type, not by buffer', async () => {
    const indices = new Int32Array([7, 8, 9]);
    const inLargerBuffer = new Int32Array([0, 7, 8, 9, 0]).subarray(1, 4);
    expect(await cacheKey({ train: inLargerBuffer })).toBe(await cacheKey({ train: indices }));
    expect(await cacheKey({ train: new Int32Array(indices) })).toBe(await cacheKey({ train: indices }));
    const others = await Promise.all([
      cacheKey({ train: new Uint32Array([7, 8, 9]) }),
      cacheKey({ train: [7, 8, 9] }),
      cacheKey({ train: new Int32Array([7, 8, 10]) }),
    ]);
    for (const k of others) expect(k).not.toBe(await cacheKey({ train: indices }));
  });

  it('keeps large arrays out of the text (one digest each)', async () => {
    const train = Int32Array.from({ length: 50_000 }, (_, i) => i);
    const text = await canonicalText({ train, retain: train.subarray(100) });
    expect(text.length).toBeLessThan(200);
    expect(text).toMatch(/^\{"retain":#Int32Array:199600:[0-9a-f]{64},"train":#Int32Array:200000:[0-9a-f]{64}\}$/);
  });

  it('rejects values it cannot hash faithfully, naming where they are', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: Array<[unknown, RegExp]> = [
      [{ recipe: { lr: NaN } }, /parts\.recipe\.lr \(NaN\)/],
      [{ x: [1, Infinity] }, /parts\.x\[1\] \(Infinity\)/],
      [{ x: [undefined] }, /parts\.x\[0\] \(undefined\)/],
      [{ when: new Date(0) }, /parts\.when \(a Date; pass plain data\)/],
      [{ m: new Map() }, /parts\.m \(a Map/],
      [{ f: () => 1 }, /parts\.f \(function\)/],
      [{ n: 1n }, /parts\.n \(bigint\)/],
      [cyclic, /parts\.self \(a cycle\)/],
    ];
    for (const [parts, pattern] of cases) {
      const e = await cacheKey(parts).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(pattern);
    }
    // The same object twice (not a cycle) is fine.
    const shared = { lr: 0.1 };
    await expect(cacheKey({ a: shared, b: shared })).resolves.toMatch(/^[0-9a-f]{64}$/);
  });
});
