export { cacheKey, canonicalText } from './key';
export { IndexedDbCache, MODEL_DB_NAME } from './indexedDbCache';
export { MemoryCache, type MemoryCacheOptions } from './memoryCache';
export { resilientCache } from './resilientCache';
export * from './types';
