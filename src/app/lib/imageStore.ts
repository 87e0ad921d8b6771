/**
 * The page's view of the training images: pixels fetched from the worker in chunks as the grid scrolls
 * (a bounded number of chunks kept, least recently used dropped), and the labels of every image, which
 * stay once loaded (the class filter, class mix and forget-set previews need all of them).
 */
export type FetchImages = (start: number, count: number) => Promise<{ images: Uint8Array; labels: Uint8Array }>;

export const PIXELS = 32 * 32 * 3;

export class ImageStore {
  readonly labels: Uint8Array;
  private readonly labelKnown: Uint8Array;
  private labelCount = 0;
  private readonly chunks = new Map<number, Uint8Array>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private disposed = false;

  constructor(
    private readonly fetch: FetchImages,
    readonly total: number,
    readonly chunkSize = 500,
    private readonly maxChunks = 40,
  ) {
    this.labels = new Uint8Array(total);
    this.labelKnown = new Uint8Array(Math.ceil(total / chunkSize));
  }

  /** Changes whenever images or labels arrive (for useSyncExternalStore). */
  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get labelsComplete(): boolean {
    return this.labelCount === this.labelKnown.length;
  }

  /** Whether image i's label has arrived. */
  hasLabel(i: number): boolean {
    return this.labelKnown[Math.floor(i / this.chunkSize)] === 1;
  }

  /** Pixels of image i (NHWC, 3072 bytes) if its chunk is loaded. */
  pixels(i: number): Uint8Array | undefined {
    const c = Math.floor(i / this.chunkSize);
    const chunk = this.chunks.get(c);
    if (!chunk) return undefined;
    // Touch for LRU order.
    this.chunks.delete(c);
    this.chunks.set(c, chunk);
    const at = (i - c * this.chunkSize) * PIXELS;
    return chunk.subarray(at, at + PIXELS);
  }

  /** Loads the chunks covering images [from, to). */
  ensure(from: number, to: number): Promise<void> {
    const first = Math.max(0, Math.floor(from / this.chunkSize));
    const last = Math.min(this.labelKnown.length - 1, Math.floor((Math.min(to, this.total) - 1) / this.chunkSize));
    const jobs: Promise<void>[] = [];
    for (let c = first; c <= last; c++) jobs.push(this.loadChunk(c));
    return Promise.all(jobs).then(() => undefined);
  }

  /** Loads every chunk once (labels for all images), reporting the fraction done. */
  async loadAllLabels(onProgress?: (fraction: number) => void): Promise<void> {
    for (let c = 0; c < this.labelKnown.length && !this.disposed; c++) {
      if (!this.labelKnown[c]) await this.loadChunk(c);
      onProgress?.((c + 1) / this.labelKnown.length);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.chunks.clear();
  }

  private loadChunk(c: number): Promise<void> {
    if (this.chunks.has(c)) return Promise.resolve();
    const inFlight = this.pending.get(c);
    if (inFlight) return inFlight;
    const start = c * this.chunkSize;
    const count = Math.min(this.chunkSize, this.total - start);
    const job = this.fetch(start, count)
      .then(({ images, labels }) => {
        if (this.disposed) return;
        this.labels.set(labels.subarray(0, count), start);
        if (!this.labelKnown[c]) {
          this.labelKnown[c] = 1;
          this.labelCount++;
        }
        this.chunks.set(c, images);
        while (this.chunks.size > this.maxChunks) this.chunks.delete(this.chunks.keys().next().value!);
        this.version++;
        for (const l of this.listeners) l();
      })
      .finally(() => this.pending.delete(c));
    this.pending.set(c, job);
    return job;
  }
}
