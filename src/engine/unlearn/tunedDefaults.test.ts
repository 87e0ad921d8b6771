/**
 * The browser-scale defaults are the committed tuning run's choices (docs/results/tuning.json, npm run tune): a
 * method the tuning chose a grid point for has exactly that point's values as its defaults; a method with no
 * eligible point keeps the published values.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../experiment/spec';
import { methodMeta, type MethodName } from './catalog';

const fs = (await import(/* @vite-ignore */ 'node:fs' as string)) as { readFileSync(p: URL, encoding: 'utf8'): string };
const tuning = JSON.parse(fs.readFileSync(new URL('../../../docs/results/tuning.json', import.meta.url), 'utf8')) as {
  grid: { method: MethodName }[];
  chosen: Partial<Record<MethodName, Record<string, unknown>>>;
};

const params = (method: MethodName, settings: 'browser' | 'published') =>
  parseSpec({ v: 2, forget: [{ kind: 'random', k: 1 }], methods: [{ id: 'm', method, settings }] }).methods[0].params;

describe('browser-scale defaults', () => {
  for (const { method } of tuning.grid) {
    const chosen = tuning.chosen[method];
    it(`${method}: ${chosen ? 'the tuned grid point' : 'the published values (no grid point was eligible)'}`, () => {
      if (chosen) expect(params(method, 'browser')).toEqual(chosen);
      else expect(params(method, 'browser')).toEqual(params(method, 'published'));
    });
  }
  it('keeps the published values one setting away wherever they differ', () => {
    for (const { method } of tuning.grid) {
      const differ = JSON.stringify(params(method, 'browser')) !== JSON.stringify(params(method, 'published'));
      expect(differ).toBe(methodMeta(method).published !== undefined);
    }
  });
});
