/**
 * Subset datamodels (the paper's estimator): M models trained on random α-subsets of S; β by difference in
 * means over the subset masks. The subset models never depend on F, so they serve every request and forget set.
 */
import { forgetBetaDiagonal, forgetBetaPooled, forgetBetaSum, forgetModelWeights, halfSubsetMasks } from '../../../attribution/datamodels';
import { kernelSolver, type GradientKernel } from '../../../attribution/gradientKernel';
import { KERNEL_EXAMPLE_COST, KERNEL_LAMBDA, KERNEL_MODELS } from '../../../attribution/kernelDefaults';
import { forgetBetaKernel, kernelScale, meanSelfEffect } from '../../../attribution/kernelTerms';
import { cacheKey } from '../../../cache/key';
import { NUM_CLASSES } from '../../../data/types';
import { marginsFromLogits } from '../../../metrics/margins';
import { createRng } from '../../../rng';
import type { FeatureMatrix } from '../../forgetSets';
import type { PlannedPhase } from '../../plan';
import type { Attribution } from './estimator';
import { ENGINE_CACHE_VERSION, addNote, seedFor, type RunContext } from '../context';
import { allJobs } from '../jobs';
import { trainGroup, type Original } from '../models';

export async function buildDatamodels(ctx: RunContext, phase: PlannedPhase, trainedOriginals: Promise<Original[]>): Promise<Attribution> {
  const { spec, sIdx, points } = ctx;
  if (spec.attribution.estimator !== 'datamodels') throw new Error('buildDatamodels needs attribution.estimator "datamodels"');
  const s = sIdx.length;
  const models = spec.attribution.models;
  const masks = halfSubsetMasks(s, models, seedFor(spec, 'subset-masks'), spec.attribution.alpha);
  const t0 = performance.now();
  const trained = await trainGroup(ctx, phase, (k) => Int32Array.from(sIdx.filter((i) => masks[k * s + i] === 1)), false);
  const subsetSeconds = trained.some((t) => t.cached) ? trained.reduce((a, t) => a + t.seconds, 0) : (performance.now() - t0) / 1000;
  const outputs = new Float32Array(models * points * NUM_CLASSES);
  trained.forEach((t, k) => outputs.set(t.logits, k * points * NUM_CLASSES));
  const inSubsets = (i: number) => {
    let count = 0;
    for (let m = 0; m < models; m++) count += masks[m * s + i];
    return count;
  };
  const terms = spec.attribution.terms;
  // A point in every subset or in none has no difference-in-means estimate.
  const isEstimable = (i: number) => inSubsets(i) > 0 && inSubsets(i) < models;
  const kernel =
    terms === 'kernel' ? await kernelTerms(ctx, phase, await trainedOriginals, masks, outputs, sIdx.filter(isEstimable)) : undefined;
  return {
    estimator: 'datamodels',
    models,
    examples: trained.reduce((a, t) => a + t.examplesProcessed, 0) + (kernel?.examples ?? 0),
    seconds: subsetSeconds + (kernel?.seconds ?? 0),
    ...(kernel ? { kernel: { models: kernel.solvers.length, lambda: kernel.lambda, scale: kernel.scale } } : {}),
    betaSum(forget) {
      // Count a point no subset model can estimate as no effect, and say so.
      const estimable = Array.from(forget).filter(isEstimable);
      if (estimable.length < forget.length) {
        addNote(
          ctx,
          `${forget.length - estimable.length} of ${forget.length} forget points are in all or none of the ${models} subset models, ` +
            'so their datamodel effect is unknown and counted as zero; use more subset models',
        );
      }
      if (kernel) {
        const diagonal = forgetBetaDiagonal(masks, models, s, outputs, points, NUM_CLASSES, estimable);
        return { sum: forgetBetaKernel(diagonal, kernel.solvers, kernel.scale, estimable, kernel.meanLogits, ctx.labels, NUM_CLASSES) };
      }
      if (terms === 'pooled') return { sum: forgetBetaPooled(masks, models, s, outputs, points, NUM_CLASSES, estimable, ctx.labels) };
      const estimate = terms === 'diagonal' ? forgetBetaDiagonal : forgetBetaSum;
      return { sum: estimate(masks, models, s, outputs, points, NUM_CLASSES, estimable) };
    },
    features: (seed) => datamodelFeatures(masks, outputs, s, points, ctx.labels, seed),
  };
}

/**
 * The 'kernel' terms' ingredients: the whole-network gradient kernel of the first KERNEL_MODELS originals
 * (cached by the original's key: it depends on nothing else) and the scale that matches its self-effects to the
 * subset models' diagonal.
 */
async function kernelTerms(
  ctx: RunContext,
  phase: PlannedPhase,
  originals: Original[],
  masks: Uint8Array,
  outputs: Float32Array,
  estimable: Int32Array,
) {
  const { spec, sIdx, points, labels } = ctx;
  const s = sIdx.length;
  const { kernelModels = KERNEL_MODELS, kernelLambda = KERNEL_LAMBDA } =
    spec.attribution.estimator === 'datamodels' ? spec.attribution : {};
  const count = Math.min(kernelModels, originals.length);
  const { trainSize, validationSize } = spec.dataset;
  // One job per original, as many at once as the executor runs.
  const kernels = await allJobs(
    originals.slice(0, count).map(async (original, k): Promise<GradientKernel & { seconds: number }> => {
      const seed = seedFor(spec, `kernel-${k}`);
      const key = await cacheKey({ kind: 'margin-kernel', engine: ENGINE_CACHE_VERSION, original: original.key, points, seed });
      const hit = await ctx.cache.get(key);
      if (hit?.outputs.kernel?.length === points * s && hit.outputs.residual?.length === s) {
        const { seconds = 0 } = hit.meta as { seconds?: number };
        ctx.progress.workDone(points * KERNEL_EXAMPLE_COST, true);
        return { kernel: hit.outputs.kernel, residual: hit.outputs.residual, points, trainCount: s, seconds };
      }
      const label = `Gradient kernel of original ${k + 1} of ${count}`;
      ctx.progress.begin(phase, label);
      const out = await ctx.executor.run(
        { kind: 'kernel', label, model: spec.model, from: original.weights, seed, trainSize, validationSize },
        (p) => ctx.progress.step(p.detail, p.fraction),
      );
      if (!out.kernel) throw new Error(`${label}: the job returned no kernel`);
      ctx.progress.workDone(out.examplesProcessed, false);
      await ctx.cache.put({
        key,
        kind: 'outputs',
        description: `Gradient kernel of original ${k} (${points} points × ${s} training points)`,
        outputs: { kernel: out.kernel.kernel, residual: out.kernel.residual },
        meta: { seconds: out.seconds },
        createdAt: new Date().toISOString(),
      });
      return { ...out.kernel, points, trainCount: s, seconds: out.seconds };
    }),
  );
  const solvers = kernels.map((kernel) => kernelSolver(kernel, kernelLambda));
  ctx.progress.end(phase);
  // The subset models' diagonal on every training point they can estimate, as a margin effect averaged over the
  // originals; the others stay NaN and out of the fit.
  const models = masks.length / s;
  const diagonal = forgetBetaDiagonal(masks, models, s, outputs, points, NUM_CLASSES, estimable);
  const diagonalMargin = new Float64Array(s).fill(Number.NaN);
  for (const i of estimable) diagonalMargin[i] = 0;
  const meanLogits = new Float32Array(points * NUM_CLASSES);
  for (const o of originals) {
    const before = marginsFromLogits(o.logits.subarray(0, s * NUM_CLASSES), labels.subarray(0, s));
    const after = marginsFromLogits(
      Float32Array.from(o.logits.subarray(0, s * NUM_CLASSES), (z, t) => z - diagonal[t]),
      labels.subarray(0, s),
    );
    for (const i of estimable) diagonalMargin[i] += (before[i] - after[i]) / originals.length;
    for (let t = 0; t < meanLogits.length; t++) meanLogits[t] += o.logits[t] / originals.length;
  }
  return {
    solvers,
    lambda: kernelLambda,
    scale: kernelScale(meanSelfEffect(solvers), diagonalMargin),
    meanLogits,
    // A kernel's cost, like a subset model's, is what computing it took, cached or not.
    examples: count * points * KERNEL_EXAMPLE_COST,
    seconds: kernels.reduce((a, k) => a + k.seconds, 0),
  };
}

/**
 * Rows of the train × train datamodel matrix (margins), randomly projected to 64 dimensions:
 * β_margin[i, ·] = Σ_m w_i[m]·φ_m(·) with w_i from the subset masks (forgetModelWeights for F = {i}), so
 * row i of β·G is w_i·(Φ·G) — never forming the |S|×|S| matrix. Projection preserves the principal
 * directions' geometry (Johnson–Lindenstrauss) well enough to find coherent subpopulations.
 */
function datamodelFeatures(
  masks: Uint8Array,
  outputs: Float32Array,
  s: number,
  points: number,
  labels: Uint8Array,
  seed: number,
): FeatureMatrix {
  const models = masks.length / s;
  const d = 64;
  const rng = createRng(seed);
  const g = Float64Array.from({ length: s * d }, () => rng.normal() / Math.sqrt(d));
  // Y[m] = Φ_m(S) · G: each subset model's margins on S, projected.
  const y = new Float64Array(models * d);
  for (let m = 0; m < models; m++) {
    const margins = marginsFromLogits(outputs.subarray(m * points * NUM_CLASSES, (m * points + s) * NUM_CLASSES), labels.subarray(0, s));
    for (let j = 0; j < s; j++) for (let c = 0; c < d; c++) y[m * d + c] += margins[j] * g[j * d + c];
  }
  const values = new Float32Array(s * d);
  for (let i = 0; i < s; i++) {
    const w = forgetModelWeights(masks, models, s, [i]);
    for (let m = 0; m < models; m++) for (let c = 0; c < d; c++) values[i * d + c] += w[m] * y[m * d + c];
  }
  return { values, rows: s, cols: d };
}
