import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { kernelForgetEffect, kernelSolver, type GradientKernel } from './gradientKernel';
import { forgetBetaKernel, kernelScale, meanSelfEffect } from './kernelTerms';
import { outputGradients } from './trak';

const C = 10;

function kernelOf(points: number, train: number, seed: number): GradientKernel {
  const rng = createRng(seed);
  const d = 6;
  const phi = Float64Array.from({ length: points * d }, () => rng.normal());
  const kernel = new Float32Array(points * train);
  for (let j = 0; j < points; j++)
    for (let i = 0; i < train; i++) for (let t = 0; t < d; t++) kernel[j * train + i] += phi[j * d + t] * phi[i * d + t];
  return { kernel, residual: Float32Array.from({ length: train }, () => 0.2 + 0.6 * rng.next()), points, trainCount: train };
}

describe('kernelScale', () => {
  it('recovers the factor between the kernel’s self-effects and the diagonal, through 0', () => {
    const self = [0.5, 1, 2, 3, 0.1];
    expect(
      kernelScale(
        self,
        self.map((x) => 7 * x),
      ),
    ).toBeCloseTo(7, 10);
  });

  it('is 0 when the kernel points the wrong way or says nothing, and skips non-finite entries', () => {
    expect(kernelScale([1, 2], [-1, -2])).toBe(0);
    expect(kernelScale([0, 0], [1, 2])).toBe(0);
    expect(kernelScale([1, 2, NaN], [3, 6, 1])).toBeCloseTo(3, 10);
    expect(() => kernelScale([1], [1, 2])).toThrow(/1 kernel self-effects but 2 diagonal/);
  });
});

describe('forgetBetaKernel', () => {
  const train = 12;
  const points = 16; // 12 training points, then 4 validation points
  const solvers = [kernelSolver(kernelOf(points, train, 1), 0.3), kernelSolver(kernelOf(points, train, 2), 0.3)];
  const rng = createRng(5);
  const logits = Float32Array.from({ length: points * C }, () => rng.normal());
  const labels = Int32Array.from({ length: points }, (_, j) => j % C);
  const forget = [1, 4, 7];
  const diagonal = new Float32Array(points * C);
  for (const f of forget) for (let c = 0; c < C; c++) diagonal[f * C + c] = rng.normal();
  const scale = 2.5;
  const sum = forgetBetaKernel(diagonal, solvers, scale, forget, logits, labels, C);
  const effect = solvers.map((s) => kernelForgetEffect(s, forget));
  const meanEffect = (j: number) => (effect[0][j] + effect[1][j]) / 2;
  const self = meanSelfEffect(solvers);
  /** The change of point j's margin (to first order) that a logit change moves it by. */
  const marginChange = (j: number, dz: ArrayLike<number>) => {
    const a = new Float32Array(points * C);
    outputGradients(logits, j, C, labels[j], a, new Float32Array(points * C));
    let s = 0;
    for (let c = 0; c < C; c++) s += a[j * C + c] * dz[c];
    return s;
  };

  it('leaves retained points at no change', () => {
    for (let j = 0; j < train; j++)
      if (!forget.includes(j)) expect(Array.from(sum.subarray(j * C, (j + 1) * C))).toEqual(new Array(C).fill(0));
  });

  it('moves validation margins by the scaled ensemble effect', () => {
    for (let j = train; j < points; j++) expect(marginChange(j, sum.subarray(j * C, (j + 1) * C))).toBeCloseTo(scale * meanEffect(j), 4);
  });

  it('adds to each forget point’s diagonal the scaled effect of the other forget points (its own left out)', () => {
    for (const f of forget) {
      const extra = Array.from({ length: C }, (_, c) => sum[f * C + c] - diagonal[f * C + c]);
      expect(marginChange(f, extra)).toBeCloseTo(scale * (meanEffect(f) - self[f]), 4);
    }
  });

  it('refuses arrays that do not cover the kernel’s points', () => {
    expect(() => forgetBetaKernel(diagonal.subarray(C), solvers, scale, forget, logits, labels, C)).toThrow(
      /must cover the kernel's 16 points/,
    );
  });
});
