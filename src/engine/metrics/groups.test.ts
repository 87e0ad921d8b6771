import { describe, expect, it } from 'vitest';
import { accuracyFromLogits, marginsFromLogits } from './margins';
import { meanAccuracy, meanPositiveMarginRate, positiveMarginRate, summariseSplits } from './groups';

describe('group summaries', () => {
  it('margin > 0 is p_y > ½: it implies a correct argmax, not conversely', () => {
    // example 0: confident and right; 1: right by argmax but p_y < ½ (margin < 0); 2: wrong; 3: tie 0/1, label 0
    const logits = Float32Array.from(
      [
        [5, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
        [0, 3, 0, 0, 0, 0, 0, 0, 0, 0],
        [2, 2, 0, 0, 0, 0, 0, 0, 0, 0],
      ].flat(),
    );
    const labels = [0, 0, 0, 0];
    const margins = marginsFromLogits(logits, labels);
    expect(margins[0]).toBeGreaterThan(0);
    expect(margins[1]).toBeLessThan(0);
    expect(margins[3]).toBeLessThan(0); // never > 0 on a tie
    expect(positiveMarginRate(margins)).toBe(0.25);
    expect(accuracyFromLogits(logits, labels)).toBe(0.75); // the tie counts for the lower class index
    expect(meanAccuracy([logits], labels)).toBe(0.75);
    // bounds: rate(φ > 0) ≤ accuracy ≤ rate(φ > −ln 9)
    const upper = Array.from(margins).filter((m) => m > -Math.log(9)).length / 4;
    expect(upper).toBeGreaterThanOrEqual(0.75);
  });

  it('averages over models and restricts to a split', () => {
    const m1 = [1, -1, 2, 3];
    const m2 = [-1, -1, 2, -3];
    expect(meanPositiveMarginRate([m1, m2])).toBeCloseTo((0.75 + 0.25) / 2, 12);
    expect(meanPositiveMarginRate([m1, m2], [2, 3])).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(positiveMarginRate([], [])).toBeNaN();
  });

  it('summarises every split', () => {
    const labels = [0, 1, 2];
    const oneHot = (right: boolean[]) =>
      Float32Array.from(labels.flatMap((y, i) => Array.from({ length: 10 }, (_, c) => (c === (right[i] ? y : 9) ? 4 : 0))));
    const logits = [oneHot([true, true, false]), oneHot([true, false, false])];
    const margins = logits.map((l) => marginsFromLogits(l, labels));
    const s = summariseSplits({ margins, logits, labels }, { forget: [0], retain: [1, 2] });
    expect(s.forget).toMatchObject({ count: 1, accuracy: 1, accuracyStd: 0, positiveMarginRate: 1 });
    expect(s.retain.accuracy).toBeCloseTo(0.25, 12);
    expect(s.retain.accuracyStd).toBeCloseTo(0.25, 12);
    expect(s.retain.meanMargin).toBeCloseTo((margins[0][1] + margins[0][2] + margins[1][1] + margins[1][2]) / 4, 6);
    expect(summariseSplits({ margins }, { forget: [0] }).forget.accuracy).toBeNaN();
    expect(() => meanAccuracy([new Float32Array(5)], labels)).toThrow(/expected 30 logits/);
  });
});
