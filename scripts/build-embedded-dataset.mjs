#!/usr/bin/env node
/**
 * Builds the CIFAR-10 subset that ships with the app:
 *   public/data/cifar10-embedded.bin.gz   (the images, labels and source record indices)
 *   public/data/cifar10-embedded.json     (the manifest the app validates before decoding)
 *
 * Usage: npm run build:dataset [-- path/to/train.bin] [--out-dir dir]
 * Default input: ../shared/data/cifar10/train.bin relative to the repository root
 * (the standard CIFAR-10 binary layout of data_batch_1..5 concatenated, 50,000 records).
 *
 * Selection (deterministic, record order kept):
 *   train      = the first 1,000 records of each class among records 0..44,999   (10,000 images)
 *   validation = the first   200 records of each class among records 45,000..49,999 (2,000 images)
 * The app's full-dataset loader uses the same split (validation = records 45,000..49,999), so the
 * source record indices stored here mean the same thing there.
 *
 * Byte layout. N = 12,000 images, train first then validation, each in source record order.
 *   Decoded payload (uncompressedBytes = 4N + 3073N = 36,924,000 bytes):
 *     [0, 4N)          sourceIndex: N × uint32 little-endian, the record index in train.bin
 *     [4N, 3077N)      N records in the CIFAR-10 binary layout: 1 label byte (0..9), then the
 *                      R, G and B planes, each 32×32 bytes row-major. Every record is byte-identical
 *                      to record sourceIndex of train.bin.
 *   The manifest's sha256 is the SHA-256 of this decoded payload.
 *   File = gzip (RFC 1952, mtime 0, OS byte 255) of the encoded payload, which is the decoded
 *   payload with every record's 3,072 pixel bytes replaced by prediction residuals
 *   (predictor "med-rgb-v1"):
 *     For each plane P, pixel x at row r, column c, with W = P[r][c-1], N = P[r-1][c], NW = P[r-1][c-1]:
 *       pred = 0 at (0,0); W on row 0; N on column 0; elsewhere the LOCO-I / JPEG-LS median
 *       edge detector MED(W,N,NW) = min(W,N) if NW >= max(W,N); max(W,N) if NW <= min(W,N); else W+N-NW.
 *       e_P = (x - pred) mod 256
 *     Stored at the same position in each plane: R: e_R;  G: (e_G - e_R) mod 256;  B: (e_B - e_G) mod 256.
 *   Decoding: e_R = s_R; e_G = (s_G + e_R) mod 256; e_B = (s_B + e_G) mod 256; x = (pred + e) mod 256,
 *   in row-major order so the neighbours are already decoded.
 *
 * Output is deterministic: the same input and the same Node/zlib version give identical bytes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const RECORD = 3073;
const PIXELS = 3072;
const PLANE = 1024;
const SOURCE_RECORDS = 50_000;
const TRAIN_RANGE = [0, 45_000];
const VALIDATION_RANGE = [45_000, 50_000];
const TRAIN_PER_CLASS = 1_000;
const VALIDATION_PER_CLASS = 200;
const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const FILE_NAME = 'cifar10-embedded.bin.gz';
const MANIFEST_NAME = 'cifar10-embedded.json';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let inputPath = resolve(repoRoot, '../shared/data/cifar10/train.bin');
let outDir = join(repoRoot, 'public/data');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out-dir') outDir = resolve(args[++i]);
  else if (args[i] === '--help' || args[i] === '-h') {
    console.log('usage: node scripts/build-embedded-dataset.mjs [train.bin] [--out-dir dir]');
    process.exit(0);
  } else inputPath = resolve(args[i]);
}

function fail(message) {
  console.error(`build-embedded-dataset: ${message}`);
  process.exit(1);
}

let source;
try {
  source = readFileSync(inputPath);
} catch (e) {
  fail(`cannot read ${inputPath}: ${e.message}`);
}
if (source.length !== SOURCE_RECORDS * RECORD) {
  fail(`${inputPath} is ${source.length} bytes; expected ${SOURCE_RECORDS} CIFAR-10 records of ${RECORD} bytes`);
}
const sourceSha256 = createHash('sha256').update(source).digest('hex');

/** The first `perClass` records of each class among records [start, end), in record order. */
function select([start, end], perClass) {
  const taken = new Array(10).fill(0);
  const picked = [];
  for (let r = start; r < end; r++) {
    const label = source[r * RECORD];
    if (label > 9) fail(`record ${r} of ${inputPath} has label ${label}`);
    if (taken[label] < perClass) {
      taken[label]++;
      picked.push(r);
    }
  }
  if (taken.some((n) => n < perClass)) fail(`records ${start}..${end - 1} have fewer than ${perClass} of some class`);
  return picked;
}
const trainRecords = select(TRAIN_RANGE, TRAIN_PER_CLASS);
const validationRecords = select(VALIDATION_RANGE, VALIDATION_PER_CLASS);
const records = [...trainRecords, ...validationRecords];
const n = records.length;

function med(w, nn, nw) {
  const max = w > nn ? w : nn;
  const min = w > nn ? nn : w;
  if (nw >= max) return min;
  if (nw <= min) return max;
  return w + nn - nw;
}
function predict(plane, off, i) {
  const r = i >> 5;
  const c = i & 31;
  if (r === 0) return c === 0 ? 0 : plane[off + i - 1];
  if (c === 0) return plane[off + i - 32];
  return med(plane[off + i - 1], plane[off + i - 32], plane[off + i - 33]);
}

// Decoded payload, then the encoded payload (same layout, residuals instead of pixels).
const decoded = Buffer.alloc(4 * n + RECORD * n);
const encoded = Buffer.alloc(decoded.length);
for (let k = 0; k < n; k++) {
  decoded.writeUInt32LE(records[k], 4 * k);
  encoded.writeUInt32LE(records[k], 4 * k);
  const src = records[k] * RECORD;
  const dst = 4 * n + k * RECORD;
  source.copy(decoded, dst, src, src + RECORD);
  encoded[dst] = source[src];
  const px = src + 1;
  for (let i = 0; i < PLANE; i++) {
    const eR = (source[px + i] - predict(source, px, i)) & 255;
    const eG = (source[px + PLANE + i] - predict(source, px + PLANE, i)) & 255;
    const eB = (source[px + 2 * PLANE + i] - predict(source, px + 2 * PLANE, i)) & 255;
    encoded[dst + 1 + i] = eR;
    encoded[dst + 1 + PLANE + i] = (eG - eR) & 255;
    encoded[dst + 1 + 2 * PLANE + i] = (eB - eG) & 255;
  }
}
const sha256 = createHash('sha256').update(decoded).digest('hex');

const gz = gzipSync(encoded, { level: 9, memLevel: 9, strategy: constants.Z_FILTERED });
// zlib writes mtime 0; pin the OS byte too so the header does not depend on the build platform.
gz[9] = 255;
if (gz.readUInt32LE(4) !== 0) fail('gzip header has a non-zero mtime');

// Round trip with an independent decoder before writing anything.
{
  const back = gunzipSync(gz);
  if (!back.equals(encoded)) fail('gzip round trip failed');
  for (let k = 0; k < n; k++) {
    const px = 4 * n + k * RECORD + 1;
    for (let i = 0; i < PLANE; i++) {
      const eR = back[px + i];
      const eG = (back[px + PLANE + i] + eR) & 255;
      const eB = (back[px + 2 * PLANE + i] + eG) & 255;
      back[px + i] = (predict(back, px, i) + eR) & 255;
      back[px + PLANE + i] = (predict(back, px + PLANE, i) + eG) & 255;
      back[px + 2 * PLANE + i] = (predict(back, px + 2 * PLANE, i) + eB) & 255;
    }
  }
  if (!back.equals(decoded)) fail('predictor round trip failed');
}

const perClass = (list) => CLASS_NAMES.map((_, c) => list.filter((r) => source[r * RECORD] === c).length);
const manifest = {
  format: 'unlearning-playground/cifar10-embedded',
  version: 1,
  file: FILE_NAME,
  compression: 'gzip',
  compressedBytes: gz.length,
  uncompressedBytes: decoded.length,
  sha256,
  sha256Of:
    'the decoded payload: sourceIndex (count x uint32 LE) followed by count CIFAR-10 binary records (label byte + R,G,B planes), train then validation',
  predictor: 'med-rgb-v1',
  predictorDescription:
    'per colour plane, residual e = (x - pred) mod 256 with pred = 0 at (0,0), W on row 0, N on column 0, else LOCO-I MED(W,N,NW); stored R: e_R, G: (e_G - e_R) mod 256, B: (e_B - e_G) mod 256',
  byteLayout:
    '[0,4*count): sourceIndex uint32 LE; then count records of 3073 bytes: label (0..9), R plane, G plane, B plane (32x32 row-major), pixels replaced by predictor residuals in the file',
  layout: 'NHWC uint8',
  imageShape: [32, 32, 3],
  recordBytes: RECORD,
  count: n,
  classNames: CLASS_NAMES,
  splits: {
    train: {
      count: trainRecords.length,
      firstRecord: 0,
      perClass: perClass(trainRecords),
      sourceRange: TRAIN_RANGE,
      selection: `first ${TRAIN_PER_CLASS} of each class in record order`,
    },
    validation: {
      count: validationRecords.length,
      firstRecord: trainRecords.length,
      perClass: perClass(validationRecords),
      sourceRange: VALIDATION_RANGE,
      selection: `first ${VALIDATION_PER_CLASS} of each class in record order`,
    },
  },
  source: {
    description: 'CIFAR-10 training set, data_batch_1..5 concatenated, binary version',
    file: basename(inputPath),
    records: SOURCE_RECORDS,
    sha256: sourceSha256,
  },
};

mkdirSync(outDir, { recursive: true });
const binPath = join(outDir, FILE_NAME);
const manifestPath = join(outDir, MANIFEST_NAME);
writeFileSync(binPath, gz);
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');

const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
console.log(`read     ${inputPath} (sha256 ${sourceSha256.slice(0, 16)}…)`);
console.log(
  `selected ${trainRecords.length} train (records ${trainRecords[0]}..${trainRecords.at(-1)}), ` +
    `${validationRecords.length} validation (records ${validationRecords[0]}..${validationRecords.at(-1)})`,
);
console.log(
  `wrote    ${binPath}: ${gz.length} bytes (${mb(gz.length)}), ` +
    `${((100 * gz.length) / decoded.length).toFixed(1)}% of ${decoded.length} decoded bytes`,
);
console.log(`wrote    ${manifestPath}: sha256 ${sha256}`);
