import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // The engine runs in a module worker that imports tfjs: bundle it as ES modules.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // bench.html is the harness `npm run bench` drives; it shares the engine worker with the app.
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  server: { host: 'localhost', port: 5173 },
  preview: { host: 'localhost', port: 4173 },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
