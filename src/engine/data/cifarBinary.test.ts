import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, CifarRecordStream, allocateImageSet, parseCifarBinary } from './cifarBinary';
import { firstDifference, trainRecords } from '../../../test/support/cifar';
import { DatasetError, PIXELS_PER_IMAGE } from './types';

const COUNT = 160;
const raw = trainRecords(0, COUNT);

/** Pixel (y, x, channel) of record r read straight from the planar CIFAR bytes. */
const rawPixel = (bytes: Uint8Array, r: number, y: number, x: number, c: number) =>
  bytes[r * CIFAR_RECORD_BYTES + 1 + c * 1024 + y * 32 + x];

function expectError(fn: () => unknown, ...patterns: RegExp[]): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    for (const p of patterns) expect((e as Error).message).toMatch(p);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('parseCifarBinary', () => {
  it('parses real records from train.bin into NHWC with labels and source indices', () => {
    const set = parseCifarBinary(raw, 'data_batch_1.bin', 1000);
    expect(set.count).toBe(COUNT);
    expect(set.images.length).toBe(COUNT * PIXELS_PER_IMAGE);
    // The first two CIFAR-10 training images are a frog and a truck.
    expect(set.labels[0]).toBe(6);
    expect(set.labels[1]).toBe(9);
    for (let r = 0; r < COUNT; r++) expect(set.labels[r]).toBe(raw[r * CIFAR_RECORD_BYTES]);
    expect(set.sourceIndex[0]).toBe(1000);
    expect(set.sourceIndex[COUNT - 1]).toBe(1000 + COUNT - 1);
    // Every pixel of image 0 and a spread of pixels elsewhere.
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) expect(set.images[(y * 32 + x) * 3 + c]).toBe(rawPixel(raw, 0, y, x, c));
    for (let r = 1; r < COUNT; r += 7) {
      const y = (r * 5) % 32;
      const x = (r * 11) % 32;
      const c = r % 3;
      expect(set.images[r * PIXELS_PER_IMAGE + (y * 32 + x) * 3 + c]).toBe(rawPixel(raw, r, y, x, c));
    }
  });

  it('accepts an ArrayBuffer', () => {
    const set = parseCifarBinary(raw.slice(0, 2 * CIFAR_RECORD_BYTES).buffer, 'x.bin');
    expect(set.count).toBe(2);
    expect(set.labels[1]).toBe(9);
  });

  it('rejects a length that is not a whole number of records, naming the file', () => {
    const e = expectError(
      () => parseCifarBinary(raw.subarray(0, 2 * CIFAR_RECORD_BYTES + 5), 'data_batch_2.bin'),
      /^data_batch_2\.bin: /,
      /6,151 bytes/,
      /3,073-byte/,
    );
    expect(e.file).toBe('data_batch_2.bin');
    expectError(() => parseCifarBinary(new Uint8Array(0), 'empty.bin'), /^empty\.bin: is empty/);
  });

  it('rejects a label outside 0..9, naming the file and the record', () => {
    const bad = raw.slice(0, 10 * CIFAR_RECORD_BYTES);
    bad[7 * CIFAR_RECORD_BYTES] = 12;
    expectError(() => parseCifarBinary(bad, 'test_batch.bin'), /^test_batch\.bin: /, /record 7 /, /label 12/);
  });
});

describe('CifarRecordStream', () => {
  it('gives the same result as parseCifarBinary whatever the chunk boundaries', () => {
    const expected = parseCifarBinary(raw, 'a.bin');
    for (const sizes of [[1], [3072, 3074], [5000, 17, 9999], [raw.length]]) {
      const set = allocateImageSet(COUNT);
      const sink = new CifarRecordStream('a.bin', COUNT, (r) => ({ set, index: r, sourceIndex: r }));
      let i = 0;
      for (let pos = 0; pos < raw.length;) {
        const n = sizes[i++ % sizes.length];
        sink.push(raw.subarray(pos, pos + n));
        pos += n;
      }
      sink.finish();
      expect(sink.records).toBe(COUNT);
      expect(firstDifference(set.images, expected.images)).toBe(-1);
      expect(firstDifference(set.labels, expected.labels)).toBe(-1);
    }
  });

  it('reports truncated data and extra records', () => {
    const set = allocateImageSet(3);
    const place = (r: number) => ({ set, index: r, sourceIndex: r });
    const short = new CifarRecordStream('b.bin', 3, place);
    short.push(raw.subarray(0, 3 * CIFAR_RECORD_BYTES - 1));
    expectError(() => short.finish(), /^b\.bin: ended after 9,218 bytes/, /truncated/);
    const long = new CifarRecordStream('c.bin', 3, place);
    expectError(() => long.push(raw.subarray(0, 4 * CIFAR_RECORD_BYTES)), /^c\.bin: holds more than the 3 records/);
  });
});
