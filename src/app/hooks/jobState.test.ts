import { describe, expect, it } from 'vitest';
import { CancelledError, DeviceLostError } from '../../engine/errors';
import { createJobGuard, endMessage, jobFailure, jobReducer, type JobEvent, type JobState } from './jobState';

describe('jobReducer', () => {
  const run = (events: JobEvent[], from: JobState = 'idle') => events.reduce(jobReducer, from);

  it('follows a job through pause, resume, cancel and its end', () => {
    expect(run(['start'])).toBe('running');
    expect(run(['start', 'pause'])).toBe('paused');
    expect(run(['start', 'pause', 'resume'])).toBe('running');
    expect(run(['start', 'pause', 'cancel'])).toBe('cancelling');
    expect(run(['start', 'cancel', 'settle'])).toBe('idle');
    expect(run(['start', 'settle'])).toBe('idle');
  });

  it('ignores events that do not fit the state', () => {
    expect(run(['pause'])).toBe('idle');
    expect(run(['resume'])).toBe('idle');
    expect(run(['cancel'])).toBe('idle');
    expect(run(['start', 'resume'])).toBe('running');
    expect(run(['start', 'pause', 'pause'])).toBe('paused');
    // Once cancelling, a pause or resume clicked late cannot bring the job back.
    expect(run(['start', 'cancel', 'pause'])).toBe('cancelling');
    expect(run(['start', 'cancel', 'resume'])).toBe('cancelling');
    // A second start while one runs does not reset a paused job.
    expect(run(['start', 'pause', 'start'])).toBe('paused');
    // A pause that arrives after the job settled does not leave the page "paused" with nothing running.
    expect(run(['start', 'settle', 'pause'])).toBe('idle');
  });
});

describe('createJobGuard', () => {
  it('keeps a job open until it settles, and latest until another begins', () => {
    const guard = createJobGuard();
    const first = guard.begin();
    expect(guard.isOpen(first)).toBe(true);
    expect(guard.isLatest(first)).toBe(true);
    guard.settle(first);
    // Trailing progress of the job that just ended is still the latest news; partial results are not wanted.
    expect(guard.isOpen(first)).toBe(false);
    expect(guard.isLatest(first)).toBe(true);
    const second = guard.begin();
    expect(guard.isLatest(first)).toBe(false);
    expect(guard.isOpen(first)).toBe(false);
    expect(guard.isOpen(second)).toBe(true);
  });

  it('does not let an old job settling close a newer one', () => {
    const guard = createJobGuard();
    const first = guard.begin();
    const second = guard.begin();
    guard.settle(first);
    expect(guard.isOpen(second)).toBe(true);
    guard.settle(second);
    expect(guard.isOpen(second)).toBe(false);
  });

  it('starts with nothing open', () => {
    const guard = createJobGuard();
    expect(guard.isOpen(0)).toBe(false);
    expect(guard.isOpen(1)).toBe(false);
  });
});

describe('jobFailure and endMessage', () => {
  const words = { cancelled: 'Stopped.', failed: (m: string) => `Failed: ${m}`, deviceLost: (m: string) => m };

  it('sorts rejections by name, as they arrive through Comlink', () => {
    const overComlink = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(jobFailure(new CancelledError()).kind).toBe('cancelled');
    expect(jobFailure(overComlink('CancelledError', 'cancelled')).kind).toBe('cancelled');
    expect(jobFailure(overComlink('DeviceLostError', 'gone')).kind).toBe('device-lost');
    expect(jobFailure(new Error('another run is in progress; cancel it first')).kind).toBe('failed');
    expect(jobFailure('no dataset is loaded yet').kind).toBe('failed');
  });

  it('words each end', () => {
    expect(endMessage({ kind: 'done', value: 1 }, words)).toBeUndefined();
    expect(endMessage(jobFailure(new CancelledError()), words)).toBe('Stopped.');
    expect(endMessage(jobFailure(new DeviceLostError('The GPU device was lost.')), words)).toBe('The GPU device was lost.');
    expect(endMessage(jobFailure(new Error('out of memory')), words)).toBe('Failed: out of memory');
    // Without words of its own, a device loss reads as a failure.
    expect(endMessage(jobFailure(new DeviceLostError('lost')), { cancelled: 'x', failed: (m) => `Failed: ${m}` })).toBe('Failed: lost');
  });
});
