import { CancelledError } from './errors';

export { CancelledError };

/** Lets the event loop run (so pause/cancel messages arrive) without the ≥4 ms clamp of setTimeout. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Pause, resume and cancel for a long run. The run calls `checkpoint()` between steps: it yields to
 * the event loop, waits while paused, and throws CancelledError once cancelled.
 */
export class RunControl {
  private paused = false;
  private cancelled = false;
  private wake: (() => void) | undefined;
  private readonly listeners = new Set<(event: 'pause' | 'resume' | 'cancel') => void>();

  /** Calls `listener` on every pause, resume and cancel (a pool passes them on to its workers); returns an unsubscribe. */
  subscribe(listener: (event: 'pause' | 'resume' | 'cancel') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isPaused(): boolean {
    return this.paused;
  }
  get isCancelled(): boolean {
    return this.cancelled;
  }
  pause(): void {
    this.paused = true;
    this.listeners.forEach((l) => l('pause'));
  }
  resume(): void {
    this.paused = false;
    this.wake?.();
    this.listeners.forEach((l) => l('resume'));
  }
  cancel(): void {
    this.cancelled = true;
    this.wake?.();
    this.listeners.forEach((l) => l('cancel'));
  }

  async checkpoint(): Promise<void> {
    await yieldToEventLoop();
    while (this.paused && !this.cancelled) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (this.cancelled) throw new CancelledError();
  }
}

/** Wall time less the pauses of `control`, in seconds since construction. `now` (ms) is injectable for tests. */
export class ActiveTime {
  private readonly start: number;
  private pausedMs = 0;
  private pausedAt?: number;

  constructor(
    control?: RunControl,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
    control?.subscribe((event) => {
      if (event === 'pause') this.pausedAt ??= this.now();
      if (event === 'resume' && this.pausedAt !== undefined) {
        this.pausedMs += this.now() - this.pausedAt;
        this.pausedAt = undefined;
      }
    });
  }

  seconds(): number {
    return ((this.pausedAt ?? this.now()) - this.start - this.pausedMs) / 1000;
  }
}
