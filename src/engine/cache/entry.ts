/** Helpers both cache implementations share: size, validation and copying of entries. */
import { CACHED_MODEL_KINDS, CacheError, type CacheEntryInfo, type CachedModel } from './types';

export const shapeSize = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Bytes of weight and output values. */
export function entryBytes(entry: CachedModel): number {
  let bytes = 0;
  for (const w of entry.weights ?? []) bytes += w.values.byteLength;
  for (const v of Object.values(entry.outputs)) bytes += v.byteLength;
  return bytes;
}

export const infoOf = (entry: Pick<CachedModel, 'key' | 'kind' | 'description' | 'createdAt'>, bytes: number): CacheEntryInfo => ({
  key: entry.key,
  kind: entry.kind,
  description: entry.description,
  bytes,
  createdAt: entry.createdAt,
});

/** Refuses an entry that could not be read back as it was given (a bug in the caller, not a storage problem). */
export function checkEntry(entry: CachedModel): void {
  const bad = (why: string) => new CacheError(`Cannot cache "${entry.description}": ${why}.`, 'failed');
  if (typeof entry.key !== 'string' || entry.key === '') throw bad('it has no key');
  if (!CACHED_MODEL_KINDS.includes(entry.kind)) throw bad(`unknown kind "${String(entry.kind)}"`);
  for (const w of entry.weights ?? []) {
    if (!(w.values instanceof Float32Array)) throw bad(`weight ${w.name} is not a Float32Array`);
    if (!w.shape.every((d) => Number.isInteger(d) && d >= 0) || shapeSize(w.shape) !== w.values.length) {
      throw bad(`weight ${w.name} has ${w.values.length} values for shape [${w.shape}]`);
    }
  }
  for (const [name, v] of Object.entries(entry.outputs)) {
    if (!(v instanceof Float32Array)) throw bad(`output ${name} is not a Float32Array`);
  }
}

/** A deep copy whose arrays share nothing with `entry`'s. */
export function copyEntry(entry: CachedModel): CachedModel {
  return {
    key: entry.key,
    kind: entry.kind,
    description: entry.description,
    ...(entry.weights ? { weights: entry.weights.map((w) => ({ name: w.name, shape: w.shape.slice(), values: w.values.slice() })) } : {}),
    outputs: Object.fromEntries(Object.entries(entry.outputs).map(([k, v]) => [k, v.slice()])),
    meta: structuredClone(entry.meta),
    createdAt: entry.createdAt,
  };
}

export const byCreatedAt = (a: CacheEntryInfo, b: CacheEntryInfo) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);

/** Megabytes for messages. */
export const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
