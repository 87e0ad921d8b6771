import { describe, expect, it } from 'vitest';
import { parseResultFile } from './importResults';
import { makeFixtureResult } from './resultFixture';

/**
 * The browser tests import results from e2e/fixtures/result-fixture.json (they cannot import app code).
 * Regenerate it with: UPDATE_FIXTURES=1 npx vitest run src/app/lib/resultFixture.test.ts
 */
const file = new URL('../../../e2e/fixtures/result-fixture.json', import.meta.url);
// Node's fs without Node's types in the app's tsconfig (as src/engine/data/testSupport.ts does).
const fs = (await import(/* @vite-ignore */ 'node:fs' as string)) as {
  readFileSync(p: URL, encoding: 'utf8'): string;
  writeFileSync(p: URL, data: string): void;
};
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

describe('result fixture', () => {
  it('is a valid results file', () => {
    expect(() => parseResultFile(JSON.stringify(makeFixtureResult()))).not.toThrow();
  });
  it('e2e/fixtures/result-fixture.json is up to date', () => {
    const json = `${JSON.stringify(makeFixtureResult(), null, 1)}\n`;
    if (env.UPDATE_FIXTURES) fs.writeFileSync(file, json);
    expect(fs.readFileSync(file, 'utf8'), 'regenerate with UPDATE_FIXTURES=1').toBe(json);
  });
});
