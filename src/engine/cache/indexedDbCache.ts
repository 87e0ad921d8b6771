/**
 * The model cache in IndexedDB, so trained models survive a reload. Uses idb (a small, well-kept
 * promise wrapper over IndexedDB, as the dataset store does) rather than raw IDBRequest callbacks.
 *
 * Database "unlearning-playground-models" v1, two object stores, both keyed by the cache key:
 *   entries: { format: 1, key, kind, description, bytes, createdAt, meta,
 *              weights: [{ name, shape }] | null, outputs: [{ name, length }] }
 *            small, so `list()`, `has()` and `usage()` read only this store;
 *   arrays:  { key, weights: ArrayBuffer[], outputs: ArrayBuffer[] }  (Float32 values, in the order of
 *            the entries record). One record per model: entries are a few MB (ResNet-9 ×0.25 weights
 *            ~2 MB, train logits 50,000×10 = 2 MB), far below the 138 MB value that made Chromium hang
 *            for the dataset store.
 * `put` writes both records in one transaction, so either the whole entry lands or nothing changes.
 *
 * Damaged entries: `get` checks the entries record against the arrays (names, shapes, byte lengths,
 * total bytes). When they disagree (or one record is missing) it deletes both records and rejects with
 * CacheError "corrupt" — reported, and a miss from then on. Through `resilientCache` the runner sees
 * a miss and carries on; it recomputes the model and caches it afresh.
 */
import { type DBSchema, type IDBPDatabase } from 'idb';
import { explainError, openRebuildableDb } from '../data/browserDb';
import { z } from 'zod';
import { byCreatedAt, checkEntry, entryBytes, infoOf, mb, shapeSize } from './entry';
import { CACHED_MODEL_KINDS, CacheError, type CacheEntryInfo, type CacheUsage, type CachedModel, type ModelCache } from './types';

export const MODEL_DB_NAME = 'unlearning-playground-models';
const DB_VERSION = 1;
const FORMAT = 1;

const entrySchema = z.object({
  format: z.literal(FORMAT),
  key: z.string().min(1),
  kind: z.enum(CACHED_MODEL_KINDS),
  description: z.string(),
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
  meta: z.record(z.string(), z.unknown()),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()) })).nullable(),
  outputs: z.array(z.object({ name: z.string(), length: z.number().int().nonnegative() })),
});
type StoredEntry = z.infer<typeof entrySchema>;

interface StoredArrays {
  key: string;
  weights: ArrayBuffer[];
  outputs: ArrayBuffer[];
}

interface Schema extends DBSchema {
  entries: { key: string; value: StoredEntry };
  arrays: { key: string; value: StoredArrays };
}

function open(): Promise<IDBPDatabase<Schema>> {
  return openRebuildableDb<Schema>(MODEL_DB_NAME, DB_VERSION, ['entries', 'arrays'], (detail, cause) =>
    detail === undefined
      ? new CacheError(
          'Browser storage (IndexedDB) is not available here (it may be disabled, or this is a private window), ' +
            'so trained models cannot be cached between visits.',
          'unavailable',
        )
      : new CacheError(`Could not open browser storage (IndexedDB) for the model cache (${detail}).`, 'unavailable', { cause }),
  );
}

/** Opens the database, runs `fn`, closes; errors other than CacheErrors become "failed". */
async function withDb<T>(what: string, fn: (db: IDBPDatabase<Schema>) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await fn(db);
  } catch (e) {
    if (e instanceof CacheError) throw e;
    throw new CacheError(`${what} in browser storage failed (${explainError(e)}).`, 'failed', { cause: e });
  } finally {
    db.close();
  }
}

/** A copy of just the view's bytes (not the whole underlying buffer). */
const bufferOf = (a: Float32Array): ArrayBuffer => a.slice().buffer as ArrayBuffer;

function toRecords(entry: CachedModel): [StoredEntry, StoredArrays] {
  const outputs = Object.entries(entry.outputs);
  return [
    {
      format: FORMAT,
      key: entry.key,
      kind: entry.kind,
      description: entry.description,
      bytes: entryBytes(entry),
      createdAt: entry.createdAt,
      meta: entry.meta,
      weights: entry.weights ? entry.weights.map((w) => ({ name: w.name, shape: w.shape.slice() })) : null,
      outputs: outputs.map(([name, v]) => ({ name, length: v.length })),
    },
    { key: entry.key, weights: (entry.weights ?? []).map((w) => bufferOf(w.values)), outputs: outputs.map(([, v]) => bufferOf(v)) },
  ];
}

/** The entry the two records describe, or why they do not fit together. */
function fromRecords(key: string, rawEntry: unknown, arrays: StoredArrays | undefined): CachedModel | string {
  if (rawEntry === undefined) return 'its description is missing';
  const parsed = entrySchema.safeParse(rawEntry);
  if (!parsed.success) return 'its description is unreadable';
  const e = parsed.data;
  if (e.key !== key) return `its description belongs to ${e.key}`;
  if (!arrays) return 'its values are missing';
  if (arrays.key !== key || !Array.isArray(arrays.weights) || !Array.isArray(arrays.outputs)) return 'its values are unreadable';
  const specs = e.weights ?? [];
  if (arrays.weights.length !== specs.length || arrays.outputs.length !== e.outputs.length) return 'the number of arrays differs';
  const fits = (b: unknown, length: number) => b instanceof ArrayBuffer && b.byteLength === length * 4;
  for (let i = 0; i < specs.length; i++) {
    if (!fits(arrays.weights[i], shapeSize(specs[i].shape))) return `weight ${specs[i].name} has the wrong size`;
  }
  for (let i = 0; i < e.outputs.length; i++) {
    if (!fits(arrays.outputs[i], e.outputs[i].length)) return `output ${e.outputs[i].name} has the wrong size`;
  }
  const entry: CachedModel = {
    key,
    kind: e.kind,
    description: e.description,
    ...(e.weights
      ? { weights: e.weights.map((w, i) => ({ name: w.name, shape: w.shape, values: new Float32Array(arrays.weights[i]) })) }
      : {}),
    outputs: Object.fromEntries(e.outputs.map((o, i) => [o.name, new Float32Array(arrays.outputs[i])])),
    meta: e.meta,
    createdAt: e.createdAt,
  };
  if (entryBytes(entry) !== e.bytes) return 'its size does not add up';
  return entry;
}

export class IndexedDbCache implements ModelCache {
  /** Returns the entry, undefined when absent; rejects with "corrupt" (after deleting it) when damaged. */
  async get(key: string): Promise<CachedModel | undefined> {
    const read = await withDb('Reading a cached model', async (db) => {
      const tx = db.transaction(['entries', 'arrays'], 'readonly');
      const [entry, arrays] = await Promise.all([tx.objectStore('entries').get(key), tx.objectStore('arrays').get(key), tx.done]);
      return { entry, arrays };
    });
    if (read.entry === undefined && read.arrays === undefined) return undefined;
    const result = fromRecords(key, read.entry, read.arrays);
    if (typeof result !== 'string') return result;
    const name = typeof read.entry?.description === 'string' ? `"${read.entry.description}"` : key.slice(0, 12);
    const deleted = await this.delete(key).then(
      () => 'it was deleted and will be computed again',
      () => 'deleting it failed too',
    );
    throw new CacheError(`The cached model ${name} in browser storage is damaged (${result}); ${deleted}.`, 'corrupt');
  }

  async put(entry: CachedModel): Promise<void> {
    checkEntry(entry);
    const [stored, arrays] = toRecords(entry);
    const db = await open();
    try {
      const tx = db.transaction(['entries', 'arrays'], 'readwrite');
      try {
        await tx.objectStore('arrays').put(arrays, entry.key);
        await tx.objectStore('entries').put(stored, entry.key);
        await tx.done;
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished (aborted by the error)
        }
        await tx.done.catch(() => {});
        const cause = tx.error ?? e;
        const size = `${mb(stored.bytes)} MB`;
        if ((cause as { name?: string } | null)?.name === 'QuotaExceededError') {
          throw new CacheError(
            `Browser storage is full: cannot cache "${entry.description}" (${size}). Nothing was changed; delete cached models to make room.`,
            'quota',
            { cause },
          );
        }
        const message = `Caching "${entry.description}" (${size}) in browser storage failed (${explainError(cause)}). Nothing was changed.`;
        throw new CacheError(message, 'failed', { cause });
      }
    } finally {
      db.close();
    }
  }

  async has(key: string): Promise<boolean> {
    return withDb('Looking up a cached model', async (db) => (await db.count('entries', key)) > 0);
  }

  /** Entries whose description record is unreadable are left out (`get` reports and deletes them). */
  async list(): Promise<CacheEntryInfo[]> {
    return withDb('Listing cached models', async (db) => {
      const infos: CacheEntryInfo[] = [];
      for (const raw of await db.getAll('entries')) {
        const parsed = entrySchema.safeParse(raw);
        if (parsed.success) infos.push(infoOf(parsed.data, parsed.data.bytes));
      }
      return infos.sort(byCreatedAt);
    });
  }

  async delete(key: string): Promise<void> {
    await withDb('Deleting a cached model', async (db) => {
      const tx = db.transaction(['entries', 'arrays'], 'readwrite');
      await Promise.all([tx.objectStore('entries').delete(key), tx.objectStore('arrays').delete(key), tx.done]);
    });
  }

  async clear(): Promise<void> {
    await withDb('Clearing the model cache', async (db) => {
      const tx = db.transaction(['entries', 'arrays'], 'readwrite');
      await Promise.all([tx.objectStore('entries').clear(), tx.objectStore('arrays').clear(), tx.done]);
    });
  }

  async usage(): Promise<CacheUsage> {
    const infos = await this.list();
    return { entries: infos.length, bytes: infos.reduce((s, i) => s + i.bytes, 0) };
  }
}
