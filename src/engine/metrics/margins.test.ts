import { describe, expect, it } from 'vitest';
import { accuracyFromLogits, margin, marginsFromLogits } from './margins';

describe('margins', () => {
  it('is z_y − logsumexp of the other logits', () => {
    const z = [1, 2, 3];
    // label 2: 3 − ln(e^1 + e^2)
    expect(margin(z, 0, 3, 2)).toBeCloseTo(3 - Math.log(Math.exp(1) + Math.exp(2)), 12);
    // label 0: 1 − ln(e^2 + e^3), negative: the model is wrong
    expect(margin(z, 0, 3, 0)).toBeCloseTo(1 - Math.log(Math.exp(2) + Math.exp(3)), 12);
  });

  it('equals the log-odds of the true class: φ = log p_y − log(1 − p_y)', () => {
    const z = [0.3, -1.2, 2.5, 0.7, -0.1];
    const ps = z.map(Math.exp);
    const total = ps.reduce((a, b) => a + b);
    const p = ps[3] / total;
    expect(margin(z, 0, 5, 3)).toBeCloseTo(Math.log(p / (1 - p)), 10);
  });

  it('is stable for huge logits (no overflow)', () => {
    expect(margin([1000, 990, 980], 0, 3, 0)).toBeCloseTo(10 - Math.log1p(Math.exp(-10)), 8);
    expect(Number.isFinite(margin([-1e4, 1e4], 0, 2, 0))).toBe(true);
  });

  it('computes per-row margins and accuracy for a logits matrix', () => {
    const logits = new Float32Array([5, 0, 0, /* */ 0, 0, 5, /* */ 1, 1, 1]);
    const labels = [0, 0, 2];
    const m = marginsFromLogits(logits, labels, 3);
    expect(m[0]).toBeCloseTo(5 - Math.log(2), 5);
    expect(m[1]).toBeCloseTo(0 - Math.log(1 + Math.exp(5)), 5);
    expect(m[2]).toBeCloseTo(-Math.log(2), 5);
    // row 2 is a tie: arg-max takes the first class, so it counts as wrong for label 2
    expect(accuracyFromLogits(logits, labels, 3)).toBeCloseTo(1 / 3, 10);
  });

  it('rejects a logits array of the wrong length', () => {
    expect(() => marginsFromLogits(new Float32Array(5), [0, 1], 3)).toThrow(/expected 6 logits/);
  });
});
