import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../cache/memoryCache';
import type { CachedModel } from '../cache/types';
import { encodePack } from './packFile';
import { createPackSource, PACK_FORMAT, type PackLoader } from './packSource';

const model = (c: string): CachedModel => ({
  key: c.repeat(64),
  kind: 'oracle',
  description: `model ${c}`,
  outputs: { logits: Float32Array.from([c.charCodeAt(0), 1]) },
  meta: { examplesProcessed: 10 },
  createdAt: '2026-12-02T00:00:00.000Z',
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function fakeLoader(files: Record<string, Uint8Array>, tamper?: string) {
  const fetched: string[] = [];
  let manifestReads = 0;
  const manifest = {
    format: PACK_FORMAT,
    backend: 'wasm',
    specs: [],
    files: Object.entries(files).map(([file, bytes]) => ({
      file,
      builtFor: 'test',
      bytes: bytes.length,
      sha256: sha(bytes),
      keys: keysOf[file],
    })),
  };
  const loader: PackLoader = {
    manifest: async () => {
      manifestReads++;
      return manifest;
    },
    file: async (name, sha256) => {
      fetched.push(name);
      if (sha256 !== sha(files[name])) throw new Error(`asked for ${name} without its checksum`);
      const bytes = files[name].slice();
      if (name === tamper) bytes[bytes.length - 1] ^= 1;
      return bytes;
    },
  };
  return { loader, fetched, manifestReads: () => manifestReads };
}

const keysOf: Record<string, string[]> = { 'a.bin': ['a'.repeat(64), 'b'.repeat(64)], 'c.bin': ['c'.repeat(64)] };
const files = { 'a.bin': encodePack([model('a'), model('b')]), 'c.bin': encodePack([model('c')]) };

describe('pack source', () => {
  it('reads nothing until asked, then only the file holding the key, and puts its models into the cache', async () => {
    const { loader, fetched, manifestReads } = fakeLoader(files);
    const packs = createPackSource(loader);
    expect(manifestReads()).toBe(0);
    const cache = new MemoryCache();
    const got = await packs.take('a'.repeat(64), cache);
    expect(got?.outputs.logits).toEqual(Float32Array.from([97, 1]));
    expect(got?.meta.pack).toBe('a.bin');
    expect(fetched).toEqual(['a.bin']);
    // The whole file went into the cache, under the packed keys.
    expect((await cache.get('b'.repeat(64)))?.meta.pack).toBe('a.bin');
    expect(await cache.has('c'.repeat(64))).toBe(false);
    await packs.take('b'.repeat(64), cache);
    expect(fetched).toEqual(['a.bin']);
    expect(await packs.take('d'.repeat(64), cache)).toBeUndefined();
    expect(fetched).toEqual(['a.bin']);
    expect(manifestReads()).toBe(1);
    expect(packs.problems).toEqual([]);
  });

  it('refuses a file whose checksum does not match, says so, and leaves the cache alone', async () => {
    const { loader } = fakeLoader(files, 'c.bin');
    const packs = createPackSource(loader);
    const cache = new MemoryCache();
    expect(await packs.take('c'.repeat(64), cache)).toBeUndefined();
    expect(packs.problems).toEqual([expect.stringMatching(/pack c\.bin was not used \(.*SHA-256.*manifest says/)]);
    expect((await cache.usage()).entries).toBe(0);
  });

  it('has no packs when the build ships none, and reports a broken manifest', async () => {
    const none = createPackSource({ manifest: async () => undefined, file: async () => new Uint8Array() });
    expect(await none.backend()).toBeUndefined();
    expect(await none.take('a'.repeat(64), new MemoryCache())).toBeUndefined();
    expect(none.problems).toEqual([]);
    const broken = createPackSource({
      manifest: async () => ({ format: 'other' }),
      file: async () => new Uint8Array(),
    });
    expect(await broken.take('a'.repeat(64), new MemoryCache())).toBeUndefined();
    expect(broken.problems).toEqual([expect.stringMatching(/manifest is malformed/)]);
  });
});
