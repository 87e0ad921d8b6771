/**
 * The CIFAR-10 subset shipped with the app (public/data/cifar10-embedded.{json,bin.gz}, built by
 * scripts/build-embedded-dataset.mjs, which documents the byte layout in full).
 *
 * Decoded payload (the manifest's sha256 covers exactly these bytes), count = train + validation:
 *   [0, 4·count)            sourceIndex, uint32 little-endian (record index in data_batch_1..5 order)
 *   [4·count, 3077·count)   count CIFAR-10 binary records (label byte, R, G, B planes of 32×32),
 *                           train first, then validation.
 * The file is the gzip of that payload with each record's pixels replaced by "med-rgb-v1" residuals.
 */
import { errorMessage } from '../errors';
import { z } from 'zod';
import { CIFAR_RECORD_BYTES, allocateImageSet, copyPlanarToNhwc } from './cifarBinary';
import { CLASS_NAMES, DatasetError, NUM_CLASSES, PIXELS_PER_IMAGE, type CifarDataset, type DataProgress, type ImageSet } from './types';

export const EMBEDDED_FORMAT = 'unlearning-playground/cifar10-embedded';
export const EMBEDDED_VERSION = 1;
export const EMBEDDED_MANIFEST_FILE = 'cifar10-embedded.json';
/** Where the files live, relative to the app's base URL. */
export const EMBEDDED_DIR = 'data/';

const PLANE = PIXELS_PER_IMAGE / 3;
const SOURCE_RECORDS = 50_000;

const splitSchema = z.object({
  count: z.number().int().positive(),
  firstRecord: z.number().int().nonnegative(),
  perClass: z.array(z.number().int().nonnegative()).length(NUM_CLASSES),
  sourceRange: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
});

const manifestSchema = z.object({
  format: z.literal(EMBEDDED_FORMAT),
  version: z.literal(EMBEDDED_VERSION),
  // A plain file name next to the manifest: never a path or a URL to somewhere else.
  file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name'),
  compression: z.literal('gzip'),
  compressedBytes: z.number().int().positive(),
  uncompressedBytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  predictor: z.literal('med-rgb-v1'),
  layout: z.literal('NHWC uint8'),
  imageShape: z.tuple([z.literal(32), z.literal(32), z.literal(3)]),
  recordBytes: z.literal(CIFAR_RECORD_BYTES),
  count: z.number().int().positive(),
  classNames: z.array(z.string()).length(NUM_CLASSES),
  splits: z.object({ train: splitSchema, validation: splitSchema }),
});

export type EmbeddedManifest = z.infer<typeof manifestSchema>;

/** Validates a parsed manifest; throws a DatasetError naming the file and the field. */
export function parseEmbeddedManifest(json: unknown, fileName = EMBEDDED_MANIFEST_FILE): EmbeddedManifest {
  const bad = (problem: string): never => {
    throw new DatasetError(fileName, problem);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('is not a JSON object');
  const raw = json as Record<string, unknown>;
  if (raw.format !== EMBEDDED_FORMAT) {
    bad(`unknown format ${JSON.stringify(raw.format)} in field "format" (expected "${EMBEDDED_FORMAT}")`);
  }
  if (raw.version !== EMBEDDED_VERSION) {
    bad(`unsupported version ${JSON.stringify(raw.version)} in field "version" (this app reads version ${EMBEDDED_VERSION})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    bad(`manifest field "${issue.path.join('.') || '(root)'}" is invalid: ${issue.message}`);
  }
  const m = (parsed as { data: EmbeddedManifest }).data;
  const { train, validation } = m.splits;
  if (train.count + validation.count !== m.count) bad('manifest field "count" is not splits.train.count + splits.validation.count');
  if (train.firstRecord !== 0 || validation.firstRecord !== train.count) {
    bad('manifest fields "splits.*.firstRecord" must place train first, then validation');
  }
  for (const [name, s] of [
    ['train', train],
    ['validation', validation],
  ] as const) {
    if (s.perClass.reduce((a, b) => a + b, 0) !== s.count) bad(`manifest field "splits.${name}.perClass" does not sum to its count`);
    if (s.sourceRange[0] >= s.sourceRange[1] || s.sourceRange[1] > SOURCE_RECORDS) {
      bad(`manifest field "splits.${name}.sourceRange" is not a range within 0..${SOURCE_RECORDS}`);
    }
  }
  if (m.classNames.some((name, i) => name !== CLASS_NAMES[i]))
    bad(`manifest field "classNames" must be the CIFAR-10 classes ${CLASS_NAMES.join(', ')}`);
  if (m.uncompressedBytes !== m.count * (4 + CIFAR_RECORD_BYTES)) {
    bad(`manifest field "uncompressedBytes" is ${m.uncompressedBytes}; ${m.count} images need ${m.count * (4 + CIFAR_RECORD_BYTES)}`);
  }
  return m;
}

type Progress = ((p: DataProgress) => void) | undefined;

/** Reports progress at most every 1% per stage (and always at 0 and 1). */
function throttled(onProgress: Progress): (stage: string, fraction: number) => void {
  let lastStage = '';
  let last = -1;
  return (stage, fraction) => {
    if (!onProgress) return;
    const f = Math.min(1, Math.max(0, fraction));
    if (stage !== lastStage || f - last >= 0.01 || (f === 1 && last !== 1)) {
      lastStage = stage;
      last = f;
      onProgress({ stage, fraction: f });
    }
  };
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gunzips `bytes` with the standard DecompressionStream into a buffer of exactly `expected` bytes. */
async function gunzipExact(
  bytes: Uint8Array,
  expected: number,
  file: string,
  report: (stage: string, fraction: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(expected);
  let offset = 0;
  let fed = 0;
  const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (fed >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, fed + (1 << 20));
      controller.enqueue(bytes.subarray(fed, end) as Uint8Array<ArrayBuffer>);
      fed = end;
    },
  });
  const reader = input.pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (offset + value.length > expected) {
        throw new DatasetError(file, `decompresses to more than the ${expected} bytes the manifest announces`);
      }
      out.set(value, offset);
      offset += value.length;
      report('decompress', offset / expected);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(file, `is not valid gzip data or is truncated (${errorMessage(e)})`);
  }
  if (offset !== expected) {
    throw new DatasetError(file, `decompresses to ${offset} bytes; the manifest announces ${expected} (truncated file?)`);
  }
  return out;
}

/** LOCO-I median edge detector prediction for position `p` (not on the first row or column) of a plane. */
function med(d: Uint8Array, p: number): number {
  const w = d[p - 1];
  const n = d[p - 32];
  const nw = d[p - 33];
  const max = w > n ? w : n;
  const min = w > n ? n : w;
  return nw >= max ? min : nw <= min ? max : w + n - nw;
}

/** Undoes "med-rgb-v1" in place for the record whose R plane starts at `r` (G and B planes follow). */
function unpredictRecord(d: Uint8Array, r: number): void {
  const g = r + PLANE;
  const b = r + 2 * PLANE;
  // Row 0: predicted from the left (the first pixel from 0).
  for (let i = 0; i < 32; i++) {
    const eR = d[r + i];
    const eG = (d[g + i] + eR) & 255;
    const eB = (d[b + i] + eG) & 255;
    d[r + i] = (i === 0 ? eR : d[r + i - 1] + eR) & 255;
    d[g + i] = (i === 0 ? eG : d[g + i - 1] + eG) & 255;
    d[b + i] = (i === 0 ? eB : d[b + i - 1] + eB) & 255;
  }
  for (let row = 32; row < PLANE; row += 32) {
    // Column 0: predicted from above.
    let eR = d[r + row];
    let eG = (d[g + row] + eR) & 255;
    let eB = (d[b + row] + eG) & 255;
    d[r + row] = (d[r + row - 32] + eR) & 255;
    d[g + row] = (d[g + row - 32] + eG) & 255;
    d[b + row] = (d[b + row - 32] + eB) & 255;
    for (let i = row + 1; i < row + 32; i++) {
      eR = d[r + i];
      eG = (d[g + i] + eR) & 255;
      eB = (d[b + i] + eG) & 255;
      d[r + i] = (med(d, r + i) + eR) & 255;
      d[g + i] = (med(d, g + i) + eG) & 255;
      d[b + i] = (med(d, b + i) + eB) & 255;
    }
  }
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Decodes the embedded dataset from its manifest (parsed JSON) and the bytes of its .bin.gz file.
 * Also accepts the file already un-gzipped (a server that sent it with Content-Encoding: gzip);
 * the checksum is verified either way.
 */
export async function decodeEmbeddedDataset(
  manifest: unknown,
  compressed: Uint8Array | ArrayBuffer,
  onProgress?: (p: DataProgress) => void,
): Promise<CifarDataset> {
  const m = parseEmbeddedManifest(manifest);
  const file = m.file;
  const report = throttled(onProgress);
  const bytes = compressed instanceof Uint8Array ? compressed : new Uint8Array(compressed);

  let payload: Uint8Array<ArrayBuffer>;
  if (isGzip(bytes)) {
    if (bytes.length !== m.compressedBytes) {
      throw new DatasetError(file, `is ${bytes.length} bytes; the manifest announces ${m.compressedBytes} (truncated or stale download?)`);
    }
    report('decompress', 0);
    payload = await gunzipExact(bytes, m.uncompressedBytes, file, report);
  } else if (bytes.length === m.uncompressedBytes) {
    payload = new Uint8Array(m.uncompressedBytes);
    payload.set(bytes);
  } else {
    const head = Array.from(bytes.subarray(0, 16), (x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    throw new DatasetError(file, `is not gzip data (it starts with "${head}"; an HTML page instead of the data file?)`);
  }

  const n = m.count;
  const recordsStart = 4 * n;
  report('decode', 0);
  for (let k = 0; k < n; k++) {
    const offset = recordsStart + k * CIFAR_RECORD_BYTES;
    const label = payload[offset];
    if (label >= NUM_CLASSES) {
      throw new DatasetError(file, `image ${k} has label ${label}; labels must be 0..9`);
    }
    unpredictRecord(payload, offset + 1);
    if ((k & 255) === 255) report('decode', k / n);
  }
  report('decode', 1);

  report('verify', 0);
  const digest = toHex(await crypto.subtle.digest('SHA-256', payload));
  if (digest !== m.sha256) {
    throw new DatasetError(
      file,
      `checksum mismatch: the decoded data has SHA-256 ${digest}, the manifest expects ${m.sha256} (corrupt file)`,
    );
  }

  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const splitSet = (name: 'train' | 'validation'): ImageSet => {
    const s = m.splits[name];
    const set = allocateImageSet(s.count);
    const perClass = new Array<number>(NUM_CLASSES).fill(0);
    let previous = -1;
    for (let i = 0; i < s.count; i++) {
      const k = s.firstRecord + i;
      const offset = recordsStart + k * CIFAR_RECORD_BYTES;
      const src = view.getUint32(4 * k, true);
      if (src < s.sourceRange[0] || src >= s.sourceRange[1] || src <= previous) {
        throw new DatasetError(
          file,
          `${name} image ${i} has source record ${src}, outside ${s.sourceRange[0]}..${s.sourceRange[1] - 1} or out of order`,
        );
      }
      previous = src;
      set.sourceIndex[i] = src;
      set.labels[i] = payload[offset];
      perClass[payload[offset]]++;
      copyPlanarToNhwc(payload, offset + 1, set.images, i * PIXELS_PER_IMAGE);
    }
    if (perClass.some((c, i) => c !== s.perClass[i])) {
      throw new DatasetError(file, `${name} class counts ${perClass.join(',')} differ from the manifest's ${s.perClass.join(',')}`);
    }
    return set;
  };
  const train = splitSet('train');
  const validation = splitSet('validation');
  report('verify', 1);

  return {
    id: `embedded-${m.sha256.slice(0, 12)}`,
    name: `CIFAR-10 subset (${train.count.toLocaleString('en-US')} train / ${validation.count.toLocaleString('en-US')} validation, shipped with the app)`,
    train,
    validation,
    classNames: CLASS_NAMES,
  };
}

async function fetchOk(url: URL, file: string, fetchImpl: typeof fetch): Promise<Response> {
  let response: Response;
  try {
    // Revalidate with the server so a manifest and data file from different builds are not mixed from cache.
    response = await fetchImpl(url, { cache: 'no-cache' });
  } catch (e) {
    throw new DatasetError(file, `could not be downloaded from ${url.href} (${errorMessage(e)})`);
  }
  if (!response.ok) throw new DatasetError(file, `could not be downloaded from ${url.href}: HTTP ${response.status}`);
  return response;
}

/**
 * Reads the data file's response body into memory with progress. Sizes come from the manifest, so
 * progress works without Content-Length. Servers that add Content-Encoding: gzip to .gz files (Vite's
 * dev server does) make the browser hand us the decoded payload instead: recognised by its first byte
 * (not gzip's 0x1f) and then expected to be `decodedBytes` long.
 */
async function readBody(
  response: Response,
  file: string,
  compressedBytes: number,
  decodedBytes: number,
  report: (stage: string, fraction: number) => void,
): Promise<Uint8Array> {
  if (!response.body) throw new DatasetError(file, 'the response has no body');
  const reader = response.body.getReader();
  let buffer: Uint8Array | undefined;
  let length = 0;
  report('download', 0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length === 0) continue;
    buffer ??= new Uint8Array(value[0] === 0x1f ? compressedBytes : decodedBytes);
    if (length + value.length > buffer.length) {
      await reader.cancel().catch(() => {});
      throw new DatasetError(file, `is larger than the ${buffer.length} bytes the manifest announces (stale or wrong file?)`);
    }
    buffer.set(value, length);
    length += value.length;
    report('download', length / buffer.length);
  }
  report('download', 1);
  return (buffer ?? new Uint8Array(0)).subarray(0, length);
}

/**
 * Downloads and decodes the embedded dataset from `${baseUrl}data/`. `baseUrl` is the app's base
 * (Vite's import.meta.env.BASE_URL); relative bases resolve against the current location, and the
 * files must come from the same origin as the page/worker when there is one.
 */
export async function loadEmbeddedDataset(
  baseUrl: string,
  onProgress?: (p: DataProgress) => void,
  options: { fetch?: typeof fetch } = {},
): Promise<CifarDataset> {
  const fetchImpl = options.fetch ?? fetch;
  const here = (globalThis as { location?: { href: string; origin: string } }).location;
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, here?.href);
  } catch {
    throw new DatasetError(EMBEDDED_MANIFEST_FILE, `cannot resolve the base URL "${baseUrl}"`);
  }
  if (here && base.origin !== here.origin) {
    throw new DatasetError(EMBEDDED_MANIFEST_FILE, `refusing to load the dataset from another origin (${base.origin})`);
  }
  const dir = new URL(EMBEDDED_DIR, base);
  const manifestUrl = new URL(EMBEDDED_MANIFEST_FILE, dir);
  const report = throttled(onProgress);

  report('manifest', 0);
  const manifestResponse = await fetchOk(manifestUrl, EMBEDDED_MANIFEST_FILE, fetchImpl);
  const text = await manifestResponse.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DatasetError(EMBEDDED_MANIFEST_FILE, `is not valid JSON (it starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
  const m = parseEmbeddedManifest(json);
  report('manifest', 1);

  const dataUrl = new URL(m.file, dir);
  if (dataUrl.origin !== dir.origin || !dataUrl.pathname.startsWith(dir.pathname)) {
    throw new DatasetError(EMBEDDED_MANIFEST_FILE, `field "file" points outside ${dir.href}`);
  }
  const response = await fetchOk(dataUrl, m.file, fetchImpl);
  const bytes = await readBody(response, m.file, m.compressedBytes, m.uncompressedBytes, report);
  return decodeEmbeddedDataset(json, bytes, onProgress);
}
