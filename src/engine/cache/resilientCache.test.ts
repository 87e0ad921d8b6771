import { describe, expect, it } from 'vitest';
import { MemoryCache } from './memoryCache';
import { resilientCache } from './resilientCache';
import { makeEntry } from '../../../test/support/cacheEntries';
import { CacheError, type ModelCache } from './types';

/** A MemoryCache whose get and put throw whatever `failure` holds (nothing when undefined). */
function flaky(): { cache: ModelCache; fail: (e: unknown) => void } {
  const inner = new MemoryCache();
  let failure: unknown;
  const check = async () => {
    if (failure !== undefined) throw failure;
  };
  return {
    cache: {
      get: (k) => check().then(() => inner.get(k)),
      put: (e) => check().then(() => inner.put(e)),
      has: (k) => inner.has(k),
      list: () => inner.list(),
      delete: (k) => inner.delete(k),
      clear: () => inner.clear(),
      usage: () => inner.usage(),
    },
    fail: (e) => {
      failure = e;
    },
  };
}

describe('resilientCache', () => {
  it('passes calls through while the inner cache works', async () => {
    const problems: CacheError[] = [];
    const safe = resilientCache(new MemoryCache(), (e) => problems.push(e));
    await safe.put(makeEntry('a'));
    expect((await safe.get('a'))?.key).toBe('a');
    expect(await safe.has('a')).toBe(true);
    expect((await safe.usage()).entries).toBe(1);
    await safe.delete('a');
    expect(await safe.list()).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('reports each kind of problem once, and wraps other errors as "failed"', async () => {
    const { cache, fail } = flaky();
    const problems: CacheError[] = [];
    const safe = resilientCache(cache, (e) => problems.push(e));
    await safe.put(makeEntry('a'));

    fail(new CacheError('store full', 'quota'));
    await safe.put(makeEntry('b'));
    await safe.put(makeEntry('c'));
    expect(await safe.get('a')).toBeUndefined();

    fail(new TypeError('boom'));
    expect(await safe.get('a')).toBeUndefined();
    await safe.put(makeEntry('d'));

    fail(new CacheError('damaged', 'corrupt'));
    expect(await safe.get('a')).toBeUndefined();

    expect(problems.map((p) => [p.kind, p.message])).toEqual([
      ['quota', 'store full'],
      ['failed', 'Reading the model cache failed (boom).'],
      ['corrupt', 'damaged'],
    ]);
    expect(problems[1].cause).toBeInstanceOf(TypeError);

    fail(undefined);
    expect((await safe.get('a'))?.key).toBe('a'); // it recovers when the inner cache does
    expect(await safe.has('b')).toBe(false);
  });
});
