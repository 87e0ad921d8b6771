/**
 * The pure parts of an engine job's lifecycle, kept out of the React hook so they can be tested in Node:
 * the state machine, the guard against callbacks that arrive after their job, and how a job's end reads.
 */
import { errorMessage, isCancelled, isDeviceLost } from '../../worker/protocol';

export type JobState = 'idle' | 'running' | 'paused' | 'cancelling';
export type JobEvent = 'start' | 'pause' | 'resume' | 'cancel' | 'settle';

/** Events that make no sense in the current state (pause while idle, a late pause after the job settled) change nothing. */
export function jobReducer(state: JobState, event: JobEvent): JobState {
  switch (event) {
    case 'start':
      return state === 'idle' ? 'running' : state;
    case 'pause':
      return state === 'running' ? 'paused' : state;
    case 'resume':
      return state === 'paused' ? 'running' : state;
    case 'cancel':
      return state === 'running' || state === 'paused' ? 'cancelling' : state;
    case 'settle':
      return 'idle';
  }
}

/**
 * Progress and partial results come over their own message channels, so they can arrive after the call
 * that produced them has settled, or after a newer job started. Each job gets a ticket; a callback asks
 * whether its ticket is still the latest (`isLatest`) or still running (`isOpen`).
 */
export interface JobGuard {
  begin(): number;
  settle(ticket: number): void;
  isLatest(ticket: number): boolean;
  isOpen(ticket: number): boolean;
}

export function createJobGuard(): JobGuard {
  let latest = 0;
  let settled = true;
  return {
    begin: () => {
      settled = false;
      return ++latest;
    },
    settle: (ticket) => {
      if (ticket === latest) settled = true;
    },
    isLatest: (ticket) => ticket === latest,
    isOpen: (ticket) => ticket === latest && !settled,
  };
}

export type JobEnd<T> =
  | { kind: 'done'; value: T }
  | { kind: 'cancelled'; error: unknown }
  | { kind: 'device-lost'; error: unknown }
  | { kind: 'failed'; error: unknown };

/** Sorts a rejection by the error's name (see engine/errors.ts). */
export function jobFailure(error: unknown): JobEnd<never> {
  if (isCancelled(error)) return { kind: 'cancelled', error };
  if (isDeviceLost(error)) return { kind: 'device-lost', error };
  return { kind: 'failed', error };
}

/** What the page says when a job of one kind ends without a result. */
export interface JobWords {
  cancelled: string;
  failed: (message: string) => string;
  /** Defaults to `failed`. */
  deviceLost?: (message: string) => string;
}

export function endMessage(end: JobEnd<unknown>, words: JobWords): string | undefined {
  switch (end.kind) {
    case 'done':
      return undefined;
    case 'cancelled':
      return words.cancelled;
    case 'device-lost':
      return (words.deviceLost ?? words.failed)(errorMessage(end.error));
    case 'failed':
      return words.failed(errorMessage(end.error));
  }
}
