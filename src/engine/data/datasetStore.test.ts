import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCifarBinary } from './cifarBinary';
import { DatasetStoreError, clearSavedDataset, loadSavedDataset, saveDataset, savedDatasetInfo } from './datasetStore';
import { firstDifference, trainRecords } from '../../../test/support/cifar';
import { CLASS_NAMES, type CifarDataset } from './types';

const R = 3073;

function dataset(id: string, first: number, withTest: boolean): CifarDataset {
  const raw = trainRecords(first, 60);
  return {
    id,
    name: `test dataset ${id}`,
    train: parseCifarBinary(raw.subarray(0, 40 * R), 'a.bin', first),
    validation: parseCifarBinary(raw.subarray(40 * R, 50 * R), 'b.bin', first + 40),
    ...(withTest ? { test: parseCifarBinary(raw.subarray(50 * R), 'c.bin') } : {}),
    classNames: CLASS_NAMES,
  };
}

function expectSame(a: CifarDataset, b: CifarDataset): void {
  expect(a.id).toBe(b.id);
  expect(a.name).toBe(b.name);
  expect([...a.classNames]).toEqual([...b.classNames]);
  for (const split of ['train', 'validation', 'test'] as const) {
    const x = a[split];
    const y = b[split];
    expect(x === undefined).toBe(y === undefined);
    if (!x || !y) continue;
    expect(x.count).toBe(y.count);
    expect(firstDifference(x.images, y.images)).toBe(-1);
    expect(firstDifference(x.labels, y.labels)).toBe(-1);
    expect(firstDifference(x.sourceIndex, y.sourceIndex)).toBe(-1);
  }
}

async function rejection(p: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetStoreError);
  expect((e as DatasetStoreError).kind).toBe(kind);
  expect((e as Error).message).toMatch(pattern);
}

/** Makes IDBObjectStore.put throw `error` for one key (a synchronous failure mid-transaction). */
function failPutFor(key: string, error: Error): () => void {
  const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore
    .prototype;
  const original = proto.put;
  proto.put = function (this: unknown, value: unknown, k?: unknown) {
    if (k === key) throw error;
    return original.call(this, value, k);
  };
  return () => {
    proto.put = original;
  };
}

describe('datasetStore (IndexedDB)', () => {
  beforeEach(() => {
    (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // a fresh, empty database per test
  });

  it('has nothing saved at first', async () => {
    expect(await savedDatasetInfo()).toBeUndefined();
    expect(await loadSavedDataset()).toBeUndefined();
  });

  it('saves and loads a dataset byte for byte, with its info', async () => {
    const ds = dataset('cifar10-full-aaaaaaaaaaaa', 0, true);
    const info = await saveDataset(ds);
    expect(info).toMatchObject({ id: ds.id, name: ds.name, counts: { train: 40, validation: 10, test: 10 } });
    expect(info.bytes).toBe(60 * (3072 + 1 + 4));
    expect(await savedDatasetInfo()).toEqual(info);
    const back = await loadSavedDataset();
    expect(back).toBeDefined();
    expectSame(back!, ds);
    expect(back!.train.images).not.toBe(ds.train.images);
  });

  it('splits large sets into chunks and reassembles them, naming a missing chunk', async () => {
    const ds = dataset('chunked', 0, true);
    await saveDataset(ds, 16); // train: 40 images → chunks of 16, 16, 8
    expectSame((await loadSavedDataset())!, ds);
    const db = await openDB('unlearning-playground-datasets', 2);
    expect((await db.getAllKeys('splits')).sort()).toEqual(['test/0', 'train/0', 'train/1', 'train/2', 'validation/0']);
    await db.delete('splits', 'train/1');
    db.close();
    await rejection(loadSavedDataset(), 'corrupt', /damaged \(train: part 2 of 3 missing\)/);
  });

  it('stores only the bytes of views into larger buffers', async () => {
    const ds = dataset('views', 0, false);
    const big = new Uint8Array(ds.train.images.length + 100);
    big.set(ds.train.images, 50);
    const viewed = { ...ds, train: { ...ds.train, images: big.subarray(50, 50 + ds.train.images.length) } };
    await saveDataset(viewed);
    const back = await loadSavedDataset();
    expect(back!.train.images.buffer.byteLength).toBe(ds.train.images.length);
    expectSame(back!, ds);
  });

  it('replaces a saved dataset, including dropping its test split', async () => {
    await saveDataset(dataset('first', 0, true));
    const second = dataset('second', 60, false);
    await saveDataset(second);
    const back = await loadSavedDataset();
    expectSame(back!, second);
    expect((await savedDatasetInfo())?.counts.test).toBeUndefined();
  });

  it('clears the saved dataset', async () => {
    await saveDataset(dataset('x', 0, true));
    await clearSavedDataset();
    expect(await loadSavedDataset()).toBeUndefined();
    expect(await savedDatasetInfo()).toBeUndefined();
  });

  describe('failures keep what was saved before', () => {
    let restore: (() => void) | undefined;
    afterEach(() => restore?.());

    it('quota exceeded while writing', async () => {
      const old = dataset('old', 0, true);
      await saveDataset(old);
      restore = failPutFor('validation/0', new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      await rejection(saveDataset(dataset('new', 100, true)), 'quota', /Not enough browser storage .*Nothing was changed/);
      restore();
      restore = undefined;
      expectSame((await loadSavedDataset())!, old);
      expect((await savedDatasetInfo())?.id).toBe('old');
    });

    it('any other error while writing the last part', async () => {
      const old = dataset('old', 0, true);
      await saveDataset(old);
      restore = failPutFor('saved', new DOMException('could not clone', 'DataCloneError'));
      await rejection(saveDataset(dataset('new', 100, false)), 'failed', /DataCloneError: could not clone\)\. Nothing was changed/);
      restore();
      restore = undefined;
      expectSame((await loadSavedDataset())!, old);
    });

    it('a first save that fails leaves nothing readable', async () => {
      restore = failPutFor('test/0', new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      await rejection(saveDataset(dataset('new', 0, true)), 'quota', /Not enough browser storage/);
      restore();
      restore = undefined;
      expect(await loadSavedDataset()).toBeUndefined();
      expect(await savedDatasetInfo()).toBeUndefined();
    });
  });

  it('does not read back a record without the completeness marker', async () => {
    const ds = dataset('partial', 0, false);
    await saveDataset(ds);
    const db = await openDB('unlearning-playground-datasets', 2);
    const meta = (await db.get('meta', 'saved')) as Record<string, unknown>;
    await db.put('meta', { ...meta, complete: false }, 'saved');
    db.close();
    expect(await loadSavedDataset()).toBeUndefined();
    expect(await savedDatasetInfo()).toBeUndefined();
  });

  it('reports split records that do not belong to the saved dataset as damaged', async () => {
    await saveDataset(dataset('one', 0, false));
    const db = await openDB('unlearning-playground-datasets', 2);
    const validation = (await db.get('splits', 'validation/0')) as Record<string, unknown>;
    await db.put('splits', { ...validation, datasetId: 'another' }, 'validation/0');
    db.close();
    await rejection(loadSavedDataset(), 'corrupt', /damaged \(validation: belongs to dataset another, not one\)/);

    await saveDataset(dataset('two', 0, false));
    const db2 = await openDB('unlearning-playground-datasets', 2);
    const train = (await db2.get('splits', 'train/0')) as Record<string, unknown>;
    await db2.put('splits', { ...train, images: new ArrayBuffer(10) }, 'train/0');
    db2.close();
    await rejection(loadSavedDataset(), 'corrupt', /damaged \(train: wrong sizes\)/);
  });

  it('rejects clearly when IndexedDB is not available', async () => {
    delete (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const pattern = /IndexedDB\) is not available/;
    await rejection(saveDataset(dataset('x', 0, false)), 'unavailable', pattern);
    await rejection(loadSavedDataset(), 'unavailable', pattern);
    await rejection(savedDatasetInfo(), 'unavailable', pattern);
    await rejection(clearSavedDataset(), 'unavailable', pattern);
  });

  it('rejects clearly when the database cannot be opened', async () => {
    (globalThis as { indexedDB?: unknown }).indexedDB = {
      open() {
        throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
      },
    };
    await rejection(loadSavedDataset(), 'unavailable', /Could not open browser storage \(IndexedDB\).*InvalidStateError/);
  });
});
