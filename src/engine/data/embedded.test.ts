import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES } from './cifarBinary';
import { decodeEmbeddedDataset, loadEmbeddedDataset, parseEmbeddedManifest } from './embedded';
import { PUBLIC_DATA, TRAIN_SLICES, firstDifference, fs, gzip, serve, sha256Hex, trainRecords } from '../../../test/support/cifar';
import { DatasetError, NUM_CLASSES, PIXELS_PER_IMAGE, type CifarDataset, type DataProgress } from './types';

const R = CIFAR_RECORD_BYTES;

/** Pixels of record `src` of a raw CIFAR buffer, converted to NHWC here independently of the code under test. */
function nhwcOf(raw: Uint8Array, recordOffset: number): Uint8Array {
  const out = new Uint8Array(PIXELS_PER_IMAGE);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[p * 3 + c] = raw[recordOffset + 1 + c * 1024 + p];
  return out;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  return e as Error;
}

describe('the committed embedded dataset (public/data)', () => {
  const manifest = JSON.parse(new TextDecoder().decode(fs.readFileSync(new URL('cifar10-embedded.json', PUBLIC_DATA)))) as {
    file: string;
    compressedBytes: number;
    sha256: string;
  };
  const compressed = fs.readFileSync(new URL(manifest.file, PUBLIC_DATA));
  let ds: CifarDataset;
  const progress: DataProgress[] = [];
  let decodeMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    ds = await decodeEmbeddedDataset(manifest, compressed, (p) => progress.push(p));
    decodeMs = performance.now() - t0;
    console.log(`decoded the embedded set (${compressed.length} bytes) in ${decodeMs.toFixed(0)} ms`);
  });

  it('has the announced size, well under 30 MB', () => {
    expect(compressed.length).toBe(manifest.compressedBytes);
    expect(compressed.length).toBeLessThan(30e6);
  });

  it('decodes to 10,000 train (1,000 per class) and 2,000 validation (200 per class) images', () => {
    expect(ds.id).toBe(`embedded-${manifest.sha256.slice(0, 12)}`);
    expect(ds.train.count).toBe(10_000);
    expect(ds.validation.count).toBe(2_000);
    expect(ds.test).toBeUndefined();
    for (const [set, per] of [
      [ds.train, 1000],
      [ds.validation, 200],
    ] as const) {
      const counts = new Array(NUM_CLASSES).fill(0);
      for (const l of set.labels) counts[l]++;
      expect(counts).toEqual(new Array(NUM_CLASSES).fill(per));
      expect(set.images.length).toBe(set.count * PIXELS_PER_IMAGE);
    }
  });

  it('takes records in source order from 0..44,999 (train) and 45,000..49,999 (validation)', () => {
    for (const [set, lo, hi] of [
      [ds.train, 0, 45_000],
      [ds.validation, 45_000, 50_000],
    ] as const) {
      let previous = lo - 1;
      for (const src of set.sourceIndex) {
        if (!(src > previous && src < hi))
          throw new Error(`sourceIndex ${src} after ${previous} is out of order or outside ${lo}..${hi - 1}`);
        previous = src;
      }
    }
  });

  it('holds every record of the fixture slices first (no class fills its 1,000 / 200 there), pixel for pixel', () => {
    for (const [set, slice] of [
      [ds.train, TRAIN_SLICES[0]],
      [ds.validation, TRAIN_SLICES[1]],
    ] as const) {
      expect(Array.from(set.sourceIndex.subarray(0, slice.count))).toEqual(Array.from({ length: slice.count }, (_, k) => slice.first + k));
      const raw = trainRecords(slice.first, slice.count);
      for (let i = 0; i < slice.count; i++) {
        expect(set.labels[i]).toBe(raw[i * R]);
        const mismatch = firstDifference(set.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), nhwcOf(raw, i * R));
        if (mismatch !== -1) throw new Error(`image ${i} (record ${slice.first + i}) differs at byte ${mismatch}`);
      }
    }
  });

  it('has a checksum that can be recomputed as documented (source indices, then the records in the CIFAR layout)', async () => {
    const sets = [ds.train, ds.validation];
    const n = ds.train.count + ds.validation.count;
    const payload = new Uint8Array(n * (4 + R));
    const view = new DataView(payload.buffer);
    let k = 0;
    for (const set of sets) {
      for (let i = 0; i < set.count; i++, k++) {
        view.setUint32(4 * k, set.sourceIndex[i], true);
        const at = 4 * n + k * R;
        payload[at] = set.labels[i];
        // NHWC back to planar R, G, B.
        for (let c = 0; c < 3; c++)
          for (let p = 0; p < 1024; p++) payload[at + 1 + c * 1024 + p] = set.images[i * PIXELS_PER_IMAGE + p * 3 + c];
      }
    }
    expect(await sha256Hex(payload)).toBe(manifest.sha256);
  });

  it('reports progress per stage, ending each at 1', () => {
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual(['decompress', 'decode', 'verify']);
    for (const s of stages) {
      const fractions = progress.filter((p) => p.stage === s).map((p) => p.fraction);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(fractions.at(-1)).toBe(1);
    }
  });
});

/* ---- A small embedded-format file built here, independently, from the documented layout. ---- */

function med(w: number, n: number, nw: number): number {
  if (nw >= Math.max(w, n)) return Math.min(w, n);
  if (nw <= Math.min(w, n)) return Math.max(w, n);
  return w + n - nw;
}

/** Residuals of one planar record (3072 bytes) per "med-rgb-v1". */
function residuals(pixels: Uint8Array): Uint8Array {
  const e = [0, 1, 2].map((c) => {
    const at = (y: number, x: number) => pixels[c * 1024 + y * 32 + x];
    const out = new Uint8Array(1024);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const pred =
          y === 0 && x === 0 ? 0 : y === 0 ? at(0, x - 1) : x === 0 ? at(y - 1, 0) : med(at(y, x - 1), at(y - 1, x), at(y - 1, x - 1));
        out[y * 32 + x] = (at(y, x) - pred) & 255;
      }
    return out;
  });
  const out = new Uint8Array(3072);
  for (let i = 0; i < 1024; i++) {
    out[i] = e[0][i];
    out[1024 + i] = (e[1][i] - e[0][i]) & 255;
    out[2048 + i] = (e[2][i] - e[1][i]) & 255;
  }
  return out;
}

interface Small {
  manifest: Record<string, unknown> & { splits: Record<string, Record<string, unknown>> };
  encoded: Uint8Array<ArrayBuffer>; // before gzip
  gz: Uint8Array<ArrayBuffer>;
  records: Array<{ src: number; raw: Uint8Array }>;
}

async function buildSmall(perClassTrain = 3, perClassVal = 1): Promise<Small> {
  const pick = (first: number, count: number, per: number) => {
    const raw = trainRecords(first, count);
    const taken = new Array(NUM_CLASSES).fill(0);
    const out: Array<{ src: number; raw: Uint8Array }> = [];
    for (let r = 0; r < count; r++) if (taken[raw[r * R]]++ < per) out.push({ src: first + r, raw: raw.subarray(r * R, (r + 1) * R) });
    return out;
  };
  const trainPart = pick(0, 160, perClassTrain);
  const valPart = pick(45_000, 30, perClassVal);
  const records = [...trainPart, ...valPart];
  const n = records.length;
  const decoded = new Uint8Array(n * (4 + R));
  const encoded = new Uint8Array(decoded.length);
  records.forEach(({ src, raw }, k) => {
    new DataView(decoded.buffer).setUint32(4 * k, src, true);
    new DataView(encoded.buffer).setUint32(4 * k, src, true);
    decoded.set(raw, 4 * n + k * R);
    encoded[4 * n + k * R] = raw[0];
    encoded.set(residuals(raw.subarray(1)), 4 * n + k * R + 1);
  });
  const gz = gzip(encoded);
  const perClass = (part: typeof records) => Array.from({ length: NUM_CLASSES }, (_, c) => part.filter((r) => r.raw[0] === c).length);
  const manifest = {
    format: 'unlearning-playground/cifar10-embedded',
    version: 1,
    file: 'small.bin.gz',
    compression: 'gzip',
    compressedBytes: gz.length,
    uncompressedBytes: decoded.length,
    sha256: await sha256Hex(decoded),
    predictor: 'med-rgb-v1',
    layout: 'NHWC uint8',
    imageShape: [32, 32, 3],
    recordBytes: 3073,
    count: n,
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    splits: {
      train: { count: trainPart.length, firstRecord: 0, perClass: perClass(trainPart), sourceRange: [0, 45_000] },
      validation: { count: valPart.length, firstRecord: trainPart.length, perClass: perClass(valPart), sourceRange: [45_000, 50_000] },
    },
  };
  return { manifest, encoded, gz, records };
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('decodeEmbeddedDataset on a small file built from the documented format', () => {
  let small: Small;
  beforeAll(async () => {
    small = await buildSmall();
  });

  it('decodes it back to the source records', async () => {
    const ds = await decodeEmbeddedDataset(small.manifest, small.gz.buffer);
    expect(ds.train.count).toBe(30);
    expect(ds.validation.count).toBe(10);
    const all = [ds.train, ds.validation];
    small.records.forEach(({ src, raw }, k) => {
      const set = k < 30 ? all[0] : all[1];
      const i = k < 30 ? k : k - 30;
      expect(set.sourceIndex[i]).toBe(src);
      expect(set.labels[i]).toBe(raw[0]);
      expect(firstDifference(set.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), nhwcOf(raw, 0))).toBe(-1);
    });
  });

  it('rejects a corrupted byte with a checksum error naming the file', async () => {
    const encoded = small.encoded.slice();
    encoded[4 * 40 + 5 * R + 700] ^= 0x10; // one residual of image 5
    const gz = gzip(encoded);
    const m = clone(small.manifest);
    m.compressedBytes = gz.length;
    const e = await rejection(decodeEmbeddedDataset(m, gz));
    expect(e.message).toMatch(/^small\.bin\.gz: checksum mismatch/);
    // A byte flipped inside the gzip stream itself is caught too (by gzip's CRC or by the checksum).
    const flipped = small.gz.slice();
    flipped[Math.floor(flipped.length / 2)] ^= 0x01;
    expect((await rejection(decodeEmbeddedDataset(small.manifest, flipped))).message).toMatch(/^small\.bin\.gz: /);
  });

  it('rejects a wrong compressed length', async () => {
    const e = await rejection(decodeEmbeddedDataset(small.manifest, small.gz.subarray(0, small.gz.length - 1)));
    expect(e.message).toMatch(/^small\.bin\.gz: is \d+ bytes; the manifest announces \d+/);
  });

  it('rejects a truncated gzip stream', async () => {
    const cut = small.gz.subarray(0, Math.floor(small.gz.length / 2));
    const m = clone(small.manifest);
    m.compressedBytes = cut.length;
    const e = await rejection(decodeEmbeddedDataset(m, cut));
    expect(e.message).toMatch(/^small\.bin\.gz: /);
    expect(e.message).toMatch(/truncated/);
  });

  it('rejects a payload shorter than announced', async () => {
    const gz = gzip(small.encoded.subarray(0, small.encoded.length - R));
    const m = clone(small.manifest);
    m.compressedBytes = gz.length;
    const e = await rejection(decodeEmbeddedDataset(m, gz));
    expect(e.message).toMatch(/decompresses to \d+ bytes; the manifest announces \d+/);
  });

  it('rejects a label outside 0..9', async () => {
    const encoded = small.encoded.slice();
    encoded[4 * 40 + 3 * R] = 10;
    const gz = gzip(encoded);
    const m = clone(small.manifest);
    m.compressedBytes = gz.length;
    expect((await rejection(decodeEmbeddedDataset(m, gz))).message).toMatch(/^small\.bin\.gz: image 3 has label 10/);
  });

  it('rejects data that is not gzip (an HTML page)', async () => {
    const html = new TextEncoder().encode('<!doctype html><html><body>not here</body></html>');
    expect((await rejection(decodeEmbeddedDataset(small.manifest, html))).message).toMatch(/not gzip data .*<!doctype html>/);
  });

  it('validates the manifest, naming the field', async () => {
    const cases: Array<[(m: Small['manifest']) => void, RegExp]> = [
      [(m) => (m.format = 'something-else'), /unknown format "something-else" in field "format"/],
      [(m) => (m.version = 2), /unsupported version 2 in field "version"/],
      [(m) => delete m.sha256, /field "sha256"/],
      [(m) => (m.file = '../../evil.bin'), /field "file" is invalid: must be a plain file name/],
      [(m) => (m.file = 'https://evil.example/x.gz'), /field "file"/],
      [(m) => (m.splits.train.count = 'many'), /field "splits\.train\.count"/],
      [(m) => (m.predictor = 'png'), /field "predictor"/],
      [(m) => (m.uncompressedBytes = 5), /field "uncompressedBytes"/],
      [(m) => (m.classNames as string[]).reverse(), /field "classNames" must be the CIFAR-10 classes/],
      [(m) => ((m.splits.validation.perClass as number[])[0] += 1), /splits\.validation\.perClass/],
    ];
    for (const [mutate, pattern] of cases) {
      const m = clone(small.manifest);
      mutate(m);
      const e = await rejection(decodeEmbeddedDataset(m, small.gz));
      expect(e.message).toMatch(/^cifar10-embedded\.json: /);
      expect(e.message).toMatch(pattern);
    }
    expect(() => parseEmbeddedManifest([1, 2])).toThrow(/is not a JSON object/);
  });
});

describe('loadEmbeddedDataset', () => {
  let small: Small;
  beforeAll(async () => {
    small = await buildSmall(2, 1);
  });

  it('downloads the manifest and the file from <base>data/, with progress', async () => {
    const server = await serve({
      '/app/data/cifar10-embedded.json': { body: JSON.stringify(small.manifest) },
      '/app/data/small.bin.gz': { body: small.gz },
    });
    try {
      const progress: DataProgress[] = [];
      const ds = await loadEmbeddedDataset(`${server.base}app/`, (p) => progress.push(p));
      expect(ds.train.count).toBe(20);
      expect(ds.validation.count).toBe(10);
      expect(server.requests).toEqual(['/app/data/cifar10-embedded.json', '/app/data/small.bin.gz']);
      const download = progress.filter((p) => p.stage === 'download').map((p) => p.fraction);
      expect(download.length).toBeGreaterThan(2);
      expect(download.at(-1)).toBe(1);
      expect(download.some((f) => f > 0 && f < 1)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('accepts a server that decompressed the file on the way (Content-Encoding: gzip)', async () => {
    const server = await serve({
      '/data/cifar10-embedded.json': { body: JSON.stringify(small.manifest) },
      '/data/small.bin.gz': { body: small.gz, headers: { 'content-encoding': 'gzip' } },
    });
    try {
      const progress: DataProgress[] = [];
      const ds = await loadEmbeddedDataset(server.base, (p) => progress.push(p));
      expect(ds.id).toBe(`embedded-${(small.manifest.sha256 as string).slice(0, 12)}`);
      // Progress is measured against the decoded size here, so it does not hit 1 early.
      const download = progress.filter((p) => p.stage === 'download').map((p) => p.fraction);
      expect(download.filter((f) => f > 0 && f < 1).length).toBeGreaterThan(3);
    } finally {
      await server.close();
    }
  });

  it('names the file on HTTP errors and on an HTML page instead of the manifest', async () => {
    const server = await serve({
      '/a/data/cifar10-embedded.json': { body: JSON.stringify(small.manifest) },
      '/b/data/cifar10-embedded.json': { body: '<!doctype html><title>SPA fallback</title>' },
    });
    try {
      expect((await rejection(loadEmbeddedDataset(`${server.base}a`))).message).toMatch(
        /^small\.bin\.gz: could not be downloaded from .*: HTTP 404/,
      );
      expect((await rejection(loadEmbeddedDataset(`${server.base}b/`))).message).toMatch(/^cifar10-embedded\.json: is not valid JSON/);
      expect((await rejection(loadEmbeddedDataset(`${server.base}c/`))).message).toMatch(/^cifar10-embedded\.json: .*HTTP 404/);
    } finally {
      await server.close();
    }
  });
});
