/**
 * What the page loads at run time, checked by `npm run lint:deps`. Type-only imports are left out
 * (the build erases them): the page may name the engine's types, but must not load tfjs.
 */
module.exports = {
  forbidden: [
    {
      name: 'page-not-to-tensorflow',
      severity: 'error',
      comment:
        'tfjs loads only in the engine worker. The page may import tf-free engine modules and the worker protocol, ' +
        'and nothing it imports may import @tensorflow/*, directly or through other modules.',
      from: { path: '^src/(app|harness)/' },
      to: { path: '^node_modules/@tensorflow/', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'browser', 'default', 'types'] },
  },
};
