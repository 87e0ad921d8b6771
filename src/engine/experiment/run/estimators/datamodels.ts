/**
 * Subset datamodels (the paper's estimator): M models trained on random α-subsets of S; β by difference in
 * means over the subset masks. The subset models never depend on F, so they serve every request and forget set.
 */
import { forgetBetaDiagonal, forgetBetaPooled, forgetBetaSum, forgetModelWeights, halfSubsetMasks } from '../../../attribution/datamodels';
import { NUM_CLASSES } from '../../../data/types';
import { marginsFromLogits } from '../../../metrics/margins';
import { createRng } from '../../../rng';
import type { FeatureMatrix } from '../../forgetSets';
import type { PlannedPhase } from '../../plan';
import type { Attribution } from './estimator';
import { addNote, seedFor, type RunContext } from '../context';
import { trainGroup } from '../models';

export async function buildDatamodels(ctx: RunContext, phase: PlannedPhase): Promise<Attribution> {
  const { spec, sIdx, points } = ctx;
  if (spec.attribution.estimator !== 'datamodels') throw new Error('buildDatamodels needs attribution.estimator "datamodels"');
  const s = sIdx.length;
  const models = spec.attribution.models;
  const masks = halfSubsetMasks(s, models, seedFor(spec, 'subset-masks'), spec.attribution.alpha);
  const t0 = performance.now();
  const trained = await trainGroup(ctx, phase, (k) => Int32Array.from(sIdx.filter((i) => masks[k * s + i] === 1)), false);
  const outputs = new Float32Array(models * points * NUM_CLASSES);
  trained.forEach((t, k) => outputs.set(t.logits, k * points * NUM_CLASSES));
  const inSubsets = (i: number) => {
    let count = 0;
    for (let m = 0; m < models; m++) count += masks[m * s + i];
    return count;
  };
  return {
    estimator: 'datamodels',
    models,
    examples: trained.reduce((a, t) => a + t.examplesProcessed, 0),
    seconds: trained.some((t) => t.cached) ? trained.reduce((a, t) => a + t.seconds, 0) : (performance.now() - t0) / 1000,
    betaSum(forget) {
      // A point in every subset or in none has no difference-in-means estimate: count it as no effect, and say so.
      const estimable = Array.from(forget).filter((i) => inSubsets(i) > 0 && inSubsets(i) < models);
      if (estimable.length < forget.length) {
        addNote(
          ctx,
          `${forget.length - estimable.length} of ${forget.length} forget points are in all or none of the ${models} subset models, ` +
            'so their datamodel effect is unknown and counted as zero; use more subset models',
        );
      }
      const terms = spec.attribution.estimator === 'datamodels' ? spec.attribution.terms : 'all';
      if (terms === 'pooled') return { sum: forgetBetaPooled(masks, models, s, outputs, points, NUM_CLASSES, estimable, ctx.labels) };
      const estimate = terms === 'diagonal' ? forgetBetaDiagonal : forgetBetaSum;
      return { sum: estimate(masks, models, s, outputs, points, NUM_CLASSES, estimable) };
    },
    features: (seed) => datamodelFeatures(masks, outputs, s, points, ctx.labels, seed),
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
