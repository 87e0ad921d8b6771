import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexedDbCache, MODEL_DB_NAME } from './indexedDbCache';
import { resilientCache } from './resilientCache';
import { bytesOf, expectSameEntry, makeEntry } from '../../../test/support/cacheEntries';
import { CacheError } from './types';

type StoreProto = Record<string, (...a: unknown[]) => unknown>;
const storeProto = () => (globalThis as unknown as { IDBObjectStore: { prototype: StoreProto } }).IDBObjectStore.prototype;

/** Replaces IDBObjectStore.prototype[method] with `fake(original, storeName, args)` until the returned function is called. */
type Fake = (original: (...a: unknown[]) => unknown, self: { name: string }, args: unknown[]) => unknown;
function patchStore(method: string, fake: Fake): () => void {
  const proto = storeProto();
  const original = proto[method];
  proto[method] = function (this: { name: string }, ...args: unknown[]) {
    return fake((...a) => original.apply(this, a), this, args);
  };
  return () => {
    proto[method] = original;
  };
}

/** Makes put into `store` throw `error` (a synchronous failure mid-transaction). */
const failPutInto = (store: string, error: Error) =>
  patchStore('put', (original, self, args) => {
    if (self.name === store) throw error;
    return original(...args);
  });

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

async function rejection(p: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CacheError);
  expect((e as CacheError).kind).toBe(kind);
  expect((e as Error).message).toMatch(pattern);
}

/** Changes the stored records of `key` directly. */
type Change = (record: Record<string, unknown>) => Record<string, unknown> | undefined;
async function tamper(store: 'entries' | 'arrays', key: string, change: Change) {
  const db = await openDB(MODEL_DB_NAME, 1);
  const record = (await db.get(store, key)) as Record<string, unknown>;
  const changed = change(record);
  if (changed) await db.put(store, changed, key);
  else await db.delete(store, key);
  db.close();
}

describe('IndexedDbCache', () => {
  let cache: IndexedDbCache;
  let restore: (() => void) | undefined;
  beforeEach(() => {
    (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // a fresh, empty database per test
    cache = new IndexedDbCache();
  });
  afterEach(() => {
    restore?.();
    restore = undefined;
  });

  it('stores a description record and an arrays record (ArrayBuffers) per entry', async () => {
    const entry = makeEntry('k');
    await cache.put(entry);
    const db = await openDB(MODEL_DB_NAME, 1);
    expect(Array.from(db.objectStoreNames).sort()).toEqual(['arrays', 'entries']);
    expect(await db.get('entries', 'k')).toEqual({
      format: 1,
      key: 'k',
      kind: 'original',
      description: 'model k',
      bytes: bytesOf(entry),
      createdAt: entry.createdAt,
      meta: entry.meta,
      weights: [
        { name: 'conv1', shape: [3, 3, 2, 4] },
        { name: 'bn1.gamma', shape: [4] },
      ],
      outputs: [
        { name: 'train', length: 200 },
        { name: 'validation', length: 50 },
      ],
    });
    const arrays = await db.get('arrays', 'k');
    db.close();
    expect(arrays.weights.map((b: ArrayBuffer) => b.byteLength)).toEqual([288, 16]);
    expect(arrays.outputs.every((b: unknown) => b instanceof ArrayBuffer)).toBe(true);
  });

  it('lists, counts and looks up without reading the arrays store', async () => {
    await cache.put(makeEntry('a'));
    await cache.put(makeEntry('b'));
    const touched: string[] = [];
    const restores = ['get', 'getAll', 'count', 'getKey', 'openCursor'].map((m) =>
      patchStore(m, (original, self, args) => {
        touched.push(self.name);
        return original(...args);
      }),
    );
    restore = () => restores.forEach((r) => r());
    expect((await cache.list()).map((i) => i.key)).toEqual(['a', 'b']);
    expect(await cache.usage()).toEqual({ entries: 2, bytes: 2 * bytesOf(makeEntry('a')) });
    expect(await cache.has('a')).toBe(true);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.every((s) => s === 'entries')).toBe(true);
  });

  describe('a failed put changes nothing (one transaction)', () => {
    it('quota exceeded on the first record → "quota", the old entry stays', async () => {
      const old = makeEntry('k', { seed: 1 });
      await cache.put(old);
      restore = failPutInto('arrays', quotaError());
      const full = /Browser storage is full: cannot cache "model k" \(0\.0 MB\)\. Nothing was changed/;
      await rejection(cache.put(makeEntry('k', { seed: 2 })), 'quota', full);
      await rejection(cache.put(makeEntry('new')), 'quota', /Browser storage is full/);
      restore();
      restore = undefined;
      expectSameEntry(await cache.get('k'), old);
      expect(await cache.has('new')).toBe(false);
    });

    it('an error on the last record → "failed", and the arrays written before it are gone too', async () => {
      restore = failPutInto('entries', new DOMException('could not clone', 'DataCloneError'));
      const why = /Caching "model k" .* failed \(DataCloneError: could not clone\)\. Nothing was changed/;
      await rejection(cache.put(makeEntry('k')), 'failed', why);
      restore();
      restore = undefined;
      const db = await openDB(MODEL_DB_NAME, 1);
      expect(await db.count('arrays')).toBe(0);
      expect(await db.count('entries')).toBe(0);
      db.close();
    });
  });

  describe('damaged entries are reported as "corrupt", deleted, and then a miss', () => {
    const cases: Array<[string, 'entries' | 'arrays', Change, RegExp]> = [
      [
        'a truncated weight',
        'arrays',
        (r) => ({ ...r, weights: [(r.weights as ArrayBuffer[])[0], new ArrayBuffer(12)] }),
        /weight bn1\.gamma has the wrong size/,
      ],
      ['a missing output', 'arrays', (r) => ({ ...r, outputs: (r.outputs as ArrayBuffer[]).slice(0, 1) }), /the number of arrays differs/],
      ['a missing arrays record', 'arrays', () => undefined, /its values are missing/],
      ['a missing description', 'entries', () => undefined, /its description is missing/],
      ['an unreadable description', 'entries', (r) => ({ ...r, kind: 'something' }), /its description is unreadable/],
      ['a wrong total', 'entries', (r) => ({ ...r, bytes: 4 }), /its size does not add up/],
    ];
    it.each(cases)('%s', async (_what, store, change, why) => {
      await cache.put(makeEntry('k'));
      await cache.put(makeEntry('other'));
      await tamper(store, 'k', change);
      await rejection(cache.get('k'), 'corrupt', new RegExp(`is damaged \\(${why.source}\\); it was deleted and will be computed again`));
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.has('k')).toBe(false);
      const db = await openDB(MODEL_DB_NAME, 1);
      expect(await db.count('arrays', 'k')).toBe(0);
      db.close();
      expectSameEntry(await cache.get('other'), makeEntry('other'));
    });

    it('names the model in the report', async () => {
      await cache.put(makeEntry('k'));
      await tamper('arrays', 'k', (r) => ({ ...r, outputs: [new ArrayBuffer(3), new ArrayBuffer(3)] }));
      const report = /^The cached model "model k" in browser storage is damaged \(output train has the wrong size\)/;
      await rejection(cache.get('k'), 'corrupt', report);
    });

    it('list leaves out an unreadable description', async () => {
      await cache.put(makeEntry('k'));
      await cache.put(makeEntry('other'));
      await tamper('entries', 'k', (r) => ({ ...r, format: 99 }));
      expect((await cache.list()).map((i) => i.key)).toEqual(['other']);
    });
  });

  it('rejects clearly when IndexedDB is not available', async () => {
    delete (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const pattern = /IndexedDB\) is not available/;
    await rejection(cache.get('k'), 'unavailable', pattern);
    await rejection(cache.put(makeEntry('k')), 'unavailable', pattern);
    await rejection(cache.has('k'), 'unavailable', pattern);
    await rejection(cache.list(), 'unavailable', pattern);
    await rejection(cache.usage(), 'unavailable', pattern);
    await rejection(cache.delete('k'), 'unavailable', pattern);
    await rejection(cache.clear(), 'unavailable', pattern);
  });

  it('rejects clearly when the database cannot be opened', async () => {
    (globalThis as { indexedDB?: unknown }).indexedDB = {
      open() {
        throw new DOMException('The operation failed for reasons unrelated to the database itself.', 'UnknownError');
      },
    };
    await rejection(cache.get('k'), 'unavailable', /Could not open browser storage \(IndexedDB\) for the model cache.*UnknownError/);
  });

  describe('through resilientCache', () => {
    it('a full store: put does not throw, "quota" is reported once, get still works', async () => {
      const problems: CacheError[] = [];
      const safe = resilientCache(cache, (e) => problems.push(e));
      const kept = makeEntry('kept');
      await safe.put(kept);
      restore = failPutInto('arrays', quotaError());
      await expect(safe.put(makeEntry('a'))).resolves.toBeUndefined();
      await expect(safe.put(makeEntry('b'))).resolves.toBeUndefined();
      expect(problems.map((p) => p.kind)).toEqual(['quota']);
      expect(problems[0].message).toMatch(/Browser storage is full/);
      expectSameEntry(await safe.get('kept'), kept);
      expect(await safe.get('a')).toBeUndefined();
      expect(await safe.has('b')).toBe(false);
      expect(problems).toHaveLength(1);
    });

    it('a damaged entry is a miss, reported as "corrupt"', async () => {
      const problems: CacheError[] = [];
      const safe = resilientCache(cache, (e) => problems.push(e));
      await safe.put(makeEntry('k'));
      await tamper('arrays', 'k', () => undefined);
      expect(await safe.get('k')).toBeUndefined();
      expect(problems.map((p) => p.kind)).toEqual(['corrupt']);
      await safe.put(makeEntry('k')); // the runner recomputes and caches afresh
      expectSameEntry(await safe.get('k'), makeEntry('k'));
    });

    it('no IndexedDB: every call is a miss or a no-op, reported once as "unavailable"', async () => {
      delete (globalThis as { indexedDB?: IDBFactory }).indexedDB;
      const problems: CacheError[] = [];
      const safe = resilientCache(cache, (e) => problems.push(e));
      expect(await safe.get('k')).toBeUndefined();
      await safe.put(makeEntry('k'));
      expect(await safe.has('k')).toBe(false);
      expect(await safe.list()).toEqual([]);
      expect(await safe.usage()).toEqual({ entries: 0, bytes: 0 });
      await safe.delete('k');
      await safe.clear();
      expect(problems.map((p) => p.kind)).toEqual(['unavailable']);
    });
  });
});
