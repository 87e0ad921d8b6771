/** CIFAR-10 data as the engine holds it: uint8 pixels, never a float copy of the dataset. */

export const IMAGE_SIZE = 32;
export const CHANNELS = 3;
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE * CHANNELS; // 3072
export const NUM_CLASSES = 10;
export const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** A set of images in NHWC layout (image, row, column, RGB), one byte per channel. */
export interface ImageSet {
  /** count × 32 × 32 × 3 bytes, NHWC. */
  images: Uint8Array;
  /** count bytes, each 0..9. */
  labels: Uint8Array;
  count: number;
  /** For each image, its record index in the official training set order (data_batch_1..5), or test_batch. */
  sourceIndex: Uint32Array;
}

export interface CifarDataset {
  /** Stable identifier that determines the pixels, e.g. `embedded-<sha256 prefix>` or `cifar10-full-<...>`. */
  id: string;
  /** Human-readable name shown in the UI. */
  name: string;
  train: ImageSet;
  validation: ImageSet;
  /** Present when the user's files held test_batch.bin. */
  test?: ImageSet;
  classNames: readonly string[];
}

export type SplitName = 'train' | 'validation' | 'test';

/** Progress of a long data operation (download, decompress, parse, store). */
export interface DataProgress {
  stage: string;
  /** 0..1 */
  fraction: number;
}

/** A data file the user gave us or that we fetched was not what we expected. The message names the file. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}
