/**
 * What the page keeps between visits: the experiment last edited (localStorage, so a broken link never
 * costs the user their setup) and the results of experiments run here (IndexedDB, so opening a link to
 * an experiment already run shows its results at once). Every read validates; failures are quiet.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { ExperimentResult } from '../../engine/experiment/result';
import { safeParseSpec, type ExperimentSpec } from '../../engine/experiment/spec';

const LAST_SPEC_KEY = 'unlearning-playground.lastSpec';

export function saveLastSpec(spec: ExperimentSpec): void {
  try {
    localStorage.setItem(LAST_SPEC_KEY, JSON.stringify(spec));
  } catch {
    // Storage full or disabled: nothing to keep.
  }
}

export function loadLastSpec(): ExperimentSpec | undefined {
  try {
    const raw = localStorage.getItem(LAST_SPEC_KEY);
    if (!raw) return undefined;
    const parsed = safeParseSpec(JSON.parse(raw));
    return parsed.ok ? parsed.spec : undefined;
  } catch {
    return undefined;
  }
}

const OWN_HASH_KEY = 'unlearning-playground.ownHash';

/**
 * The hash this tab last wrote into its own address bar (sessionStorage: this tab only, kept across reloads).
 * A reload — the user's, or the dev server's after it bundles a late dependency — finds it there and must not
 * greet it as a link someone opened.
 */
export function rememberOwnHash(hash: string): void {
  try {
    sessionStorage.setItem(OWN_HASH_KEY, hash);
  } catch {
    // Storage disabled: a reload then reads as an opened link, which is harmless.
  }
}

export function ownHash(): string | undefined {
  try {
    return sessionStorage.getItem(OWN_HASH_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

const DB_NAME = 'unlearning-playground-results';
const STORE = 'results';
/** Results kept (most recent first); older ones are dropped. */
const KEEP = 12;

interface StoredResult {
  key: string;
  savedAt: number;
  result: ExperimentResult;
}

let db: Promise<IDBPDatabase> | undefined;

function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(STORE, { keyPath: 'key' });
    },
  });
  return db;
}

export const resultKey = (specHash: string, datasetId: string) => `${specHash}|${datasetId}`;

export async function storeResult(result: ExperimentResult): Promise<void> {
  try {
    const d = await open();
    await d.put(STORE, {
      key: resultKey(result.specHash, result.environment.datasetId),
      savedAt: Date.now(),
      result,
    } satisfies StoredResult);
    const all = (await d.getAll(STORE)) as StoredResult[];
    all.sort((a, b) => b.savedAt - a.savedAt);
    for (const old of all.slice(KEEP)) await d.delete(STORE, old.key);
  } catch {
    // Private mode or quota: results simply are not kept.
  }
}

export async function findResult(specHash: string, datasetId: string): Promise<ExperimentResult | undefined> {
  try {
    const d = await open();
    const hit = (await d.get(STORE, resultKey(specHash, datasetId))) as StoredResult | undefined;
    return hit?.result;
  } catch {
    return undefined;
  }
}

export async function clearStoredResults(): Promise<void> {
  try {
    await (await open()).clear(STORE);
  } catch {
    // ignore
  }
}
