/**
 * Runs tasks over a pool of workers: at most one task per worker, first come first served, workers started
 * only when there is work for them (never more than `size`). A task that fails because its worker broke (it
 * crashed, or lost its GPU device) is retried once on a fresh worker; the broken one is closed.
 *
 * Results never depend on which worker ran a task or in what order: each task carries everything that determines
 * it (seeds come from roles), so the scheduler only decides when.
 */
export interface PoolWorker {
  close(): void;
}

export interface SchedulerOptions<W extends PoolWorker> {
  size: number;
  start: (index: number) => Promise<W>;
  /** Whether an error means the worker is broken (the task is then retried once elsewhere). */
  isWorkerFailure?: (error: unknown) => boolean;
  /** Told about every retry, with the error that caused it. */
  onRetry?: (error: unknown) => void;
}

export class Scheduler<W extends PoolWorker> {
  private readonly idle: W[] = [];
  private readonly live = new Set<W>();
  private readonly waiting: ((w: W) => void)[] = [];
  private started = 0;
  private closed = false;

  constructor(private readonly options: SchedulerOptions<W>) {
    if (!(options.size >= 1)) throw new Error(`a pool needs at least one worker, got ${options.size}`);
  }

  get size(): number {
    return this.options.size;
  }

  /** Workers started so far (≤ size). */
  get workersStarted(): number {
    return this.started;
  }

  async run<T>(task: (worker: W) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const worker = await this.acquire();
      try {
        const result = await task(worker);
        this.release(worker);
        return result;
      } catch (error) {
        if (!this.options.isWorkerFailure?.(error)) {
          this.release(worker);
          throw error;
        }
        this.discard(worker);
        if (attempt > 0) throw error;
        this.options.onRetry?.(error);
      }
    }
  }

  /** Every live worker, busy or idle (to pass on pause, resume and cancel). */
  get workers(): readonly W[] {
    return [...this.live];
  }

  /** Closes idle workers now and busy ones as their tasks end. */
  close(): void {
    this.closed = true;
    for (const w of this.idle.splice(0)) this.discardQuietly(w);
  }

  private discardQuietly(worker: W): void {
    this.live.delete(worker);
    worker.close();
  }

  private async acquire(): Promise<W> {
    if (this.closed) throw new Error('the worker pool is closed');
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.started < this.options.size) {
      this.started++;
      try {
        const worker = await this.options.start(this.started - 1);
        this.live.add(worker);
        return worker;
      } catch (e) {
        this.started--;
        throw e;
      }
    }
    return new Promise<W>((resolve) => this.waiting.push(resolve));
  }

  private release(worker: W): void {
    if (this.closed) return this.discardQuietly(worker);
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  /** Closes a broken worker; its slot is free for a fresh one. */
  private discard(worker: W): void {
    this.discardQuietly(worker);
    this.started--;
    const next = this.waiting.shift();
    if (next) this.acquire().then(next, () => this.waiting.unshift(next));
  }
}
