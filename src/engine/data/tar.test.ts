import { describe, expect, it } from 'vitest';
import { TarError, readTar, readTarEntry, type TarEntry } from './tar';
import { fileFrom, firstDifference, hasSystemTar, makeTar, systemTar } from '../../../test/support/cifar';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 255);

async function collect(data: Uint8Array, chunkSizes?: number[], read = true) {
  const out: Array<{ name: string; size: number; data?: Uint8Array }> = [];
  for await (const e of readTar(fileFrom('t.tar', data, chunkSizes).stream(), 't.tar')) {
    out.push({ name: e.name, size: e.size, data: read ? await readTarEntry(e) : undefined });
  }
  return out;
}

async function expectTarError(data: Uint8Array, pattern: RegExp) {
  const err = await collect(data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TarError);
  expect((err as Error).message).toMatch(/^t\.tar: /);
  expect((err as Error).message).toMatch(pattern);
}

const pax = (key: string, value: string) => {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return new TextEncoder().encode(`${len}${body}`);
};

describe('readTar', () => {
  const a = bytes(1000, 1);
  const b = bytes(512, 2);
  const c = bytes(70_000, 3);
  const longName = `deep/${'x'.repeat(120)}/file.bin`;
  const tar = makeTar([
    { name: 'dir/', type: '5' },
    { name: 'dir/a.bin', data: a },
    { name: 'dir/empty.txt' },
    { name: 'dir/b.bin', data: b },
    { name: 'PaxHeader', type: 'x', data: pax('path', longName) },
    { name: 'truncated-name', data: c },
  ]);

  it('yields regular files with their bytes, across any chunk boundaries', async () => {
    for (const sizes of [[1], [7, 511, 1000], [512], [65536], [tar.length]]) {
      const entries = await collect(tar, sizes);
      expect(entries.map((e) => e.name)).toEqual(['dir/a.bin', 'dir/empty.txt', 'dir/b.bin', longName]);
      expect(entries.map((e) => e.size)).toEqual([1000, 0, 512, 70_000]);
      expect(firstDifference(entries[0].data!, a)).toBe(-1);
      expect(firstDifference(entries[2].data!, b)).toBe(-1);
      expect(firstDifference(entries[3].data!, c)).toBe(-1);
    }
  });

  it('skips the contents of entries the consumer does not read', async () => {
    const entries = await collect(tar, [333], false);
    expect(entries.map((e) => e.size)).toEqual([1000, 0, 512, 70_000]);
    // Read only part of one entry, then move on.
    const seen: string[] = [];
    for await (const e of readTar(fileFrom('t.tar', tar, [100]).stream(), 't.tar') as AsyncGenerator<TarEntry>) {
      seen.push(e.name);
      if (e.name === 'dir/a.bin') {
        for await (const part of e.bytes) {
          expect(part[0]).toBe(a[0]);
          break;
        }
      }
      if (e.name === longName) expect(firstDifference(await readTarEntry(e), c)).toBe(-1);
    }
    expect(seen).toHaveLength(4);
  });

  it('reports a stream cut inside an entry', async () => {
    // Layout: dir/ header @0, a.bin header @512, a.bin data @1024.
    await expectTarError(tar.subarray(0, 1024 + 100), /truncated: dir\/a\.bin should have 1000 bytes but the archive ends after 100/);
  });

  it('reports a stream cut between entries (no end-of-archive marker)', async () => {
    await expectTarError(tar.subarray(0, 512 * 4), /without the tar end-of-archive marker/);
  });

  it('reports data that is not tar', async () => {
    await expectTarError(bytes(4096, 9), /is not a tar archive/);
    await expectTarError(new TextEncoder().encode('<!doctype html><html>'.padEnd(600, ' ')), /is not a tar archive/);
    await expectTarError(new Uint8Array(0), /is empty/);
    const corrupt = tar.slice();
    corrupt[1024 + 10] ^= 0xff; // inside a.bin's data: not checked by tar, fine …
    corrupt[2560 + 3] ^= 0x40; // … but this is inside the header of dir/b.bin
    await expectTarError(corrupt, /corrupt tar header at byte 2560/);
  });

  it.runIf(hasSystemTar)('reads archives written by GNU tar in gnu, pax and ustar formats', async () => {
    const long = `cifar-10-batches-bin/${'sub-folder-with-a-long-name/'.repeat(4)}data_batch_1.bin`;
    for (const format of ['gnu', 'pax', 'ustar'] as const) {
      const files: Record<string, Uint8Array> = { 'cifar-10-batches-bin/readme.html': bytes(10, 4), [long]: c };
      const entries = await collect(systemTar(files, format), [4096, 13]);
      expect(entries.map((e) => e.name).sort()).toEqual(Object.keys(files).sort());
      const big = entries.find((e) => e.name === long)!;
      expect(big.size).toBe(c.length);
      expect(firstDifference(big.data!, c)).toBe(-1);
    }
  });
});
