import { describe, expect, it } from 'vitest';
import { createRng, permutation } from './rng';

describe('seeded rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('is uniform enough: mean, bucket counts, and normal moments', () => {
    const rng = createRng(7);
    const n = 100_000;
    const buckets = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      buckets[Math.floor(u * 10)]++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(500);
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      m1 += z;
      m2 += z * z;
    }
    expect(m1 / n).toBeCloseTo(0, 1);
    expect(m2 / n).toBeCloseTo(1, 1);
  });

  it('forks streams by label independently of how much the parent drew', () => {
    const a = createRng(5);
    const b = createRng(5);
    b.next();
    b.next();
    expect(a.fork('init').nextUint32()).toBe(b.fork('init').nextUint32());
    expect(a.fork('init').nextUint32()).not.toBe(a.fork('order').nextUint32());
  });

  it('makes seeded permutations', () => {
    const p = permutation(1000, createRng(1));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).toEqual(Array.from(permutation(1000, createRng(1))));
    expect(Array.from(p)).not.toEqual(Array.from(permutation(1000, createRng(2))));
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
  });
});
