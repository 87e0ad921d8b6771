/**
 * The page must never load tfjs: it belongs to the engine worker. This walks the page's value imports
 * (type-only imports vanish at build time) from its entry point and fails on any @tensorflow package.
 */
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>('/src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true });

// `import … from 'x'`, `export … from 'x'` and `import 'x'`, but not `import type` / `export type`.
const IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function resolve(from: string, specifier: string): string | undefined {
  const parts = from.split('/').slice(0, -1);
  for (const piece of specifier.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  const base = parts.join('/');
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((path) => path in sources);
}

/** Every module the entry reaches through value imports, and the packages they import. */
function reach(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (modules.has(path)) return;
    modules.add(path);
    for (const [, specifier] of sources[path].matchAll(IMPORT)) {
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      const target = resolve(path, specifier.replace(/\?.*$/, ''));
      if (target) visit(target);
    }
  };
  visit(entry);
  return { modules, packages };
}

describe('the page', () => {
  const page = reach('/src/app/main.tsx');

  it('reaches the modules it imports, through the worker protocol too', () => {
    expect(page.modules).toContain('/src/app/components/playground/Playground.tsx');
    expect(page.modules).toContain('/src/worker/protocol.ts');
    expect(page.modules).toContain('/src/engine/errors.ts');
    expect(page.packages).toContain('comlink');
  });

  it('never imports tfjs, even through engine modules', () => {
    expect([...page.packages].filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
  });

  it('would notice if it did: the worker does', () => {
    expect([...reach('/src/worker/engine.worker.ts').packages]).toContain('@tensorflow/tfjs');
  });
});
