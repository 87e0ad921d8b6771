import { describe, expect, it } from 'vitest';
import { niceDomain, niceStep } from './niceScale';

describe('nice scales', () => {
  it('steps at 1, 2, 2.5, 5 × 10^k', () => {
    expect(niceStep(0.35, 4)).toBe(0.1);
    expect(niceStep(31, 4)).toBe(10);
    expect(niceStep(9, 4)).toBe(2.5);
    expect(niceStep(0, 4)).toBe(1);
  });
  it('covers the range with round ends', () => {
    expect(niceDomain(-27.3, 4.1)).toEqual({ domain: [-30, 10], ticks: [-30, -20, -10, 0, 10] });
    expect(niceDomain(0, 0.33)).toEqual({ domain: [0, 0.4], ticks: [0, 0.1, 0.2, 0.3, 0.4] });
    expect(niceDomain(0, 11.2).ticks).toEqual([0, 5, 10, 15]);
    expect(niceDomain(0, 2, 4, true).ticks).toEqual([0, 1, 2]);
  });
});
