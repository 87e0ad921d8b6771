/** TRAK-style attribution: one last-layer state per model (the first min(M, N) originals); no training. */
import { buildTrakState, extractLastLayer, trakStateForgetBetaSum, type TrakState } from '../../../attribution/trak';
import { NUM_CLASSES } from '../../../data/types';
import { createModel, importWeights } from '../../../models/model';
import type { Attribution } from './estimator';
import { seedFor, type RunContext } from '../context';
import type { PlannedPhase } from '../../plan';
import type { Original } from '../models';

export async function buildTrak(ctx: RunContext, phase: PlannedPhase, trained: Promise<Original[]>): Promise<Attribution> {
  const originals = await trained;
  const { spec, ds, sIdx, vIdx, points } = ctx;
  if (spec.attribution.estimator !== 'trak') throw new Error('buildTrak needs attribution.estimator "trak"');
  const { projectionDim, lambda } = spec.attribution;
  const count = phase.roles.length;
  ctx.progress.begin(phase, `TRAK on ${count} original${count === 1 ? '' : 's'}`);
  const t0 = performance.now();
  const states: TrakState[] = [];
  for (const [k, role] of phase.roles.entries()) {
    const model = createModel(spec.model, 0);
    try {
      importWeights(model, originals[k].weights);
      const data = await extractLastLayer(
        model,
        { set: ds.train, indices: sIdx },
        { set: ds.validation, indices: vIdx },
        { control: ctx.control },
      );
      states.push(await buildTrakState(data, { projectionDim, lambda, seed: seedFor(spec, role) }));
    } finally {
      model.dispose();
    }
  }
  ctx.progress.end(phase);
  return {
    estimator: 'trak',
    models: states.length,
    examples: count * points,
    seconds: (performance.now() - t0) / 1000,
    betaSum(forget) {
      const sum = new Float32Array(points * NUM_CLASSES);
      for (const state of states) {
        const one = trakStateForgetBetaSum(state, forget);
        for (let t = 0; t < sum.length; t++) sum[t] += one[t] / states.length;
      }
      return { sum };
    },
  };
}
