/** The ModelCache contract, run against both implementations. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { IndexedDbCache } from './indexedDbCache';
import { MemoryCache } from './memoryCache';
import { bytesOf, expectSameEntry, makeEntry } from '../../../test/support/cacheEntries';
import { CacheError, type ModelCache } from './types';

describe.each([
  ['MemoryCache', () => new MemoryCache()],
  ['IndexedDbCache', () => new IndexedDbCache()],
])('%s', (_name, create: () => ModelCache) => {
  let cache: ModelCache;
  beforeEach(() => {
    (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // a fresh, empty database per test
    cache = create();
  });

  it('is empty at first', async () => {
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.has('a')).toBe(false);
    expect(await cache.list()).toEqual([]);
    expect(await cache.usage()).toEqual({ entries: 0, bytes: 0 });
  });

  it('returns weights, outputs and meta byte for byte, in fresh arrays', async () => {
    const entry = makeEntry('a');
    await cache.put(entry);
    expect(await cache.has('a')).toBe(true);
    expectSameEntry(await cache.get('a'), entry);
    // Changing what was put, or what came back, does not change the cache.
    const original = makeEntry('a');
    entry.weights![0].values[10] = 99;
    (await cache.get('a'))!.outputs.train[10] = 99;
    expectSameEntry(await cache.get('a'), original);
  });

  it('keeps an outputs-only entry without weights, and views into larger buffers by their own bytes', async () => {
    const big = new Float32Array(100).map((_, i) => i);
    const entry = { ...makeEntry('o', { kind: 'outputs' }), weights: undefined, outputs: { margins: big.subarray(10, 30) } };
    delete entry.weights;
    await cache.put(entry);
    const back = await cache.get('o');
    expectSameEntry(back, entry);
    expect(back!.weights).toBeUndefined();
    expect(back!.outputs.margins.buffer.byteLength).toBe(80);
    expect((await cache.usage()).bytes).toBe(80);
  });

  it('lists entries, oldest first, with their sizes, and sums usage', async () => {
    const a = makeEntry('a', { createdAt: '2025-03-01T00:00:00.000Z', kind: 'oracle' });
    const b = makeEntry('b', { createdAt: '2025-02-01T00:00:00.000Z', train: 100 });
    await cache.put(a);
    await cache.put(b);
    expect(await cache.list()).toEqual([
      { key: 'b', kind: 'original', description: 'model b', bytes: bytesOf(b), createdAt: b.createdAt },
      { key: 'a', kind: 'oracle', description: 'model a', bytes: bytesOf(a), createdAt: a.createdAt },
    ]);
    expect(bytesOf(b)).toBe(4 * (72 + 4 + 10 * 100 + 10 * 5));
    expect(await cache.usage()).toEqual({ entries: 2, bytes: bytesOf(a) + bytesOf(b) });
  });

  it('replaces an entry with the same key', async () => {
    await cache.put(makeEntry('a', { seed: 1 }));
    const second = makeEntry('a', { seed: 2, train: 3 });
    await cache.put(second);
    expectSameEntry(await cache.get('a'), second);
    expect(await cache.usage()).toEqual({ entries: 1, bytes: bytesOf(second) });
  });

  it('deletes one entry and clears all', async () => {
    await cache.put(makeEntry('a'));
    await cache.put(makeEntry('b'));
    await cache.delete('a');
    await cache.delete('missing');
    expect(await cache.get('a')).toBeUndefined();
    expect((await cache.list()).map((i) => i.key)).toEqual(['b']);
    await cache.clear();
    expect(await cache.has('b')).toBe(false);
    expect(await cache.usage()).toEqual({ entries: 0, bytes: 0 });
  });

  it('refuses an entry whose weights do not match their shapes, changing nothing', async () => {
    const bad = makeEntry('bad');
    bad.weights![1].shape = [5];
    const e = await cache.put(bad).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as CacheError).kind).toBe('failed');
    expect((e as Error).message).toMatch(/Cannot cache "model bad": weight bn1.gamma has 4 values for shape \[5\]/);
    expect(await cache.has('bad')).toBe(false);
  });
});
