/**
 * What the service worker (serviceWorker.ts) does with each request, without service-worker globals so that
 * unit tests can check it. URLs in the precache list are relative to the app's base, which is the worker's scope.
 */

/** One file of the build kept for offline use; `revision` changes whenever its bytes do. */
export interface PrecacheEntry {
  url: string;
  revision: string;
}

export type Route =
  /** A file of the build: from the precache under `key`. */
  | { kind: 'precache'; key: string }
  /** A model pack file (checked against its manifest's SHA-256 by the app): cache first, kept once fetched. */
  | { kind: 'pack' }
  /** Anything else under packs/ (the manifest, which may change with a build): network first, the cached copy offline. */
  | { kind: 'pack-manifest' }
  /** A page that is not the app (harness.html): the network, the app's page when offline. */
  | { kind: 'page'; shellKey: string | undefined }
  /**
   * Another file of ours: a page opened before an update still loads its own build's files (the pool's worker
   * starts only with a run), which the precache keeps for one more build. From there, else the network.
   */
  | { kind: 'older-build' }
  /** Not ours to answer (other origins, POST): the browser's own fetch. */
  | { kind: 'network' };

export const SHELL = 'index.html';
export const PACKS_DIR = 'packs/';

/** The precache's key for a file: its URL with the revision added, so a changed file never reuses an old entry. */
export function cacheKey(absoluteUrl: string, revision: string): string {
  const url = new URL(absoluteUrl);
  url.searchParams.set('__rev', revision);
  return url.href;
}

/** Absolute URL (without query) → precache key, for every entry. */
export function precacheKeys(entries: readonly PrecacheEntry[], scope: string): Map<string, string> {
  return new Map(
    entries.map((e) => {
      const url = new URL(e.url, scope).href;
      return [url, cacheKey(url, e.revision)];
    }),
  );
}

export function routeFor(request: { url: string; method: string; mode: string }, scope: string, keys: ReadonlyMap<string, string>): Route {
  if (request.method !== 'GET' || !request.url.startsWith(scope)) return { kind: 'network' };
  const url = new URL(request.url);
  // The query never selects a different file here (the app reads its own flags such as ?backend=wasm).
  let file = url.origin + url.pathname;
  if (file.endsWith('/')) file += SHELL;
  const key = keys.get(file);
  if (key) return { kind: 'precache', key };
  if (file.startsWith(scope + PACKS_DIR)) return file.endsWith('.bin') ? { kind: 'pack' } : { kind: 'pack-manifest' };
  if (request.mode === 'navigate') return { kind: 'page', shellKey: keys.get(scope + SHELL) };
  return { kind: 'older-build' };
}
