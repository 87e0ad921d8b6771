import { describe, expect, it } from 'vitest';
import { KLOM_MAX, klom, klomPerExample, percentile, summariseKlom } from './klom';

describe('KLoM', () => {
  it('is 0 for identical distributions', () => {
    expect(klom([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(klom([1, 2, 3, 4], [4, 3, 2, 1])).toBe(0);
  });

  it('is 0 when every pooled margin is equal', () => {
    expect(klom([5, 5, 5], [5, 5])).toBe(0);
  });

  it('is ln(1e5) for disjoint distributions with all unlearned margins in one bin', () => {
    expect(klom([10, 10, 10], [-3, -2, -1])).toBeCloseTo(Math.log(1e5), 12);
    expect(KLOM_MAX).toBeCloseTo(11.5129, 4);
  });

  it('matches a hand-computed case', () => {
    // pooled range [0, 20], width 1: unlearned {0,0,1,20}, oracle {0,1,1,20}
    // p = [1/2, 1/4, …, 1/4 in the last bin], q = [1/4, 1/2, …, 1/4]
    const expected = 0.5 * Math.log(0.5 / 0.25) + 0.25 * Math.log(0.25 / 0.5) + 0.25 * Math.log(1);
    expect(klom([0, 0, 1, 20], [0, 1, 1, 20])).toBeCloseTo(expected, 12);
  });

  it('puts the top edge in the last bin and clips to ±100', () => {
    // 20 is the pooled maximum: in bin 19 with the oracle's 19.5, so these agree
    expect(klom([20], [19.5, 0])).toBeCloseTo(Math.log(1 / 0.5), 12);
    // 1e6 clips to 100 and lands with the oracle's 100
    expect(klom([1e6], [100, -100])).toBeCloseTo(Math.log(2), 12);
  });

  it('is computed per example from [model][example] margins', () => {
    const unlearned = [
      [1, 10],
      [1, 10],
    ];
    const oracle = [
      [1, -10],
      [1, -10],
    ];
    const per = klomPerExample(unlearned, oracle);
    expect(per[0]).toBe(0);
    expect(per[1]).toBeCloseTo(Math.log(1e5), 12);
    expect(() => klomPerExample([[1, 2]], [[1]])).toThrow(/every model/);
  });

  it('summarises with numpy-style percentiles', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([0, 10], 95)).toBeCloseTo(9.5, 12);
    const s = summariseKlom([0, 1, 2, 3]);
    expect(s.mean).toBe(1.5);
    expect(s.p99).toBeCloseTo(2.97, 12);
    expect(s.count).toBe(4);
  });
});
