/**
 * Cache keys: a content hash of everything that determines a cached model.
 *
 * The caller passes one value describing the run, e.g.
 *   { v: 1, role: 'oracle', dataset: dataset.id, train: retainIndices (Int32Array), arch, recipe, seed }
 * and must put in it EVERYTHING the result depends on (two runs differing in anything left out would
 * share an entry). `role` keeps e.g. an oracle and an original on the same indices apart when their
 * meaning differs; bump a version field in the parts when the training code changes what it produces.
 *
 * What is hashed, exactly: SHA-256 of the UTF-8 bytes of
 *   "unlearning-playground cache key v1\n" + canonical(parts)
 * where canonical(x) is JSON text with no whitespace, built as follows:
 *   - null, booleans, strings: as JSON.stringify writes them; finite numbers likewise (so -0 is "0");
 *   - arrays: "[" + elements joined by "," + "]";
 *   - plain objects: "{" + "\"key\":value" pairs joined by ",", keys sorted by UTF-16 code units
 *     (at every level), properties whose value is undefined left out (as JSON.stringify does) + "}";
 *   - typed arrays, DataViews and ArrayBuffers: the token  #<Type>:<byteLength>:<sha256 hex of the bytes>
 *     (e.g. #Int32Array:16:9f86…), so a 50,000-index array costs one digest, not a 300 KB string. The
 *     token is not JSON syntax, so no ordinary value can produce it. The bytes are hashed as they lie in
 *     memory (platform byte order: little-endian in every browser). The type is part of the token, so
 *     an Int32Array and a Uint32Array (or a plain array) of the same numbers give different keys.
 * Anything else (NaN/Infinity, undefined outside an object, bigint, functions, symbols, Dates, Maps,
 * class instances, cycles) is rejected with a TypeError naming where it is, rather than guessed at.
 */
import { CacheError } from './types';

export const KEY_PREFIX = 'unlearning-playground cache key v1\n';

const hex = (digest: ArrayBuffer) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) {
    throw new CacheError(
      'Cannot compute cache keys: this page has no Web Crypto (crypto.subtle needs https or localhost), so models will not be cached.',
      'unavailable',
    );
  }
  return s;
}

/** SHA-256 of `bytes` as 64 hex digits. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await subtle().digest('SHA-256', bytes));
}

/** The bytes of a view or buffer; copied only when they live in a SharedArrayBuffer (digest refuses those). */
function bytesOf(v: ArrayBufferView | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  const buffer = v.buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(new Uint8Array(buffer, v.byteOffset, v.byteLength));
}

const typeName = (v: object) => Object.prototype.toString.call(v).slice(8, -1);

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The canonical text of `parts` (see the file comment); typed arrays' digests are computed in parallel. */
export async function canonicalText(parts: unknown): Promise<string> {
  const pieces: Array<string | Promise<string>> = [];
  const ancestors = new Set<object>();

  const walk = (v: unknown, path: string): void => {
    const reject = (what: string) => {
      throw new TypeError(`cacheKey: cannot hash ${path} (${what})`);
    };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') {
      pieces.push(JSON.stringify(v));
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) reject(String(v));
      pieces.push(JSON.stringify(v));
    } else if (typeof v !== 'object') {
      reject(typeof v);
    } else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = bytesOf(v);
      const head = `#${typeName(v)}:${bytes.byteLength}:`;
      pieces.push(sha256Hex(bytes).then((d) => head + d));
    } else {
      if (ancestors.has(v)) reject('a cycle');
      ancestors.add(v);
      if (Array.isArray(v)) {
        pieces.push('[');
        v.forEach((item, i) => {
          if (i > 0) pieces.push(',');
          walk(item, `${path}[${i}]`);
        });
        pieces.push(']');
      } else if (isPlainObject(v)) {
        const record = v as Record<string, unknown>;
        const keys = Object.keys(record)
          .filter((k) => record[k] !== undefined)
          .sort();
        pieces.push('{');
        keys.forEach((k, i) => {
          if (i > 0) pieces.push(',');
          pieces.push(JSON.stringify(k), ':');
          walk(record[k], `${path}.${k}`);
        });
        pieces.push('}');
      } else {
        reject(`a ${typeName(v)}; pass plain data`);
      }
      ancestors.delete(v);
    }
  };

  walk(parts, 'parts');
  return (await Promise.all(pieces)).join('');
}

/** The cache key of `parts`: 64 hex digits (see the file comment for exactly what is hashed). */
export async function cacheKey(parts: unknown): Promise<string> {
  const text = await canonicalText(parts);
  return sha256Hex(new TextEncoder().encode(KEY_PREFIX + text));
}
