import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { gaussianKl, gklPerExample, gklPrior, moderatedVariance } from './gkl';

describe('moderated Gaussian KL', () => {
  it('is 0 for identical groups', () => {
    const rows = [
      [1, -4, 7],
      [3, -2, 7],
      [2, 0, 9],
    ];
    const prior = gklPrior(rows);
    expect(Array.from(gklPerExample(rows, rows, prior))).toEqual([0, 0, 0]);
  });

  it('matches a worked 2 models × 2 examples case', () => {
    // oracle: example 0 ∈ {0, 2} (mean 1, s² 2), example 1 ∈ {10, 10} (mean 10, s² 0) ⇒ s0² = median(2, 0) = 1
    const oracle = [
      [0, 10],
      [2, 10],
    ];
    // unlearned: example 0 ∈ {3, 3} (mean 3, ss 0), example 1 ∈ {10, 14} (mean 12, ss 8)
    const unlearned = [
      [3, 10],
      [3, 14],
    ];
    expect(gklPrior(oracle)).toBe(1);
    // d = 8, N − 1 = 1: ṽ = (ss + 8·1) / 9
    // example 0: ṽ_u = 8/9, ṽ_o = 10/9 ⇒ ½[ln 1.25 + (8/9 + 4)/(10/9) − 1] = ½[ln 1.25 + 3.4]
    // example 1: ṽ_u = 16/9, ṽ_o = 8/9 ⇒ ½[ln 0.5 + (16/9 + 4)/(8/9) − 1] = ½[ln 0.5 + 5.5]
    const per = gklPerExample(unlearned, oracle, 1);
    expect(per[0]).toBeCloseTo(0.5 * (Math.log(1.25) + 3.4), 12);
    expect(per[1]).toBeCloseTo(0.5 * (Math.log(0.5) + 5.5), 12);
    expect(per[0]).toBeCloseTo(1.811572, 6);
    expect(per[1]).toBeCloseTo(2.403426, 6);
  });

  it('N = 1: the variance is undefined, so ṽ is the prior s0² alone', () => {
    expect(moderatedVariance(0, 1, 2)).toBe(2);
    // oracle {1, 3}: mean 2, s² = 2 = s0² ⇒ ṽ_o = (2 + 16)/9 = 2; unlearned {5}: ṽ_u = 2
    // GKL = ½[0 + (2 + 9)/2 − 1] = 2.25
    expect(gklPerExample([[5]], [[1], [3]], gklPrior([[1], [3]]))[0]).toBeCloseTo(2.25, 12);
  });

  it('is NaN where s0² cannot be estimated (one oracle, or no spread)', () => {
    expect(gklPrior([[1, 2]])).toBeNaN();
    expect(gklPerExample([[1]], [[1]], Number.NaN)[0]).toBeNaN();
    expect(gklPerExample([[1]], [[1], [1]], gklPrior([[1], [1]]))[0]).toBeNaN();
  });

  it('clips margins to ±100 and checks the layout', () => {
    const oracle = [[100], [98]];
    expect(gklPerExample([[1e6], [98]], oracle, 1)[0]).toBe(0);
    expect(() => gklPerExample([[1, 2]], [[1]], 1)).toThrow(/every model/);
    expect(() => gklPerExample([], [[1]], 1)).toThrow(/unlearned/);
  });

  it('is asymmetric: KL(unlearned ‖ oracle)', () => {
    expect(gaussianKl(0, 1, 0, 4)).toBeCloseTo(0.5 * (Math.log(4) + 0.25 - 1), 12);
    expect(gaussianKl(0, 4, 0, 1)).toBeCloseTo(0.5 * (Math.log(0.25) + 4 - 1), 12);
  });

  it('separates a shifted group from independent oracles at N = 8', () => {
    const rng = createRng(3);
    const group = (shift: number) => Array.from({ length: 8 }, () => Array.from({ length: 400 }, (_, j) => j / 50 + shift + rng.normal()));
    const oracle = group(0);
    const prior = gklPrior(oracle);
    expect(prior).toBeGreaterThan(0.7);
    expect(prior).toBeLessThan(1.3);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const floor = mean(gklPerExample(group(0), oracle, prior));
    const shifted = mean(gklPerExample(group(1.5), oracle, prior));
    expect(floor).toBeLessThan(0.3);
    expect(shifted).toBeGreaterThan(4 * floor);
  });
});
