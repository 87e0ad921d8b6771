import { describe, expect, it } from 'vitest';
import { MemoryCache } from './memoryCache';
import { bytesOf, makeEntry } from '../../../test/support/cacheEntries';
import { CacheError } from './types';

const keys = async (cache: MemoryCache) => (await cache.list()).map((i) => i.key).sort();

describe('MemoryCache byte budget', () => {
  const size = bytesOf(makeEntry('x')); // every makeEntry() with default sizes has this many bytes

  it('evicts the least recently used entries (by get or put) to stay within the budget', async () => {
    const cache = new MemoryCache({ maxBytes: 2 * size });
    await cache.put(makeEntry('a'));
    await cache.put(makeEntry('b'));
    await cache.get('a'); // now b is the least recently used
    await cache.put(makeEntry('c'));
    expect(await keys(cache)).toEqual(['a', 'c']);
    expect(await cache.usage()).toEqual({ entries: 2, bytes: 2 * size });

    await cache.put(makeEntry('a')); // a put counts as a use: c is next to go
    await cache.put(makeEntry('d'));
    expect(await keys(cache)).toEqual(['a', 'd']);
  });

  it('evicts as many entries as a large one needs, and has() does not count as a use', async () => {
    const cache = new MemoryCache({ maxBytes: 4 * size });
    for (const k of ['a', 'b', 'c']) await cache.put(makeEntry(k));
    await cache.has('a');
    const big = makeEntry('big', { train: 60 }); // a little over two entries' worth
    expect(bytesOf(big)).toBeGreaterThan(2 * size);
    expect(bytesOf(big)).toBeLessThan(3 * size);
    await cache.put(big);
    expect(await keys(cache)).toEqual(['big', 'c']);
    expect((await cache.usage()).bytes).toBe(bytesOf(big) + size);
  });

  it('refuses an entry larger than the whole budget with "quota", keeping the others', async () => {
    const cache = new MemoryCache({ maxBytes: size + 10 });
    await cache.put(makeEntry('a'));
    const e = await cache.put(makeEntry('huge', { train: 1000 })).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CacheError);
    expect((e as CacheError).kind).toBe('quota');
    expect((e as Error).message).toMatch(/Not enough cache memory for "model huge"/);
    expect(await keys(cache)).toEqual(['a']);
  });

  it('keeps everything without a budget', async () => {
    const cache = new MemoryCache();
    for (let i = 0; i < 50; i++) await cache.put(makeEntry(`k${i}`, { train: 1000 }));
    expect((await cache.usage()).entries).toBe(50);
  });
});
