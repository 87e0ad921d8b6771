/** Node helpers for the data tests: real CIFAR-10 records, tar and gzip writers, a tiny HTTP server. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { CIFAR_RECORD_BYTES } from '../../src/engine/data/cifarBinary';

export { fs };

const FIXTURE = new URL('../fixtures/cifar10/', import.meta.url);
/** The repository's public/data folder (the embedded dataset the app ships). */
export const PUBLIC_DATA = new URL('../../public/data/', import.meta.url);

/** The slices of train.bin in test/fixtures/cifar10 (see scripts/build-test-fixture.mjs). */
export const TRAIN_SLICES = [
  { first: 0, count: 160, file: 'train-00000.bin' },
  { first: 45_000, count: 30, file: 'train-45000.bin' },
] as const;
/** Records in the fixture's slice of test.bin. */
const TEST_COUNT = 30;
/** Records in CIFAR-10's train.bin (data_batch_1..5). */
const TRAIN_RECORDS = 50_000;

function readFixture(file: string, count: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(fs.readFileSync(new URL(file, FIXTURE)));
  if (data.length !== count * CIFAR_RECORD_BYTES) {
    throw new Error(
      `test/fixtures/cifar10/${file} is ${data.length} bytes, expected ${count} records; rebuild it with npm run build:fixture`,
    );
  }
  return data;
}

/** `count` raw records of CIFAR-10's train.bin starting at record `first`, which must lie in one of the fixture's slices. */
export function trainRecords(first: number, count: number): Uint8Array<ArrayBuffer> {
  const slice = TRAIN_SLICES.find((s) => first >= s.first && first + count <= s.first + s.count);
  if (!slice) throw new Error(`records ${first}..${first + count - 1} of train.bin are not in the test fixture`);
  const start = (first - slice.first) * CIFAR_RECORD_BYTES;
  return readFixture(slice.file, slice.count).slice(start, start + count * CIFAR_RECORD_BYTES);
}

/** The first `count` raw records of CIFAR-10's test_batch. */
export function testRecords(count: number): Uint8Array<ArrayBuffer> {
  if (count > TEST_COUNT) throw new Error(`the test fixture holds ${TEST_COUNT} test records, not ${count}`);
  return readFixture('test-00000.bin', TEST_COUNT).slice(0, count * CIFAR_RECORD_BYTES);
}

/** Whether record `r` of the full-size stand-in below is the real record r of train.bin. */
export const isRealTrainRecord = (r: number): boolean => TRAIN_SLICES.some((s) => r >= s.first && r < s.first + s.count);

let fullSize: Uint8Array<ArrayBuffer> | undefined;
/**
 * A stand-in for the whole train.bin (50,000 records, 154 MB), for tests of full-size inputs: record r is the
 * real record r where the fixture has it (isRealTrainRecord), elsewhere a copy of a real record from the
 * fixture's first slice. Built once per test file.
 */
export function fullSizeTrainBin(): Uint8Array<ArrayBuffer> {
  if (fullSize) return fullSize;
  const R = CIFAR_RECORD_BYTES;
  const out = new Uint8Array(TRAIN_RECORDS * R);
  const [head] = TRAIN_SLICES;
  const headData = trainRecords(head.first, head.count);
  for (let r = 0; r < TRAIN_RECORDS; r += head.count) out.set(headData.subarray(0, Math.min(head.count, TRAIN_RECORDS - r) * R), r * R);
  for (const s of TRAIN_SLICES) out.set(trainRecords(s.first, s.count), s.first * R);
  fullSize = out;
  return out;
}

export function gzip(data: Uint8Array, level = 6): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(data, { level }));
}

/** A File-like object whose stream delivers `data` in chunks of the given sizes (cycled), to exercise chunk boundaries. */
export function fileFrom(
  name: string,
  data: Uint8Array,
  chunkSizes: number[] = [65536],
): { name: string; size: number; stream(): ReadableStream<Uint8Array> } {
  return {
    name,
    size: data.length,
    stream() {
      let pos = 0;
      let i = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pos >= data.length) {
            controller.close();
            return;
          }
          const n = chunkSizes[i++ % chunkSizes.length];
          controller.enqueue(data.slice(pos, pos + n));
          pos += n;
        },
      });
    },
  };
}

export interface TarInput {
  name: string;
  data?: Uint8Array;
  /** '0' file (default), '5' directory, 'x' pax header (data = pax records). */
  type?: '0' | '5' | 'x';
}

function octal(header: Uint8Array, offset: number, length: number, value: number): void {
  const s = value.toString(8).padStart(length - 1, '0');
  for (let i = 0; i < s.length; i++) header[offset + i] = s.charCodeAt(i);
  header[offset + length - 1] = 0;
}

/** A minimal ustar writer (names up to 100 bytes), ending with two zero blocks like tar(1). */
export function makeTar(entries: TarInput[]): Uint8Array<ArrayBuffer> {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const header = new Uint8Array(512);
    const name = new TextEncoder().encode(e.name);
    if (name.length > 100) throw new Error('name too long for this test writer');
    header.set(name, 0);
    octal(header, 100, 8, e.type === '5' ? 0o755 : 0o644);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, data.length);
    octal(header, 136, 12, 0);
    header[156] = (e.type ?? '0').charCodeAt(0);
    header.set(new TextEncoder().encode('ustar\u000000'), 257);
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    octal(header, 148, 7, sum);
    header[155] = 0x20;
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
  let pos = 0;
  for (const b of blocks) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/** Serves `routes` (path → bytes, with optional headers) on 127.0.0.1 until `close()`. */
export async function serve(
  routes: Record<string, { body: Uint8Array | string; headers?: Record<string, string | number> }>,
): Promise<{ base: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404, { connection: 'close' });
      res.end('not found');
      return;
    }
    const body = typeof route.body === 'string' ? new TextEncoder().encode(route.body) : route.body;
    res.writeHead(200, { 'content-length': body.length, connection: 'close', ...route.headers });
    // Several spaced-out writes so the client sees more than one chunk.
    const step = Math.max(1, Math.ceil(body.length / 8));
    let pos = 0;
    const next = () => {
      if (pos >= body.length) {
        res.end();
        return;
      }
      res.write(body.subarray(pos, pos + step));
      pos += step;
      setTimeout(next, 5);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data)), (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Index of the first element where a and b differ (-1 when equal; the shorter length when one is a prefix). Fast, unlike toEqual on big arrays. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Whether the system tar(1) can be run (for checks against a real-world tar writer). */
export const hasSystemTar = (() => {
  try {
    execFileSync('tar', ['--version'], { cwd: tmpdir(), stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Builds a tar with the system tar(1) from `files` (path → bytes), in the given archive format. */
export function systemTar(files: Record<string, Uint8Array>, format: 'gnu' | 'pax' | 'ustar'): Uint8Array {
  const dir = fs.mkdtempSync(`${tmpdir()}/tar-test-`);
  try {
    for (const [path, data] of Object.entries(files)) {
      const slash = path.lastIndexOf('/');
      if (slash > 0) fs.mkdirSync(`${dir}/${path.slice(0, slash)}`, { recursive: true });
      fs.writeFileSync(`${dir}/${path}`, data);
    }
    return new Uint8Array(execFileSync('tar', [`--format=${format}`, '-cf', '-', '--sort=name', ...Object.keys(files)], { cwd: dir }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
