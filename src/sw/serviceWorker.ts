/**
 * The service worker (built to sw.js by build/serviceWorkerPlugin.ts, which fills in the precache list): after one
 * visit the app, its workers, the WASM binaries, the embedded dataset and the shipped study load without a network,
 * and model packs once opened stay available. A new build installs in the background and takes over at once; the
 * pages already open keep the code they loaded, the next load uses the new build.
 */
import { precacheKeys, routeFor, type Route } from './routes';

declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE_MANIFEST__: import('./routes').PrecacheEntry[];

const PRECACHE = 'playground-precache';
const PACKS = 'playground-packs';
/** The keys of the build that activated last, in a cache of their own. */
const LAST_BUILD = 'playground-last-build';
const scope = self.registration.scope;
const keys = precacheKeys(__PRECACHE_MANIFEST__, scope);
const LAST_BUILD_KEYS = `${scope}precache-keys.json`;

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));
self.addEventListener('fetch', (event) => {
  const route = routeFor(event.request, scope, keys);
  if (route.kind !== 'network') event.respondWith(respond(event.request, route));
});

/** Fetches every file whose revision is not cached yet; one failure fails the install, so a build is kept whole or not at all. */
async function install(): Promise<void> {
  const cache = await caches.open(PRECACHE);
  const cached = new Set((await cache.keys()).map((r) => r.url));
  await Promise.all(
    [...keys]
      .filter(([, key]) => !cached.has(key))
      .map(async ([url, key]) => {
        const response = await fetch(url, { cache: 'reload' });
        if (!response.ok) throw new Error(`precaching ${url}: HTTP ${response.status}`);
        // A redirected response may not answer a navigation: keep only its body and headers.
        await cache.put(key, response.redirected ? new Response(await response.blob(), response) : response);
      }),
  );
  await self.skipWaiting();
}

/**
 * Serves the open pages from now on, and drops the files of builds before the previous one: the previous build's
 * stay, since pages opened under it may still load them.
 */
async function activate(): Promise<void> {
  const [cache, last] = await Promise.all([caches.open(PRECACHE), caches.open(LAST_BUILD)]);
  const previous: string[] = (await (await last.match(LAST_BUILD_KEYS))?.json()) ?? [];
  const kept = new Set([...keys.values(), ...previous]);
  await Promise.all((await cache.keys()).filter((r) => !kept.has(r.url)).map((r) => cache.delete(r)));
  await last.put(LAST_BUILD_KEYS, Response.json([...keys.values()]));
  await self.clients.claim();
}

async function respond(request: Request, route: Exclude<Route, { kind: 'network' }>): Promise<Response> {
  switch (route.kind) {
    case 'precache':
      return (await caches.match(route.key, { cacheName: PRECACHE })) ?? fetch(request);
    case 'pack': {
      const cache = await caches.open(PACKS);
      const hit = await cache.match(request);
      if (hit) return hit;
      const response = await fetch(request);
      if (response.ok) {
        // A pack's URL names its checksum: a new version replaces the kept one.
        for (const old of await cache.keys(request, { ignoreSearch: true })) if (old.url !== request.url) await cache.delete(old);
        await cache.put(request, response.clone());
      }
      return response;
    }
    case 'pack-manifest':
      try {
        const response = await fetch(request);
        if (response.ok) await (await caches.open(PACKS)).put(request, response.clone());
        return response;
      } catch (e) {
        const hit = await caches.match(request, { cacheName: PACKS });
        if (hit) return hit;
        throw e;
      }
    case 'older-build':
      return (await caches.match(request, { cacheName: PRECACHE, ignoreSearch: true })) ?? fetch(request);
    case 'page':
      try {
        return await fetch(request);
      } catch (e) {
        const shell = route.shellKey && (await caches.match(route.shellKey, { cacheName: PRECACHE }));
        if (shell) return shell;
        throw e;
      }
  }
}
