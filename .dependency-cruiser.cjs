/**
 * The layers of the code, checked by `npm run lint:deps` (part of `npm test`).
 * Type-only imports count here: a type that points up the layers is an arrow up too.
 * What the page loads at run time is checked by .dependency-cruiser.runtime.cjs.
 */
module.exports = {
  forbidden: [
    {
      name: 'engine-not-to-worker-or-app',
      severity: 'error',
      comment: 'The engine is the bottom layer: the worker and the page use it, never the other way round.',
      from: { path: '^src/engine/' },
      to: { path: '^src/(worker|app|harness)/' },
    },
    {
      name: 'unlearn-not-to-experiment',
      severity: 'error',
      comment: 'Methods are a lower layer than the experiment pipeline that runs them.',
      from: {
        path: '^src/engine/unlearn/',
        // Tests may build a method's parameters through parseSpec, as the runner does.
        pathNot: '\\.test\\.ts$',
      },
      to: { path: '^src/engine/experiment/' },
    },
    {
      name: 'service-worker-standalone',
      severity: 'error',
      comment:
        'The service worker is built on its own into one small sw.js (build/serviceWorkerPlugin.ts): it imports only its own folder.',
      from: { path: '^src/sw/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^src/sw/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make load order matter and keep layers from being separated.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-not-to-test-support',
      severity: 'error',
      comment: 'Test helpers (Node-only, fixtures) must not end up in the app bundle.',
      from: { path: '^src/', pathNot: '\\.(test|bench)\\.ts$' },
      to: { path: ['^test/', '^e2e/', '\\.(test|bench)\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'browser', 'default', 'types'] },
  },
};
