import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES } from './cifarBinary';
import { decodeEmbeddedDataset } from './embedded';
import { loadCifarFromFiles, type DataFile } from './fullCifar';
import {
  PUBLIC_DATA,
  fileFrom,
  firstDifference,
  fs,
  fullSizeTrainBin,
  gzip,
  isRealTrainRecord,
  makeTar,
  testRecords,
  trainRecords,
  type TarInput,
} from '../../../test/support/cifar';
import { DatasetError, PIXELS_PER_IMAGE, type CifarDataset, type DataProgress, type ImageSet } from './types';

const R = CIFAR_RECORD_BYTES;
const PER_BATCH = 30; // reduced batches; the official ones hold 10,000 records
const trainRaw = trainRecords(0, 5 * PER_BATCH);
const testRaw = testRecords(30);
const batch = (k: number) => trainRaw.slice((k - 1) * PER_BATCH * R, k * PER_BATCH * R);
const DIR = 'cifar-10-batches-bin/';

/** The entries of cifar-10-binary.tar.gz in the order the official archive lists them. */
function officialEntries(overrides: Partial<Record<string, Uint8Array | null>> = {}): TarInput[] {
  const files: Array<[string, Uint8Array]> = [
    ['data_batch_1.bin', batch(1)],
    ['batches.meta.txt', new TextEncoder().encode('airplane\nautomobile\n')],
    ['data_batch_3.bin', batch(3)],
    ['data_batch_4.bin', batch(4)],
    ['test_batch.bin', testRaw],
    ['readme.html', new TextEncoder().encode('<html></html>')],
    ['data_batch_2.bin', batch(2)],
    ['data_batch_5.bin', batch(5)],
  ];
  const entries: TarInput[] = [{ name: DIR, type: '5' }];
  for (const [name, data] of files) {
    const o = overrides[name];
    if (o === null) continue;
    entries.push({ name: DIR + name, data: o ?? data });
  }
  return entries;
}

const archive = (entries: TarInput[], name = 'cifar-10-binary.tar.gz') => fileFrom(name, gzip(makeTar(entries)), [65536, 1000, 7]);

function nhwcOf(raw: Uint8Array, record: number): Uint8Array {
  const out = new Uint8Array(PIXELS_PER_IMAGE);
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[p * 3 + c] = raw[record * R + 1 + c * 1024 + p];
  return out;
}

/** Checks every image of `set` against records `first..` of `raw` (and sourceIndex = first + i + sourceOffset). */
function expectRecords(set: ImageSet, raw: Uint8Array, first: number, sourceOffset = 0): void {
  for (let i = 0; i < set.count; i++) {
    const r = first + i;
    expect(set.labels[i]).toBe(raw[r * R]);
    expect(set.sourceIndex[i]).toBe(r + sourceOffset);
    const diff = firstDifference(set.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), nhwcOf(raw, r));
    if (diff !== -1) throw new Error(`image ${i} differs from record ${r} at byte ${diff}`);
  }
}

async function rejection(p: Promise<unknown>, ...patterns: RegExp[]): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  for (const pattern of patterns) expect((e as Error).message).toMatch(pattern);
  return e as DatasetError;
}

describe('loadCifarFromFiles', () => {
  let fromTar: CifarDataset;
  const progress: DataProgress[] = [];
  beforeAll(async () => {
    fromTar = await loadCifarFromFiles([archive(officialEntries())], (p) => progress.push(p));
  });

  it('reads cifar-10-binary.tar.gz: train = first 90% of data_batch_1..5, validation = last 10%, test = test_batch', () => {
    expect(fromTar.train.count).toBe(135);
    expect(fromTar.validation.count).toBe(15);
    expect(fromTar.test?.count).toBe(30);
    expectRecords(fromTar.train, trainRaw, 0);
    expectRecords(fromTar.validation, trainRaw, 135);
    expectRecords(fromTar.test!, testRaw, 0);
    expect(fromTar.id).toMatch(/^cifar10-full-[0-9a-f]{12}$/);
    expect(fromTar.classNames).toHaveLength(10);
    expect(fromTar.name).toMatch(/135 train \/ 15 validation \/ 30 test/);
  });

  it('reports progress by bytes read, then verify', () => {
    const stages = [...new Set(progress.map((p) => p.stage))];
    expect(stages).toEqual(['read', 'verify']);
    const read = progress.filter((p) => p.stage === 'read').map((p) => p.fraction);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(read.some((f) => f > 0.1 && f < 0.9)).toBe(true);
    expect(read.at(-1)).toBe(1);
  });

  it('gives the same dataset and id from the .bin files (any order, companions ignored) and from a plain .tar', async () => {
    const bins: DataFile[] = [5, 3, 1, 2, 4].map((k) => fileFrom(`data_batch_${k}.bin`, batch(k), [4096, 3073]));
    // Real File objects work as they are (here for test_batch.bin).
    const testFile = new File([testRaw], 'test_batch.bin');
    const fromBins = await loadCifarFromFiles([...bins, testFile, fileFrom('batches.meta.txt', new Uint8Array(3))]);
    const fromPlainTar = await loadCifarFromFiles([fileFrom('cifar-10-binary.tar', makeTar(officialEntries()))]);
    for (const ds of [fromBins, fromPlainTar]) {
      expect(ds.id).toBe(fromTar.id);
      expect(firstDifference(ds.train.images, fromTar.train.images)).toBe(-1);
      expect(firstDifference(ds.validation.sourceIndex, fromTar.validation.sourceIndex)).toBe(-1);
      expect(firstDifference(ds.test!.images, fromTar.test!.images)).toBe(-1);
    }
    const noTest = await loadCifarFromFiles(bins);
    expect(noTest.test).toBeUndefined();
    expect(noTest.id).not.toBe(fromTar.id);
    expect(firstDifference(noTest.validation.images, fromTar.validation.images)).toBe(-1);
  });

  it('uses records 45,000..49,999 for validation with the official batch sizes, agreeing with the embedded set', async () => {
    const all = fullSizeTrainBin();
    const size = 10_000 * R;
    const files = [1, 2, 3, 4, 5].map((k) => fileFrom(`data_batch_${k}.bin`, all.subarray((k - 1) * size, k * size), [1 << 20]));
    const full = await loadCifarFromFiles(files);
    expect(full.train.count).toBe(45_000);
    expect(full.validation.count).toBe(5_000);
    expect(full.validation.sourceIndex[0]).toBe(45_000);
    expect(full.train.sourceIndex[44_999]).toBe(44_999);
    const manifest = JSON.parse(new TextDecoder().decode(fs.readFileSync(new URL('cifar10-embedded.json', PUBLIC_DATA)))) as {
      file: string;
    };
    const embedded = await decodeEmbeddedDataset(manifest, fs.readFileSync(new URL(manifest.file, PUBLIC_DATA)));
    // The embedded set takes the first 1,000 / 200 records of each class, so it holds every record of the fixture's slices.
    for (const [small, big, offset, real] of [
      [embedded.train, full.train, 0, 160],
      [embedded.validation, full.validation, 45_000, 30],
    ] as const) {
      let compared = 0;
      for (let i = 0; i < small.count; i++) {
        // Only where the stand-in holds the real record of that index.
        if (!isRealTrainRecord(small.sourceIndex[i])) continue;
        compared++;
        const j = small.sourceIndex[i] - offset;
        expect(big.sourceIndex[j]).toBe(small.sourceIndex[i]);
        expect(big.labels[j]).toBe(small.labels[i]);
        const a = small.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
        expect(firstDifference(big.images.subarray(j * PIXELS_PER_IMAGE, (j + 1) * PIXELS_PER_IMAGE), a)).toBe(-1);
      }
      expect(compared).toBe(real);
    }
  });

  it('names the missing training batches', async () => {
    const some = [1, 2, 4].map((k) => fileFrom(`data_batch_${k}.bin`, batch(k)));
    await rejection(
      loadCifarFromFiles([...some, fileFrom('test_batch.bin', testRaw)]),
      /^data_batch_1\.bin, data_batch_2\.bin, data_batch_4\.bin: data_batch_3\.bin and data_batch_5\.bin are missing/,
    );
    await rejection(
      loadCifarFromFiles([archive(officialEntries({ 'data_batch_5.bin': null }))]),
      /^cifar-10-binary\.tar\.gz: is missing data_batch_5\.bin: all five/,
    );
  });

  it('rejects a truncated .tar.gz', async () => {
    const gz = gzip(makeTar(officialEntries()));
    for (const cut of [Math.floor(gz.length / 2), gz.length - 4]) {
      await rejection(
        loadCifarFromFiles([fileFrom('cifar-10-binary.tar.gz', gz.subarray(0, cut))]),
        /^cifar-10-binary\.tar\.gz: /,
        /truncated/,
        /Download it again/,
      );
    }
  });

  it('rejects a corrupted byte inside the .tar.gz', async () => {
    const gz = gzip(makeTar(officialEntries()));
    // A flip inside the deflate data can surface as a broken tar header before gzip's CRC is reached; one in the CRC cannot.
    for (const [at, pattern] of [
      [Math.floor(gz.length / 3), /^cifar-10-binary\.tar\.gz: (is corrupt|has a corrupt tar header)/],
      [gz.length - 6, /^cifar-10-binary\.tar\.gz: is corrupt/],
    ] as const) {
      const bad = gz.slice();
      bad[at] ^= 0x01;
      await rejection(loadCifarFromFiles([fileFrom('cifar-10-binary.tar.gz', bad)]), pattern);
    }
  });

  it('rejects a .gz that is not a tar, a PNG, a ZIP, and the Python version, saying what is expected', async () => {
    const expected = /Expected the CIFAR-10 binary version: cifar-10-binary\.tar\.gz/;
    const noise = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251);
    await rejection(
      loadCifarFromFiles([fileFrom('cifar-10-binary.tar.gz', gzip(noise))]),
      /^cifar-10-binary\.tar\.gz: is not a tar archive/,
      expected,
    );
    const png = new Uint8Array(2000);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await rejection(loadCifarFromFiles([fileFrom('airplane.png', png)]), /^airplane\.png: is a PNG image/, expected);
    const zip = new Uint8Array(2000);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    await rejection(loadCifarFromFiles([fileFrom('cifar-10.zip', zip)]), /^cifar-10\.zip: is a ZIP archive/, expected);
    const python = archive(
      [
        { name: 'cifar-10-batches-py/', type: '5' },
        { name: 'cifar-10-batches-py/data_batch_1', data: new Uint8Array(5000) },
      ],
      'cifar-10-python.tar.gz',
    );
    await rejection(loadCifarFromFiles([python]), /^cifar-10-python\.tar\.gz: is the Python \(pickle\) version/, expected);
    await rejection(
      loadCifarFromFiles([fileFrom('data_batch_1', new Uint8Array(10))]),
      /^data_batch_1: is from the Python \(pickle\) version/,
    );
    await rejection(
      loadCifarFromFiles([archive([{ name: 'notes.txt', data: new Uint8Array(10) }], 'other.tar.gz')]),
      /^other\.tar\.gz: holds no CIFAR-10 batch files \(it holds notes\.txt\)/,
    );
  });

  it('rejects bad batch contents, naming the file and record', async () => {
    const badLabel = batch(3);
    badLabel[2 * R] = 200;
    await rejection(
      loadCifarFromFiles([archive(officialEntries({ 'data_batch_3.bin': badLabel }))]),
      /^cifar-10-binary\.tar\.gz \(cifar-10-batches-bin\/data_batch_3\.bin\): record 2 .* has label 200/,
    );
    await rejection(
      loadCifarFromFiles([archive(officialEntries({ 'data_batch_2.bin': batch(2).subarray(0, 15 * R) }))]),
      /data_batch_2\.bin\): has 15 records but the archive's other training batches have 30/,
    );
    const bins = [1, 2, 3, 4].map((k) => fileFrom(`data_batch_${k}.bin`, batch(k)));
    await rejection(
      loadCifarFromFiles([...bins, fileFrom('data_batch_5.bin', batch(5).subarray(0, 1000))]),
      /^data_batch_5\.bin: is 1,000 bytes, which is not a whole number/,
    );
  });

  it('rejects ambiguous selections', async () => {
    const bins = [1, 2, 3, 4, 5].map((k) => fileFrom(`data_batch_${k}.bin`, batch(k)));
    await rejection(loadCifarFromFiles([archive(officialEntries()), ...bins]), /not several archives or a mix/);
    await rejection(loadCifarFromFiles([...bins, fileFrom('data_batch_2.bin', batch(2))]), /^data_batch_2\.bin: was given twice/);
    await rejection(loadCifarFromFiles([]), /no files were given/);
  });

  it('parses a full-size cifar-10-binary.tar.gz (the official sizes, built from the fixture)', async () => {
    const all = fullSizeTrainBin();
    const size = 10_000 * R;
    const entries: TarInput[] = [{ name: DIR, type: '5' }];
    for (const k of [1, 3, 4, 2, 5]) entries.push({ name: `${DIR}data_batch_${k}.bin`, data: all.subarray((k - 1) * size, k * size) });
    entries.push({ name: `${DIR}test_batch.bin`, data: all.subarray(0, size) });
    const tar = makeTar(entries);
    const gz = gzip(tar, 1); // level 1: the test is about parsing, not about compressing fast
    const file = fileFrom('cifar-10-binary.tar.gz', gz, [1 << 16]);
    const t0 = performance.now();
    let verifyStart = 0;
    const ds = await loadCifarFromFiles([file], (p) => {
      if (p.stage === 'verify' && !verifyStart) verifyStart = performance.now();
    });
    const ms = performance.now() - t0;
    console.log(
      `full tar.gz: ${gz.length} bytes compressed, ${tar.length} tar bytes, loaded in ${ms.toFixed(0)} ms ` +
        `(read+gunzip+parse ${(verifyStart - t0).toFixed(0)} ms, hashing ${(t0 + ms - verifyStart).toFixed(0)} ms)`,
    );
    expect(ds.train.count).toBe(45_000);
    expect(ds.validation.count).toBe(5_000);
    expect(ds.test?.count).toBe(10_000);
    expectRecords(ds.validation, all, 45_000);
  });
});
