import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import pkg from './package.json' with { type: 'json' };
import { serviceWorkerPlugin } from './build/serviceWorkerPlugin.ts';

export default defineConfig({
  // The service worker keeps the app usable offline after one visit (docs/using.md, "Offline").
  plugins: [react(), serviceWorkerPlugin('src/sw/serviceWorker.ts')],
  // Recorded in every ExperimentResult's environment.
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  // The engine runs in a module worker that imports tfjs: bundle it as ES modules.
  worker: { format: 'es' },
  // The dev server's dependency scan starts from the HTML pages; the workers' imports (tfjs, found only when a
  // worker loads) made it re-bundle and reload the page about 15 s into a first visit. Scan the workers too, and
  // pre-bundle what they import.
  optimizeDeps: {
    entries: ['index.html', 'harness.html', 'src/worker/*.worker.ts'],
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
      'comlink',
      'fflate',
      'idb',
      'zod',
      'react',
      'react-dom/client',
      'recharts',
    ],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // harness.html is the page `npm run bench` and `npm run experiment` drive; it shares the engine worker with the app.
    rollupOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
  server: { host: 'localhost', port: 5173 },
  preview: { host: 'localhost', port: 4173 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    environment: 'node',
    testTimeout: 60_000,
    // Some files train a small model in beforeAll; on a shared 2-core machine that can pass vitest's 10 s default.
    hookTimeout: 60_000,
  },
});
