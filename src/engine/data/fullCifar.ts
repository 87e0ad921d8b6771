/**
 * Loads the full CIFAR-10 dataset from files the user picked: the official binary archive
 * `cifar-10-binary.tar.gz` (or its un-gzipped .tar), or the batch files `data_batch_1..5.bin`
 * (+ optional `test_batch.bin`) themselves.
 *
 * Splits (the same convention as the embedded subset, so sourceIndex values agree):
 *   the training batches are concatenated in order data_batch_1..5 (record r gets sourceIndex r);
 *   validation = the last tenth of those records (records 45,000..49,999 for the official batches),
 *   train = the rest (records 0..44,999); test = test_batch.bin when given (sourceIndex = its record).
 * Records are parsed straight into the final preallocated arrays as the bytes stream in: the
 * decompressed archive is never held in memory and no float copy is made.
 */
import { errorMessage } from '../errors';
import { CifarRecordStream, allocateImageSet, cifarRecordCount, type RecordDestination } from './cifarBinary';
import { TarError, readTar } from './tar';
import { CLASS_NAMES, DatasetError, type CifarDataset, type DataProgress, type ImageSet } from './types';

/** What loadCifarFromFiles needs of a file; a File or Blob-with-name satisfies it. */
export interface DataFile {
  name: string;
  size: number;
  stream(): ReadableStream<Uint8Array>;
}

const TRAIN_BATCHES = 5;
const batchName = (k: number) => `data_batch_${k}.bin`;
export const EXPECTED_FILES =
  'Expected the CIFAR-10 binary version: cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, ' +
  'or the files data_batch_1.bin … data_batch_5.bin (and optionally test_batch.bin) extracted from it.';

const TRAIN_RE = /^data_batch_([1-5])\.bin$/i;
const TEST_RE = /^test_batch\.bin$/i;
const COMPANION_RE = /^(batches\.meta\.txt|readme\.html)$/i;
const PYTHON_RE = /^(data_batch_[1-5]|test_batch|batches\.meta)$/i;

const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;
const fmt = (n: number) => n.toLocaleString('en-US');
/** "a", "a and b", "a, b and c". */
const list = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** Bytes to hash per SHA-256 call when computing the dataset id (bounds WebCrypto's input copy). */
const HASH_SLICE = 8 << 20;

/**
 * `cifar10-full-` + the first 12 hex digits of SHA-256 over the concatenated SHA-256 digests of
 * consecutive 8 MiB slices of train.images, train.labels, validation.images, validation.labels and,
 * when present, test.images and test.labels (each array sliced on its own). Covers every pixel.
 */
export async function fullDatasetId(ds: Pick<CifarDataset, 'train' | 'validation' | 'test'>): Promise<string> {
  const arrays = [ds.train.images, ds.train.labels, ds.validation.images, ds.validation.labels];
  if (ds.test) arrays.push(ds.test.images, ds.test.labels);
  const digests: Uint8Array[] = [];
  for (const a of arrays) {
    // One digest per slice; an empty array still contributes the digest of no bytes.
    for (let start = 0; start === 0 || start < a.length; start += HASH_SLICE) {
      const slice = a.subarray(start, Math.min(a.length, start + HASH_SLICE)) as Uint8Array<ArrayBuffer>;
      digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', slice)));
    }
  }
  const all = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => all.set(d, i * 32));
  const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', all)), (x) => x.toString(16).padStart(2, '0')).join('');
  return `cifar10-full-${hex.slice(0, 12)}`;
}

/** Collects the splits as batches arrive; train/validation positions follow from the batch sizes. */
class Assembler {
  train?: ImageSet;
  validation?: ImageSet;
  test?: ImageSet;
  private batchStart: number[] = [];
  private batchRecords: number[] = [];
  private validationStart = 0;
  readonly seen = new Set<number>();

  /** Allocates train/validation for training batches of the given record counts (index 0 = batch 1). */
  allocate(records: number[]): void {
    let start = 0;
    for (const n of records) {
      this.batchStart.push(start);
      start += n;
    }
    this.batchRecords = records;
    const validationCount = Math.floor(start / 10);
    this.validationStart = start - validationCount;
    this.train = allocateImageSet(this.validationStart);
    this.validation = allocateImageSet(validationCount);
  }

  recordsOf(batch: number): number {
    return this.batchRecords[batch - 1];
  }

  trainBatch(batch: number, fileName: string): CifarRecordStream {
    const start = this.batchStart[batch - 1];
    const train = this.train!;
    const validation = this.validation!;
    const boundary = this.validationStart;
    this.seen.add(batch);
    const dest: RecordDestination = { set: train, index: 0, sourceIndex: 0 };
    return new CifarRecordStream(fileName, this.recordsOf(batch), (r) => {
      const global = start + r;
      dest.sourceIndex = global;
      if (global < boundary) {
        dest.set = train;
        dest.index = global;
      } else {
        dest.set = validation;
        dest.index = global - boundary;
      }
      return dest;
    });
  }

  testBatch(records: number, fileName: string): CifarRecordStream {
    const test = allocateImageSet(records);
    this.test = test;
    const dest: RecordDestination = { set: test, index: 0, sourceIndex: 0 };
    return new CifarRecordStream(fileName, records, (r) => {
      dest.index = r;
      dest.sourceIndex = r;
      return dest;
    });
  }

  missing(): string[] {
    const out: string[] = [];
    for (let k = 1; k <= TRAIN_BATCHES; k++) if (!this.seen.has(k)) out.push(batchName(k));
    return out;
  }

  async finish(report: (stage: string, fraction: number) => void): Promise<CifarDataset> {
    const { train, validation, test } = this;
    if (!train || !validation) throw new Error('internal: no training batches were read');
    report('verify', 0);
    const id = await fullDatasetId({ train, validation, test });
    report('verify', 1);
    const parts = [`${fmt(train.count)} train`, `${fmt(validation.count)} validation`];
    if (test) parts.push(`${fmt(test.count)} test`);
    return { id, name: `CIFAR-10 full (${parts.join(' / ')})`, train, validation, test, classNames: CLASS_NAMES };
  }
}

type Reporter = (stage: string, fraction: number) => void;

function throttled(onProgress: ((p: DataProgress) => void) | undefined): Reporter {
  let lastStage = '';
  let last = -1;
  return (stage, fraction) => {
    if (!onProgress) return;
    const f = Math.min(1, Math.max(0, fraction));
    if (stage !== lastStage || f - last >= 0.005 || (f === 1 && last !== 1)) {
      lastStage = stage;
      last = f;
      onProgress({ stage, fraction: f });
    }
  };
}

/** Opens a file's stream, reads at least its first 512 bytes (for sniffing) and counts bytes as they are pulled. */
async function openCounted(
  file: DataFile,
  onBytes: (n: number) => void,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array<ArrayBuffer>> }> {
  const reader = file.stream().getReader();
  const pending: Uint8Array[] = [];
  let headLength = 0;
  let done = false;
  try {
    while (headLength < 512) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      pending.push(r.value);
      headLength += r.value.length;
    }
  } catch (e) {
    throw new DatasetError(file.name, `could not be read (${errorMessage(e)})`);
  }
  const head = new Uint8Array(Math.min(headLength, 512));
  let filled = 0;
  for (const p of pending) {
    if (filled >= head.length) break;
    const part = p.subarray(0, head.length - filled);
    head.set(part, filled);
    filled += part.length;
  }
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      const next = pending.shift();
      if (next) {
        onBytes(next.length);
        controller.enqueue(next as Uint8Array<ArrayBuffer>);
        return;
      }
      if (done) {
        controller.close();
        return;
      }
      try {
        const r = await reader.read();
        if (r.done) {
          done = true;
          controller.close();
        } else {
          onBytes(r.value.length);
          controller.enqueue(r.value as Uint8Array<ArrayBuffer>);
        }
      } catch (e) {
        controller.error(new DatasetError(file.name, `could not be read (${errorMessage(e)})`));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, stream };
}

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Describes a file that is neither gzip nor tar, or undefined when it is one of those. */
function sniffUnsupported(head: Uint8Array): string | undefined {
  if (startsWith(head, [0x1f, 0x8b]) || startsWith(head, ascii('ustar'), 257)) return undefined;
  if (head.length === 0) return 'is empty';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]))
    return 'is a ZIP archive, which is not supported';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'is a PNG image, not a CIFAR-10 data file';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'is a JPEG image, not a CIFAR-10 data file';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf])) return 'is a 7-Zip archive, which is not supported';
  if (startsWith(head, ascii('Rar!'))) return 'is a RAR archive, which is not supported';
  if (startsWith(head, ascii('BZh'))) return 'is bzip2-compressed, which is not supported';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a])) return 'is xz-compressed, which is not supported';
  return 'is neither a .tar.gz archive nor a CIFAR-10 batch file (data_batch_1.bin … test_batch.bin)';
}

async function pump(stream: AsyncIterable<Uint8Array>, sink: CifarRecordStream): Promise<void> {
  for await (const chunk of stream) sink.push(chunk);
  sink.finish();
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function loadBatchFiles(train: Map<number, DataFile>, test: DataFile | undefined, report: Reporter): Promise<CifarDataset> {
  const assembler = new Assembler();
  const records: number[] = [];
  for (let k = 1; k <= TRAIN_BATCHES; k++) records.push(cifarRecordCount(train.get(k)!.size, train.get(k)!.name));
  const testRecords = test ? cifarRecordCount(test.size, test.name) : 0;
  assembler.allocate(records);

  const ordered: Array<[DataFile, () => CifarRecordStream]> = [];
  for (let k = 1; k <= TRAIN_BATCHES; k++) {
    const f = train.get(k)!;
    ordered.push([f, () => assembler.trainBatch(k, f.name)]);
  }
  if (test) ordered.push([test, () => assembler.testBatch(testRecords, test.name)]);

  const total = ordered.reduce((s, [f]) => s + f.size, 0);
  let read = 0;
  report('read', 0);
  for (const [file, sinkFor] of ordered) {
    const { stream } = await openCounted(file, (n) => {
      read += n;
      report('read', read / total);
    });
    await pump(iterate(stream), sinkFor());
  }
  return assembler.finish(report);
}

async function loadArchive(file: DataFile, report: Reporter): Promise<CifarDataset> {
  let read = 0;
  report('read', 0);
  const { head, stream: raw } = await openCounted(file, (n) => {
    read += n;
    report('read', read / Math.max(1, file.size));
  });
  const problem = sniffUnsupported(head);
  if (problem) {
    await raw.cancel().catch(() => {});
    throw new DatasetError(file.name, `${problem}. ${EXPECTED_FILES}`);
  }
  const gzipped = startsWith(head, [0x1f, 0x8b]);
  const tarStream: ReadableStream<Uint8Array> = gzipped ? raw.pipeThrough(new DecompressionStream('gzip')) : raw;

  const assembler = new Assembler();
  const others: string[] = [];
  const label = (entry: string) => `${file.name} (${entry})`;
  try {
    for await (const entry of readTar(tarStream, file.name)) {
      const base = baseName(entry.name);
      if (/(^|\/)cifar-10-batches-py\//.test(entry.name) || PYTHON_RE.test(base)) {
        throw new DatasetError(
          file.name,
          `is the Python (pickle) version of CIFAR-10 (it holds ${entry.name}), which this app cannot read. ${EXPECTED_FILES}`,
        );
      }
      if (/(^|\/)cifar-10-batches-mat\//.test(entry.name) || /\.mat$/i.test(base)) {
        throw new DatasetError(
          file.name,
          `is the MATLAB version of CIFAR-10 (it holds ${entry.name}), which this app cannot read. ${EXPECTED_FILES}`,
        );
      }
      const train = TRAIN_RE.exec(base);
      if (train) {
        const k = Number(train[1]);
        if (assembler.seen.has(k)) throw new DatasetError(file.name, `holds ${batchName(k)} twice`);
        const records = cifarRecordCount(entry.size, label(entry.name));
        if (!assembler.train) assembler.allocate(new Array<number>(TRAIN_BATCHES).fill(records));
        const expected = assembler.recordsOf(k);
        if (records !== expected) {
          throw new DatasetError(
            label(entry.name),
            `has ${fmt(records)} records but the archive's other training batches have ${fmt(expected)}; all five must be the same size`,
          );
        }
        await pump(entry.bytes, assembler.trainBatch(k, label(entry.name)));
      } else if (TEST_RE.test(base)) {
        if (assembler.test) throw new DatasetError(file.name, 'holds test_batch.bin twice');
        await pump(entry.bytes, assembler.testBatch(cifarRecordCount(entry.size, label(entry.name)), label(entry.name)));
      } else {
        others.push(entry.name);
      }
    }
  } catch (e) {
    if (e instanceof TarError) {
      throw new DatasetError(file.name, `${e.problem}. ${/truncated/.test(e.problem) ? 'Download it again.' : EXPECTED_FILES}`);
    }
    if (e instanceof DatasetError) throw e;
    const detail = errorMessage(e);
    if (!gzipped) throw new DatasetError(file.name, `could not be read (${detail})`);
    throw new DatasetError(file.name, `is corrupt or truncated: its gzip data does not decode (${detail}). Download it again.`);
  }

  const missing = assembler.missing();
  if (missing.length === TRAIN_BATCHES) {
    const found = others.length ? ` (it holds ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})` : ' (it holds no files)';
    throw new DatasetError(file.name, `holds no CIFAR-10 batch files${found}. ${EXPECTED_FILES}`);
  }
  if (missing.length) {
    throw new DatasetError(file.name, `is missing ${list(missing)}: all five training batches are needed. ${EXPECTED_FILES}`);
  }
  report('read', 1);
  return assembler.finish(report);
}

/**
 * Loads the full CIFAR-10 dataset from the user's files (see the module comment).
 * Progress stages: "read" (fraction of input bytes read, compressed bytes for an archive), then "verify" (hashing for the id).
 * Throws DatasetError naming the file and saying what is wrong and what is expected.
 */
export async function loadCifarFromFiles(files: DataFile[], onProgress?: (p: DataProgress) => void): Promise<CifarDataset> {
  const report = throttled(onProgress);
  if (files.length === 0) throw new DatasetError('(no files)', `no files were given. ${EXPECTED_FILES}`);

  const train = new Map<number, DataFile>();
  let test: DataFile | undefined;
  const archives: DataFile[] = [];
  for (const file of files) {
    const base = baseName(file.name);
    const m = TRAIN_RE.exec(base);
    if (m) {
      const k = Number(m[1]);
      if (train.has(k)) throw new DatasetError(file.name, `was given twice (or two files are named ${batchName(k)})`);
      train.set(k, file);
    } else if (TEST_RE.test(base)) {
      if (test) throw new DatasetError(file.name, 'was given twice (or two files are named test_batch.bin)');
      test = file;
    } else if (PYTHON_RE.test(base)) {
      throw new DatasetError(file.name, `is from the Python (pickle) version of CIFAR-10, which this app cannot read. ${EXPECTED_FILES}`);
    } else if (!COMPANION_RE.test(base)) {
      archives.push(file);
    }
  }

  if (archives.length > 0) {
    if (archives.length > 1 || train.size > 0 || test) {
      const names = [...archives, ...train.values(), ...(test ? [test] : [])].map((f) => f.name).join(', ');
      throw new DatasetError(
        names,
        `give either one cifar-10-binary.tar.gz or the .bin batch files, not several archives or a mix. ${EXPECTED_FILES}`,
      );
    }
    return loadArchive(archives[0], report);
  }
  if (train.size === 0) {
    throw new DatasetError(files.map((f) => f.name).join(', '), `contain no CIFAR-10 batch files. ${EXPECTED_FILES}`);
  }
  const missing: string[] = [];
  for (let k = 1; k <= TRAIN_BATCHES; k++) if (!train.has(k)) missing.push(batchName(k));
  if (missing.length) {
    throw new DatasetError(
      [...train.values()].map((f) => f.name).join(', '),
      `${list(missing)} ${missing.length === 1 ? 'is' : 'are'} missing: all five training batches data_batch_1.bin … data_batch_5.bin are needed (test_batch.bin is optional)`,
    );
  }
  return loadBatchFiles(train, test, report);
}
