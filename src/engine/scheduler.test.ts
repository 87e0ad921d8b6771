import { describe, expect, it } from 'vitest';
import { Scheduler, type PoolWorker } from './scheduler';

class FakeWorker implements PoolWorker {
  closed = false;
  broken = false;
  readonly ran: number[] = [];
  constructor(readonly id: number) {}
  close() {
    this.closed = true;
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A fake job: its result depends only on its input (like a seeded training run), it takes `ms` to finish. */
async function job(w: FakeWorker, input: number, ms: number, active: { now: number; max: number }) {
  if (w.broken) throw Object.assign(new Error('worker crashed'), { name: 'WorkerCrashed' });
  active.now++;
  active.max = Math.max(active.max, active.now);
  await tick(ms);
  active.now--;
  w.ran.push(input);
  return input * input;
}

describe('Scheduler', () => {
  it('runs at most `size` jobs at once, starts workers only when there is work, and results follow the input, not the schedule', async () => {
    for (const size of [1, 2, 4]) {
      const started: FakeWorker[] = [];
      const pool = new Scheduler<FakeWorker>({ size, start: async (i) => (started.push(new FakeWorker(i)), started[started.length - 1]) });
      const active = { now: 0, max: 0 };
      const inputs = [5, 1, 4, 2, 3, 6, 0];
      const results = await Promise.all(inputs.map((x, i) => pool.run((w) => job(w, x, (7 - i) % 3, active))));
      expect(results).toEqual(inputs.map((x) => x * x));
      expect(active.max).toBe(Math.min(size, inputs.length));
      expect(started.length).toBe(size);
      expect(started.flatMap((w) => w.ran).sort()).toEqual([...inputs].sort());
    }
  });

  it('never starts more workers than there are jobs', async () => {
    let starts = 0;
    const pool = new Scheduler<FakeWorker>({ size: 8, start: async (i) => (starts++, new FakeWorker(i)) });
    const active = { now: 0, max: 0 };
    await Promise.all([1, 2].map((x) => pool.run((w) => job(w, x, 1, active))));
    expect(starts).toBe(2);
    expect(pool.workersStarted).toBe(2);
  });

  it('retries a job on a fresh worker when its worker breaks, and says so', async () => {
    const started: FakeWorker[] = [];
    const retries: unknown[] = [];
    const pool = new Scheduler<FakeWorker>({
      size: 2,
      start: async (i) => {
        const w = new FakeWorker(i);
        w.broken = i === 0; // the first worker crashes on its first job
        started.push(w);
        return w;
      },
      isWorkerFailure: (e) => e instanceof Error && e.name === 'WorkerCrashed',
      onRetry: (e) => retries.push(e),
    });
    const active = { now: 0, max: 0 };
    const results = await Promise.all([3, 4, 5].map((x) => pool.run((w) => job(w, x, 1, active))));
    expect(results).toEqual([9, 16, 25]);
    expect(retries).toHaveLength(1);
    expect(started[0].closed).toBe(true);
    expect(pool.workers).not.toContain(started[0]);
  });

  it('passes on other errors without retrying', async () => {
    const pool = new Scheduler<FakeWorker>({ size: 1, start: async (i) => new FakeWorker(i), isWorkerFailure: () => false });
    await expect(pool.run(async () => Promise.reject(new Error('bad spec')))).rejects.toThrow('bad spec');
    // The worker is free again.
    expect(await pool.run(async () => 7)).toBe(7);
  });

  it('closes every worker on close, busy ones when their job ends', async () => {
    const started: FakeWorker[] = [];
    const pool = new Scheduler<FakeWorker>({ size: 2, start: async (i) => (started.push(new FakeWorker(i)), started[started.length - 1]) });
    const active = { now: 0, max: 0 };
    const slow = pool.run((w) => job(w, 1, 20, active));
    await pool.run((w) => job(w, 2, 0, active));
    pool.close();
    expect(started.filter((w) => w.closed)).toHaveLength(1);
    await slow;
    expect(started.every((w) => w.closed)).toBe(true);
    await expect(pool.run(async () => 1)).rejects.toThrow(/closed/);
  });
});
