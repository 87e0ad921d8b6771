/**
 * The documentation against the code: a method, metric or result field added without its docs row fails here,
 * and so does a README that grows past 10,000 bytes or a relative link to a file that does not exist.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from './engine/experiment/spec';
import { groupSchema, resultSchema } from './engine/experiment/result';
import { METHOD_CATALOG } from './engine/unlearn/catalog';

// Node's fs without Node's types in the app's tsconfig (as src/app/lib/resultFixture.test.ts does).
const fs = (await import(/* @vite-ignore */ 'node:fs' as string)) as {
  readFileSync(p: URL): Uint8Array;
  readFileSync(p: URL, encoding: 'utf8'): string;
  existsSync(p: URL): boolean;
  readdirSync(p: URL): string[];
};

const root = new URL('../', import.meta.url);
const docsDir = new URL('docs/', root);
const read = (url: URL) => fs.readFileSync(url, 'utf8');
const docFiles = fs.readdirSync(docsDir).filter((f) => f.endsWith('.md'));
const markdownFiles = [new URL('README.md', root), ...docFiles.map((f) => new URL(f, docsDir))];
const name = (url: URL) => url.pathname.slice(root.pathname.length);

/** Markdown without its fenced code blocks (links and headings there are not links and headings). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchors = (text: string) => new Set([...prose(text).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])));

/** A key written as `key:` or `key?:` at the start of a line or after a brace or comma. */
const hasKey = (text: string, key: string) => new RegExp(`(^|[\\s{,])${key}\\??:`, 'm').test(text);

/** The lines from `title` up to the next blank line: one object of the format block. */
function block(text: string, title: string): string {
  const start = text.indexOf(`\n${title}\n`);
  if (start < 0) throw new Error(`no "${title}" block`);
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('docs', () => {
  const methodsDoc = read(new URL('methods.md', docsDir));
  const specDoc = read(new URL('spec-and-results.md', docsDir));

  it('README.md is at most 10,000 bytes', () => {
    expect(fs.readFileSync(new URL('README.md', root)).byteLength).toBeLessThanOrEqual(10_000);
  });

  it('docs/methods.md names every method of the catalog', () => {
    const missing = METHOD_CATALOG.map((m) => m.name).filter((n) => !methodsDoc.includes(`\`${n}\``));
    expect(missing, 'methods missing from docs/methods.md').toEqual([]);
  });

  it('docs/spec-and-results.md names every spec metric', () => {
    const missing = METRIC_NAMES.filter((m) => !specDoc.includes(`\`${m}\``));
    expect(missing, 'metrics missing from docs/spec-and-results.md').toEqual([]);
  });

  it('docs/spec-and-results.md lists every field of the result, of a group and of the noise floor', () => {
    const shapes = {
      'ExperimentResult (loose):': Object.keys(resultSchema.shape),
      'Group (loose):': Object.keys(groupSchema.shape),
      'NoiseFloor (loose):': Object.keys(resultSchema.shape.noiseFloor.shape),
    };
    const missing = Object.entries(shapes).flatMap(([title, keys]) =>
      keys.filter((k) => !hasKey(block(specDoc, title), k)).map((k) => `${title} ${k}`),
    );
    expect(missing, 'result fields missing from docs/spec-and-results.md').toEqual([]);
  });

  it('every relative link in README.md and docs/*.md points at a file (and heading) that exists', () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#');
        const url = path ? new URL(path, file) : file;
        if (!url.pathname.startsWith(root.pathname)) broken.push(`${name(file)}: ${target} (outside the repository)`);
        else if (!fs.existsSync(url)) broken.push(`${name(file)}: ${target}`);
        else if (anchor && url.pathname.endsWith('.md') && !anchors(read(url)).has(anchor)) {
          broken.push(`${name(file)}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
