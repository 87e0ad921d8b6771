import { describe, expect, it } from 'vitest';
import { predictionSkill, shiftSkill } from './attributionSkill';
import { olsSlope } from './correlation';

describe('attribution skill', () => {
  const original = [1, 2, 3, 4];
  const oracle = [0, 2, 1, 4]; // true shift Δ = [−1, 0, −2, 0]

  it('a perfect prediction: r 1, slope 1, skill 1', () => {
    expect(shiftSkill(oracle, original, oracle)).toEqual({ shiftR: 1, shiftSlope: 1, skill: 1 });
  });

  it('predicting no change scores skill 0 and an undefined r and slope', () => {
    const s = shiftSkill(original, original, oracle);
    expect(s.skill).toBe(0);
    expect(s.shiftR).toBeNaN();
    expect(s.shiftSlope).toBe(0);
  });

  it('an overshoot by 2: r 1, slope 2, skill 1 − Σ(Δ)²/Σ(Δ)² = 0', () => {
    const predicted = original.map((o, j) => o + 2 * (oracle[j] - o));
    const s = shiftSkill(predicted, original, oracle);
    expect(s.shiftR).toBeCloseTo(1, 12);
    expect(s.shiftSlope).toBeCloseTo(2, 12);
    expect(s.skill).toBeCloseTo(0, 12);
  });

  it('matches a hand-computed case, with a ceiling', () => {
    // Δ = [−1, 0, −2, 0]; predicted m̂ = [1, 1, 2, 4] ⇒ Δ̂ = [0, −1, −1, 0]
    // errors m̂ − m̄ora = [1, −1, 1, 0] ⇒ Σ 3; Σ Δ² = 5 ⇒ skill = 1 − 3/5 = 0.4
    // means: Δ −0.75, Δ̂ −0.5; dev Δ [−0.25, 0.75, −1.25, 0.75], dev Δ̂ [0.5, −0.5, −0.5, 0.5]
    // Σ dΔ·dΔ̂ = −0.125 − 0.375 + 0.625 + 0.375 = 0.5; Σ dΔ² = 2.75; Σ dΔ̂² = 1
    // slope = 0.5 / 2.75; r = 0.5 / √2.75
    // ceiling predictor [0, 2, 2, 4]: errors [0, 0, 1, 0] ⇒ 1 − 1/5 = 0.8
    const s = shiftSkill([1, 1, 2, 4], original, oracle, [0, 2, 2, 4]);
    expect(s.skill).toBeCloseTo(0.4, 12);
    expect(s.shiftSlope).toBeCloseTo(0.5 / 2.75, 12);
    expect(s.shiftR).toBeCloseTo(0.5 / Math.sqrt(2.75), 12);
    expect(s.ceiling).toBeCloseTo(0.8, 12);
  });

  it('targets worse than the original give negative skill', () => {
    expect(predictionSkill([5, 5, 5, 5], original, oracle)).toBeLessThan(0);
  });

  it('is NaN without a true shift and checks lengths', () => {
    expect(predictionSkill([1, 2], [1, 2], [1, 2])).toBeNaN();
    expect(olsSlope([1], [2])).toBeNaN();
    expect(olsSlope([3, 3], [1, 2])).toBeNaN();
    expect(() => shiftSkill([1, 2], [1], [1, 2])).toThrow(/equal lengths/);
  });
});
