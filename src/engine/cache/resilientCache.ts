/**
 * A cache that never fails the experiment: a cache is an optimisation, so a full, broken or missing
 * store must cost only the time to recompute. Every failure of `inner` becomes a miss (get → undefined,
 * has → false, list → [], usage → zero) or a no-op (put, delete, clear), and `onProblem` hears of it
 * once per kind ("cache full" once, not on every oracle).
 */
import { CacheError, type CacheErrorKind, type ModelCache } from './types';
import { errorMessage } from '../errors';

export function resilientCache(inner: ModelCache, onProblem: (error: CacheError) => void): ModelCache {
  const reported = new Set<CacheErrorKind>();
  const guard = async <T>(what: string, op: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await op();
    } catch (e) {
      const error = e instanceof CacheError ? e : new CacheError(`${what} failed (${errorMessage(e)}).`, 'failed', { cause: e });
      if (!reported.has(error.kind)) {
        reported.add(error.kind);
        onProblem(error);
      }
      return fallback;
    }
  };
  return {
    get: (key) => guard('Reading the model cache', () => inner.get(key), undefined),
    put: (entry) => guard('Writing the model cache', () => inner.put(entry), undefined),
    has: (key) => guard('Reading the model cache', () => inner.has(key), false),
    list: () => guard('Listing the model cache', () => inner.list(), []),
    delete: (key) => guard('Deleting from the model cache', () => inner.delete(key), undefined),
    clear: () => guard('Clearing the model cache', () => inner.clear(), undefined),
    usage: () => guard('Measuring the model cache', () => inner.usage(), { entries: 0, bytes: 0 }),
  };
}
