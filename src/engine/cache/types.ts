/**
 * The model cache: trained models and their outputs, keyed by `cacheKey(...)` of everything that
 * determined them, so a rerun of the same experiment (or one that shares its original model or
 * oracles) loads instead of training. Two implementations: `IndexedDbCache` (kept between visits)
 * and `MemoryCache` (tests, and browsers without storage). The runner wraps either in
 * `resilientCache`, so a full or broken store is reported and the experiment carries on uncached.
 */
import type { WeightsData } from '../models/layers';

export const CACHED_MODEL_KINDS = ['original', 'oracle', 'subset', 'unlearned', 'outputs'] as const;
export type CachedModelKind = (typeof CACHED_MODEL_KINDS)[number];

export interface CachedModel {
  /** `cacheKey(parts)`: a SHA-256 hex digest. */
  key: string;
  kind: CachedModelKind;
  /** For people, e.g. "ResNet-9 ×0.25 on S, seed 3". */
  description: string;
  /** The model's weights in `exportWeights` order; absent when only outputs are kept (kind 'outputs'). */
  weights?: WeightsData[];
  /** Outputs on named point sets, e.g. 'train' → logits [count·10], 'validation' → logits. */
  outputs: Record<string, Float32Array>;
  /** JSON-able facts about the run: training time, examples processed, accuracy… */
  meta: Record<string, unknown>;
  /** ISO date. */
  createdAt: string;
}

/** What `list()` tells about an entry without reading its arrays. */
export interface CacheEntryInfo {
  key: string;
  kind: CachedModelKind;
  description: string;
  /** Bytes of weight and output values (meta and bookkeeping not counted). */
  bytes: number;
  createdAt: string;
}

export interface CacheUsage {
  entries: number;
  bytes: number;
}

/**
 * Every method may reject with CacheError. Entries come back as copies: changing a returned array
 * does not change the cache, and changing a stored entry's arrays after `put` does not either.
 */
export interface ModelCache {
  get(key: string): Promise<CachedModel | undefined>;
  /** Stores `entry`, replacing any entry with the same key; all of it or nothing. */
  put(entry: CachedModel): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Every entry, oldest `createdAt` first. */
  list(): Promise<CacheEntryInfo[]>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  usage(): Promise<CacheUsage>;
}

export type CacheErrorKind = 'unavailable' | 'quota' | 'failed' | 'corrupt';

/** A cache operation failed; `kind` says why, the message says it for people. */
export class CacheError extends Error {
  constructor(
    message: string,
    readonly kind: CacheErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CacheError';
  }
}
