/**
 * A small streaming reader for tar archives (POSIX ustar / GNU / pax as written by common tools):
 * 512-byte headers, contents padded to 512 bytes, end marked by a zero block.
 * Regular files are yielded one at a time with their contents streamed; directories, links and
 * pax/GNU metadata entries are skipped (a pax "path" or GNU long name is applied to the next file).
 */
import { DatasetError } from './types';

const BLOCK = 512;

/** A tar format problem (truncated, not a tar stream, malformed header). */
export class TarError extends DatasetError {}

export interface TarEntry {
  /** Full path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin`. */
  name: string;
  size: number;
  /**
   * The contents in arrival order (chunks are views into the stream's buffers: copy what you keep).
   * Must be consumed before asking for the next entry; whatever is left unread is skipped.
   */
  bytes: AsyncIterable<Uint8Array>;
}

/** Pulls bytes from a ReadableStream, with exact reads (copied) and zero-copy partial reads. */
class ByteSource {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  get done(): boolean {
    return this.ended;
  }

  private async refill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        return false;
      }
      this.chunk = value;
      this.pos = 0;
    }
    return true;
  }

  /** Up to `max` bytes without copying; undefined at end of stream. */
  async take(max: number): Promise<Uint8Array | undefined> {
    if (!(await this.refill())) return undefined;
    const n = Math.min(max, this.chunk.length - this.pos);
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes (copied), or fewer if the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const part = await this.take(n - got);
      if (!part) return out.subarray(0, got);
      out.set(part, got);
      got += part.length;
    }
    return out;
  }

  /** Skips `n` bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const part = await this.take(n - skipped);
      if (!part) break;
      skipped += part.length;
    }
    return skipped;
  }
}

const decoder = new TextDecoder();

function text(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul === -1 ? field : field.subarray(0, nul));
}

/** An octal numeric field (or GNU base-256 when the top bit of its first byte is set). */
function number(header: Uint8Array, start: number, length: number): number {
  if (header[start] & 0x80) {
    let value = header[start] & 0x3f;
    for (let i = 1; i < length; i++) value = value * 256 + header[start + i];
    return value;
  }
  const s = text(header, start, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return Number.NaN;
  return parseInt(s, 8);
}

function checksumMatches(header: Uint8Array): boolean {
  const stored = number(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return stored === sum;
}

/** The "path" record of a pax extended header ("<len> path=<value>\n" records). */
function paxPath(data: Uint8Array): string | undefined {
  const s = decoder.decode(data);
  let pos = 0;
  while (pos < s.length) {
    const space = s.indexOf(' ', pos);
    const len = parseInt(s.slice(pos, space), 10);
    if (!(len > 0) || space === -1) break;
    const record = s.slice(space + 1, pos + len - 1);
    if (record.startsWith('path=')) return record.slice(5);
    pos += len;
  }
  return undefined;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Reads the tar archive in `stream`, yielding its regular files. `fileName` names the archive in errors.
 * Throws TarError for a stream that is not tar, or that ends before the end-of-archive marker.
 */
export async function* readTar(stream: ReadableStream<Uint8Array>, fileName: string): AsyncGenerator<TarEntry, void, undefined> {
  const reader = stream.getReader();
  const src = new ByteSource(reader);
  let nextName: string | undefined;
  try {
    for (;;) {
      const headerOffset = src.offset;
      const header = await src.read(BLOCK);
      if (header.length < BLOCK) {
        throw new TarError(
          fileName,
          header.length === 0 && headerOffset === 0
            ? 'is empty: expected a tar archive'
            : `ends at byte ${src.offset} without the tar end-of-archive marker: the archive is truncated`,
        );
      }
      if (header.every((b) => b === 0)) {
        // End of archive. Drain the rest (zero padding) so a decompressor upstream checks its trailer (CRC).
        while (await src.take(1 << 20));
        return;
      }
      if (!checksumMatches(header)) {
        throw new TarError(
          fileName,
          headerOffset === 0
            ? 'is not a tar archive (its first 512-byte block is not a valid tar header)'
            : `has a corrupt tar header at byte ${headerOffset}`,
        );
      }
      const size = number(header, 124, 12);
      if (!Number.isSafeInteger(size) || size < 0) throw new TarError(fileName, `has an invalid entry size at byte ${headerOffset}`);
      const type = String.fromCharCode(header[156] || 0x30);
      const magic = text(header, 257, 6);
      const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
      const name = nextName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));

      if (type === 'x' || type === 'L') {
        // Metadata for the next entry: small, read whole.
        if (size > 1 << 20)
          throw new TarError(fileName, `has an oversized ${type === 'x' ? 'pax' : 'GNU long-name'} header at byte ${headerOffset}`);
        const data = await src.read(size);
        if (data.length < size) throw new TarError(fileName, `is truncated inside the metadata entry at byte ${headerOffset}`);
        await src.skip(padding(size));
        nextName = type === 'x' ? (paxPath(data) ?? nextName) : text(data, 0, data.length);
        continue;
      }
      nextName = undefined;

      let remaining = size;
      if (type === '0' || type === '7') {
        const bytes: AsyncIterable<Uint8Array> = {
          async *[Symbol.asyncIterator]() {
            while (remaining > 0) {
              const part = await src.take(remaining);
              if (!part) {
                throw new TarError(
                  fileName,
                  `is truncated: ${name} should have ${size} bytes but the archive ends after ${size - remaining}`,
                );
              }
              remaining -= part.length;
              yield part;
            }
          },
        };
        yield { name, size, bytes };
      }
      // Skip what the consumer did not read (or the whole entry for directories, links, global pax…).
      const skipped = await src.skip(remaining);
      if (skipped < remaining) {
        throw new TarError(
          fileName,
          `is truncated: ${name} should have ${size} bytes but the archive ends after ${size - remaining + skipped}`,
        );
      }
      remaining = 0;
      await src.skip(padding(size));
    }
  } finally {
    if (!src.done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Reads a whole entry into memory (for small entries). */
export async function readTarEntry(entry: TarEntry): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let offset = 0;
  for await (const part of entry.bytes) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
