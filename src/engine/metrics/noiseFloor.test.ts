import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { klomPerExample, summariseKlom } from './klom';
import { floorGroups, noiseFloor } from './noiseFloor';

/** [model][example] margins, all drawn from the same distribution (independent oracles). */
function oracles(models: number, examples: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: models }, () => Float64Array.from({ length: examples }, (_, j) => j / 10 + rng.normal()));
}

describe('noise floor', () => {
  it('disjoint groups: KLoM(A ‖ B) per example', () => {
    const a = oracles(8, 50, 1);
    const b = oracles(8, 50, 2);
    const floor = noiseFloor(a, b);
    expect(floor.method).toBe('disjoint-groups');
    expect(floor.n).toBe(8);
    expect(Array.from(floor.perExample)).toEqual(Array.from(klomPerExample(a, b)));
    expect(noiseFloor(a, oracles(5, 50, 3)).n).toBe(5);
  });

  it('split-half: first ⌊N/2⌋ vs the rest', () => {
    const a = oracles(7, 40, 4);
    const floor = noiseFloor(a);
    expect(floor.method).toBe('split-half');
    expect(floor.n).toBe(3);
    expect(Array.from(floor.perExample)).toEqual(Array.from(klomPerExample(a.slice(0, 3), a.slice(3))));
    expect(noiseFloor(a, []).method).toBe('split-half');
    expect(() => noiseFloor([a[0]])).toThrow(/at least 2/);
  });

  it('floorGroups: the same two groups for every floor metric', () => {
    const a = oracles(5, 3, 9);
    const split = floorGroups(a);
    expect(split.a).toEqual(a.slice(0, 2));
    expect(split.b).toEqual(a.slice(2));
    expect(split.n).toBe(2);
    const b = oracles(4, 3, 10);
    expect(floorGroups(b, a)).toEqual({ a: b, b: a, n: 4, method: 'disjoint-groups' });
  });

  it('is > 0 at small N and the split-half floor (N/2 per side) sits above the disjoint floor at N', () => {
    const n = 16;
    const disjoint = summariseKlom(noiseFloor(oracles(n, 300, 5), oracles(n, 300, 6)).perExample);
    const split = summariseKlom(noiseFloor(oracles(n, 300, 5)).perExample);
    expect(disjoint.mean).toBeGreaterThan(0.1);
    expect(split.mean).toBeGreaterThan(disjoint.mean);
    expect(split.p95).toBeGreaterThan(disjoint.p95);
    // and the floor falls as N grows
    const big = summariseKlom(noiseFloor(oracles(64, 300, 7), oracles(64, 300, 8)).perExample);
    expect(big.mean).toBeLessThan(disjoint.mean);
  });
});
