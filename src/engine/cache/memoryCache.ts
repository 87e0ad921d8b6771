/**
 * The in-memory cache: for tests, and for browsers without IndexedDB (entries last until the page
 * closes). With `maxBytes`, the least recently used entries (by get or put) are evicted to stay within it.
 */
import { byCreatedAt, checkEntry, copyEntry, entryBytes, infoOf, mb } from './entry';
import { CacheError, type CacheEntryInfo, type CacheUsage, type CachedModel, type ModelCache } from './types';

export interface MemoryCacheOptions {
  /** Byte budget for weight and output values (as `usage().bytes` counts them); unlimited when absent. */
  maxBytes?: number;
}

export class MemoryCache implements ModelCache {
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, { entry: CachedModel; bytes: number }>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? Infinity;
  }

  async get(key: string): Promise<CachedModel | undefined> {
    const slot = this.entries.get(key);
    if (!slot) return undefined;
    this.entries.delete(key);
    this.entries.set(key, slot);
    return copyEntry(slot.entry);
  }

  async put(entry: CachedModel): Promise<void> {
    checkEntry(entry);
    const bytes = entryBytes(entry);
    if (bytes > this.maxBytes) {
      throw new CacheError(
        `Not enough cache memory for "${entry.description}" (${mb(bytes)} MB, the budget is ${mb(this.maxBytes)} MB); it was not cached.`,
        'quota',
      );
    }
    this.remove(entry.key);
    for (const key of this.entries.keys()) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.remove(key);
    }
    this.entries.set(entry.key, { entry: copyEntry(entry), bytes });
    this.bytes += bytes;
  }

  async has(key: string): Promise<boolean> {
    return this.entries.has(key);
  }

  async list(): Promise<CacheEntryInfo[]> {
    return Array.from(this.entries.values(), ({ entry, bytes }) => infoOf(entry, bytes)).sort(byCreatedAt);
  }

  async delete(key: string): Promise<void> {
    this.remove(key);
  }

  async clear(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
  }

  async usage(): Promise<CacheUsage> {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string): void {
    const slot = this.entries.get(key);
    if (!slot) return;
    this.entries.delete(key);
    this.bytes -= slot.bytes;
  }
}
