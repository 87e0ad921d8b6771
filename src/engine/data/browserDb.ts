/**
 * Opening the app's IndexedDB databases (the dataset store and the model cache), with idb. Both hold data that can
 * be rebuilt (files can be loaded again, models retrained), so a new layout version simply starts empty.
 */
import { openDB, type DBSchema, type IDBPDatabase, type StoreNames } from 'idb';

/** "Name: message" of an Error or DOMException, for messages people read. */
export const explainError = (e: unknown) =>
  e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException)
    ? `${(e as Error).name}: ${(e as Error).message}`
    : String(e);

/**
 * Opens `name` at `version`; an upgrade drops every old store and creates `stores` empty. Throws
 * `unavailable()` when this browser has no IndexedDB, `unavailable(detail, cause)` when it will not open.
 */
export async function openRebuildableDb<S extends DBSchema>(
  name: string,
  version: number,
  stores: StoreNames<S>[],
  unavailable: (detail?: string, cause?: unknown) => Error,
): Promise<IDBPDatabase<S>> {
  if (!(globalThis as { indexedDB?: IDBFactory }).indexedDB) throw unavailable();
  try {
    return await openDB<S>(name, version, {
      upgrade(db) {
        for (const old of Array.from(db.objectStoreNames)) db.deleteObjectStore(old);
        for (const store of stores) db.createObjectStore(store);
      },
    });
  } catch (e) {
    throw unavailable(explainError(e), e);
  }
}
