/**
 * Builds the service worker (src/sw/serviceWorker.ts) into sw.js at the root of the build, with the list of files it
 * keeps for offline use: every file of the build except itself, pages other than the app (harness.html drives
 * benchmarks and needs the network anyway) and model packs (cached one by one when a run opens them). Each file's revision is a hash of its bytes, so a new build re-fetches
 * only what changed. Hand-made rather than vite-plugin-pwa: that brings ~300 packages (workbox-build, Babel,
 * core-js, Rollup 2) for what is a list of files and about 80 lines of worker.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { PACKS_DIR, SHELL, type PrecacheEntry } from '../src/sw/routes.ts';

export const SW_FILE = 'sw.js';

const kept = (file: string) => file !== SW_FILE && !file.startsWith(PACKS_DIR) && (!file.endsWith('.html') || file === SHELL);

/** The files under `dir` (paths relative to it, with '/'), with a revision for each. */
export async function precacheEntries(dir: string): Promise<PrecacheEntry[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .filter(kept)
    .sort();
  return Promise.all(
    files.map(async (url) => ({
      url,
      revision: createHash('sha256')
        .update(await readFile(path.join(dir, url)))
        .digest('hex')
        .slice(0, 16),
    })),
  );
}

export function serviceWorkerPlugin(entry: string): Plugin {
  let root = '';
  let outDir = '';
  return {
    name: 'unlearning-playground:service-worker',
    // The dev server registers no service worker (src/app/serviceWorker.ts): its modules change on every edit.
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = path.resolve(config.root, config.build.outDir);
    },
    // After the bundle and the public files are written, so the list covers both.
    async writeBundle() {
      const entries = await precacheEntries(outDir);
      await build({
        configFile: false,
        root,
        publicDir: false,
        logLevel: 'warn',
        define: { __PRECACHE_MANIFEST__: JSON.stringify(entries) },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          target: 'es2022',
          reportCompressedSize: false,
          // One classic script without imports: what every browser accepts as a service worker.
          lib: { entry: path.resolve(root, entry), formats: ['iife'], name: 'playgroundServiceWorker', fileName: () => SW_FILE },
        },
      });
    },
  };
}
