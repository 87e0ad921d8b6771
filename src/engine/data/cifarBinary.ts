/**
 * The CIFAR-10 binary record layout (data_batch_N.bin, test_batch.bin):
 * 3,073 bytes per record = 1 label byte (0..9), then 1,024 R, 1,024 G, 1,024 B bytes (32×32 row-major).
 * Records are converted to the engine's NHWC layout as they are parsed.
 */
import { DatasetError, NUM_CLASSES, PIXELS_PER_IMAGE, type ImageSet } from './types';

export const CIFAR_RECORD_BYTES = 1 + PIXELS_PER_IMAGE; // 3073
const PLANE = PIXELS_PER_IMAGE / 3; // 1024

/** An ImageSet of `count` zeroed images, ready to be filled. */
export function allocateImageSet(count: number): ImageSet {
  return {
    images: new Uint8Array(count * PIXELS_PER_IMAGE),
    labels: new Uint8Array(count),
    count,
    sourceIndex: new Uint32Array(count),
  };
}

/** Copies 3,072 planar pixel bytes (R plane, G plane, B plane) at `src[srcOffset]` to NHWC at `dst[dstOffset]`. */
export function copyPlanarToNhwc(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void {
  for (let i = 0, d = dstOffset; i < PLANE; i++, d += 3) {
    dst[d] = src[srcOffset + i];
    dst[d + 1] = src[srcOffset + PLANE + i];
    dst[d + 2] = src[srcOffset + 2 * PLANE + i];
  }
}

/** The number of records in a file of `byteLength` bytes; throws unless it is a positive multiple of 3,073. */
export function cifarRecordCount(byteLength: number, fileName: string): number {
  if (byteLength === 0) throw new DatasetError(fileName, 'is empty; expected CIFAR-10 binary records of 3,073 bytes');
  if (byteLength % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetError(
      fileName,
      `is ${byteLength.toLocaleString('en-US')} bytes, which is not a whole number of 3,073-byte CIFAR-10 records ` +
        `(1 label byte + 3,072 pixel bytes); the file is truncated or not a CIFAR-10 binary batch`,
    );
  }
  return byteLength / CIFAR_RECORD_BYTES;
}

/**
 * Writes one record (label byte at `src[offset]`, pixels after it) into `set` at `index`.
 * `record` is only used to name the offending record in errors.
 */
export function writeCifarRecord(
  src: Uint8Array,
  offset: number,
  set: ImageSet,
  index: number,
  sourceIndex: number,
  fileName: string,
  record: number,
): void {
  const label = src[offset];
  if (label >= NUM_CLASSES) {
    throw new DatasetError(
      fileName,
      `record ${record} (byte offset ${(record * CIFAR_RECORD_BYTES).toLocaleString('en-US')}) has label ${label}; ` +
        `CIFAR-10 labels are 0..9, so this is not a CIFAR-10 binary batch (or it is corrupt)`,
    );
  }
  set.labels[index] = label;
  set.sourceIndex[index] = sourceIndex;
  copyPlanarToNhwc(src, offset + 1, set.images, index * PIXELS_PER_IMAGE);
}

/** Parses a whole CIFAR-10 binary file held in memory. Record r gets sourceIndex `firstSourceIndex + r`. */
export function parseCifarBinary(bytes: Uint8Array | ArrayBuffer, fileName: string, firstSourceIndex = 0): ImageSet {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const count = cifarRecordCount(data.byteLength, fileName);
  const set = allocateImageSet(count);
  for (let r = 0; r < count; r++) {
    writeCifarRecord(data, r * CIFAR_RECORD_BYTES, set, r, firstSourceIndex + r, fileName, r);
  }
  return set;
}

/** Where record `record` of a file goes. */
export interface RecordDestination {
  set: ImageSet;
  index: number;
  sourceIndex: number;
}

/**
 * Parses CIFAR-10 records arriving in chunks of any size, writing each straight into its destination.
 * Only a partial record (< 3,073 bytes) is ever buffered.
 */
export class CifarRecordStream {
  private readonly carry = new Uint8Array(CIFAR_RECORD_BYTES);
  private carried = 0;
  /** Records written so far. */
  records = 0;

  constructor(
    readonly fileName: string,
    /** Total records the file must hold. */
    readonly expectedRecords: number,
    private readonly place: (record: number) => RecordDestination,
  ) {}

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carried > 0) {
      const take = Math.min(CIFAR_RECORD_BYTES - this.carried, chunk.length);
      this.carry.set(chunk.subarray(0, take), this.carried);
      this.carried += take;
      pos = take;
      if (this.carried < CIFAR_RECORD_BYTES) return;
      this.write(this.carry, 0);
      this.carried = 0;
    }
    while (chunk.length - pos >= CIFAR_RECORD_BYTES) {
      this.write(chunk, pos);
      pos += CIFAR_RECORD_BYTES;
    }
    if (pos < chunk.length) {
      this.carry.set(chunk.subarray(pos), 0);
      this.carried = chunk.length - pos;
    }
  }

  /** Checks that exactly the expected records arrived. */
  finish(): void {
    const bytes = this.records * CIFAR_RECORD_BYTES + this.carried;
    if (this.carried !== 0 || this.records !== this.expectedRecords) {
      throw new DatasetError(
        this.fileName,
        `ended after ${bytes.toLocaleString('en-US')} bytes; expected ${this.expectedRecords.toLocaleString('en-US')} ` +
          `records (${(this.expectedRecords * CIFAR_RECORD_BYTES).toLocaleString('en-US')} bytes): the data is truncated`,
      );
    }
  }

  private write(src: Uint8Array, offset: number): void {
    const r = this.records;
    if (r >= this.expectedRecords) {
      throw new DatasetError(
        this.fileName,
        `holds more than the ${this.expectedRecords.toLocaleString('en-US')} records its size announced`,
      );
    }
    const dest = this.place(r);
    writeCifarRecord(src, offset, dest.set, dest.index, dest.sourceIndex, this.fileName, r);
    this.records = r + 1;
  }
}
