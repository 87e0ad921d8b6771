/**
 * Keeps one loaded dataset (the full CIFAR-10 the user gave us) in IndexedDB so the next visit does
 * not ask for the files again.
 *
 * Database "unlearning-playground-datasets" v2, two object stores written together in ONE transaction:
 *   splits: key "<split>/<chunk>" (e.g. "train/3") → { datasetId, split, chunk, count, images, labels, sourceIndex }
 *           holding images [chunk·chunkImages, …) of the split (ArrayBuffers, stored by structured clone).
 *           Chunks, because Chromium aborted the transaction and then hung when one value held the
 *           138 MB of the full training split.
 *   meta:   key "saved" → { format: 2, complete: true, id, name, classNames, counts, chunkImages, bytes, savedAt }
 * The meta record is written last and is the completeness marker: a dataset is read back only when
 * meta is complete and every split record carries the same datasetId with consistent lengths.
 * A failed save aborts its transaction, so what was saved before stays as it was.
 */
import { type DBSchema, type IDBPDatabase } from 'idb';
import { explainError, openRebuildableDb } from './browserDb';
import { z } from 'zod';
import { NUM_CLASSES, PIXELS_PER_IMAGE, type CifarDataset, type ImageSet, type SplitName } from './types';

const DB_NAME = 'unlearning-playground-datasets';
const DB_VERSION = 2;
const META_KEY = 'saved';
const FORMAT = 2;
/** Images per stored record: 5,000 CIFAR images are 15.4 MB. */
export const CHUNK_IMAGES = 5_000;

interface StoredChunk {
  datasetId: string;
  split: SplitName;
  chunk: number;
  count: number;
  images: ArrayBuffer;
  labels: ArrayBuffer;
  sourceIndex: ArrayBuffer;
}

const metaSchema = z.object({
  format: z.literal(FORMAT),
  complete: z.literal(true),
  id: z.string().min(1),
  name: z.string(),
  classNames: z.array(z.string()).length(NUM_CLASSES),
  counts: z.object({
    train: z.number().int().nonnegative(),
    validation: z.number().int().nonnegative(),
    test: z.number().int().nonnegative().optional(),
  }),
  chunkImages: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  savedAt: z.string(),
});
type StoredMeta = z.infer<typeof metaSchema>;

interface Schema extends DBSchema {
  meta: { key: string; value: StoredMeta };
  splits: { key: string; value: StoredChunk };
}

/** What is saved, without loading the pixels. */
export interface SavedDatasetInfo {
  id: string;
  name: string;
  counts: { train: number; validation: number; test?: number };
  /** Bytes of pixel, label and index data stored. */
  bytes: number;
  /** ISO date of the save. */
  savedAt: string;
}

export type DatasetStoreErrorKind = 'unavailable' | 'quota' | 'failed' | 'corrupt';

/** A storage operation failed; `kind` says why, the message says it for people. */
export class DatasetStoreError extends Error {
  constructor(
    message: string,
    readonly kind: DatasetStoreErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatasetStoreError';
  }
}

function open(): Promise<IDBPDatabase<Schema>> {
  // A layout change (v1 kept one record per split, v2 keeps chunks) starts empty: the files can be loaded again.
  return openRebuildableDb<Schema>(DB_NAME, DB_VERSION, ['meta', 'splits'], (detail, cause) =>
    detail === undefined
      ? new DatasetStoreError(
          'Browser storage (IndexedDB) is not available here (it may be disabled, or this is a private window), so the dataset cannot be kept between visits.',
          'unavailable',
        )
      : new DatasetStoreError(
          `Could not open browser storage (IndexedDB), so the dataset cannot be kept between visits (${detail}).`,
          'unavailable',
          { cause },
        ),
  );
}

/** A copy of part of an array as its own ArrayBuffer. */
const copyOf = (a: Uint8Array | Uint32Array, from: number, to: number): ArrayBuffer => a.slice(from, to).buffer as ArrayBuffer;

const chunkKey = (split: SplitName, chunk: number) => `${split}/${chunk}`;
const chunksFor = (count: number, chunkImages: number) => Math.ceil(count / chunkImages);

function checkSet(set: ImageSet, split: SplitName): void {
  const ok =
    Number.isInteger(set.count) &&
    set.images.length === set.count * PIXELS_PER_IMAGE &&
    set.labels.length === set.count &&
    set.sourceIndex.length === set.count;
  if (!ok) throw new DatasetStoreError(`Cannot save the dataset: its ${split} split has inconsistent array lengths.`, 'failed');
}

function splitsOf(ds: CifarDataset): Array<[SplitName, ImageSet]> {
  const out: Array<[SplitName, ImageSet]> = [
    ['train', ds.train],
    ['validation', ds.validation],
  ];
  if (ds.test) out.push(['test', ds.test]);
  return out;
}

const setBytes = (s: ImageSet) => s.images.byteLength + s.labels.byteLength + s.sourceIndex.byteLength;
const infoOf = (m: StoredMeta): SavedDatasetInfo => ({
  id: m.id,
  name: m.name,
  counts: { ...m.counts },
  bytes: m.bytes,
  savedAt: m.savedAt,
});

/**
 * Saves `ds`, replacing what was saved before, in one transaction: either all of it lands or nothing
 * changes. Rejects with DatasetStoreError (kind "quota" when the browser refuses the space).
 */
export async function saveDataset(ds: CifarDataset, chunkImages = CHUNK_IMAGES): Promise<SavedDatasetInfo> {
  const splits = splitsOf(ds);
  for (const [name, set] of splits) checkSet(set, name);
  const bytes = splits.reduce((s, [, set]) => s + setBytes(set), 0);
  const meta: StoredMeta = {
    format: FORMAT,
    complete: true,
    id: ds.id,
    name: ds.name,
    classNames: [...ds.classNames],
    counts: { train: ds.train.count, validation: ds.validation.count, ...(ds.test ? { test: ds.test.count } : {}) },
    chunkImages,
    bytes,
    savedAt: new Date().toISOString(),
  };

  const db = await open();
  try {
    const tx = db.transaction(['meta', 'splits'], 'readwrite');
    try {
      const store = tx.objectStore('splits');
      await store.clear();
      for (const [split, set] of splits) {
        for (let chunk = 0; chunk < chunksFor(set.count, chunkImages); chunk++) {
          const from = chunk * chunkImages;
          const to = Math.min(set.count, from + chunkImages);
          await store.put(
            {
              datasetId: ds.id,
              split,
              chunk,
              count: to - from,
              images: copyOf(set.images, from * PIXELS_PER_IMAGE, to * PIXELS_PER_IMAGE),
              labels: copyOf(set.labels, from, to),
              sourceIndex: copyOf(set.sourceIndex, from, to),
            },
            chunkKey(split, chunk),
          );
        }
      }
      await tx.objectStore('meta').put(meta, META_KEY);
      await tx.done;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished (aborted by the error)
      }
      await tx.done.catch(() => {});
      const cause = tx.error ?? e;
      const name = (cause as { name?: string } | null)?.name;
      const mb = (bytes / 1e6).toFixed(0);
      if (name === 'QuotaExceededError') {
        throw new DatasetStoreError(
          `Not enough browser storage to keep the dataset (${mb} MB needed). Nothing was changed; the files will be needed again next visit.`,
          'quota',
          { cause },
        );
      }
      throw new DatasetStoreError(
        `Saving the dataset (${mb} MB) to browser storage failed (${explainError(cause)}). Nothing was changed.`,
        'failed',
        { cause },
      );
    }
  } finally {
    db.close();
  }
  return infoOf(meta);
}

/** Reassembles one split from its chunks, checking that every chunk is there, belongs to this dataset and has the right sizes. */
function toImageSet(records: Array<StoredChunk | undefined>, meta: StoredMeta, split: SplitName, expected: number): ImageSet {
  const damaged = (why: string) =>
    new DatasetStoreError(
      `The dataset saved in browser storage is damaged (${split}: ${why}); clear it and load the files again.`,
      'corrupt',
    );
  const set: ImageSet = {
    images: new Uint8Array(expected * PIXELS_PER_IMAGE),
    labels: new Uint8Array(expected),
    count: expected,
    sourceIndex: new Uint32Array(expected),
  };
  records.forEach((record, chunk) => {
    if (!record) throw damaged(`part ${chunk + 1} of ${records.length} missing`);
    if (record.datasetId !== meta.id) throw damaged(`belongs to dataset ${record.datasetId}, not ${meta.id}`);
    const from = chunk * meta.chunkImages;
    const count = Math.min(meta.chunkImages, expected - from);
    if (
      record.count !== count ||
      !(record.images instanceof ArrayBuffer) ||
      !(record.labels instanceof ArrayBuffer) ||
      !(record.sourceIndex instanceof ArrayBuffer) ||
      record.images.byteLength !== count * PIXELS_PER_IMAGE ||
      record.labels.byteLength !== count ||
      record.sourceIndex.byteLength !== count * 4
    ) {
      throw damaged('wrong sizes');
    }
    const labels = new Uint8Array(record.labels);
    for (let i = 0; i < labels.length; i++) if (labels[i] >= NUM_CLASSES) throw damaged(`label ${labels[i]} at ${from + i}`);
    set.images.set(new Uint8Array(record.images), from * PIXELS_PER_IMAGE);
    set.labels.set(labels, from);
    set.sourceIndex.set(new Uint32Array(record.sourceIndex), from);
  });
  return set;
}

/**
 * The saved dataset, or undefined when none was completely saved.
 * Rejects with DatasetStoreError when storage is unavailable ("unavailable") or the saved data is inconsistent ("corrupt").
 */
export async function loadSavedDataset(): Promise<CifarDataset | undefined> {
  const db = await open();
  try {
    const tx = db.transaction(['meta', 'splits'], 'readonly');
    const parsed = metaSchema.safeParse(await tx.objectStore('meta').get(META_KEY));
    if (!parsed.success) {
      await tx.done;
      return undefined;
    }
    const meta = parsed.data;
    const store = tx.objectStore('splits');
    const read = async (split: SplitName, count: number) => {
      const keys = Array.from({ length: chunksFor(count, meta.chunkImages) }, (_, c) => chunkKey(split, c));
      return toImageSet(await Promise.all(keys.map((k) => store.get(k))), meta, split, count);
    };
    const train = await read('train', meta.counts.train);
    const validation = await read('validation', meta.counts.validation);
    const test = meta.counts.test !== undefined ? await read('test', meta.counts.test) : undefined;
    await tx.done;
    return { id: meta.id, name: meta.name, classNames: meta.classNames, train, validation, ...(test ? { test } : {}) };
  } catch (e) {
    if (e instanceof DatasetStoreError) throw e;
    throw new DatasetStoreError(`Reading the saved dataset from browser storage failed (${explainError(e)}).`, 'failed', { cause: e });
  } finally {
    db.close();
  }
}

/** Describes the saved dataset without loading its pixels; undefined when none was completely saved. */
export async function savedDatasetInfo(): Promise<SavedDatasetInfo | undefined> {
  const db = await open();
  try {
    const parsed = metaSchema.safeParse(await db.get('meta', META_KEY));
    return parsed.success ? infoOf(parsed.data) : undefined;
  } catch (e) {
    throw new DatasetStoreError(`Reading browser storage failed (${explainError(e)}).`, 'failed', { cause: e });
  } finally {
    db.close();
  }
}

/** Deletes the saved dataset (all of it, in one transaction). */
export async function clearSavedDataset(): Promise<void> {
  const db = await open();
  try {
    const tx = db.transaction(['meta', 'splits'], 'readwrite');
    await Promise.all([tx.objectStore('meta').clear(), tx.objectStore('splits').clear(), tx.done]);
  } catch (e) {
    throw new DatasetStoreError(`Clearing the saved dataset failed (${explainError(e)}).`, 'failed', { cause: e });
  } finally {
    db.close();
  }
}
