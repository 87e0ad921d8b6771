/**
 * The planner: from a spec (and the forget-set sizes, once known) the models an experiment needs and the
 * work each phase costs, counted in training examples (forward + backward passes). Pure: the UI shows the
 * plan before anything runs, and the runner uses the same numbers for progress and ETA.
 *
 * Model groups (per deletion request r, with cumulative forget set F_r and R_r = S \ F_r):
 * - originals: N models on S (shared by every request and reused across forget sets through the cache);
 * - oracles: N models on R_r — the reference group of KLoM;
 * - extra oracles: E more models on R_r with other seeds. They are the noise floor's second group, the
 *   Retrain method's models, and Oracle Matching's K targets. E = spec.extraOracles, raised to N when
 *   Retrain is compared and to K when Oracle Matching needs more targets;
 * - subset models: M models on random α-subsets of S for the datamodel attribution (once, any request);
 * - per method: N unlearning runs (one from each original, or from its state after request r − 1).
 */
import { METHOD_INFO, type ExperimentSpec, type MethodSpec } from './spec';

export type PhaseKind = 'originals' | 'oracles' | 'attribution' | 'method' | 'metrics';

export interface PlannedPhase {
  id: string;
  kind: PhaseKind;
  label: string;
  /** Deletion request this phase belongs to (absent for originals and the attribution). */
  request?: number;
  /** Models trained or unlearning runs in the phase. */
  models: number;
  /** Estimated training examples processed (the progress and ETA unit). */
  examples: number;
  methodId?: string;
}

export interface ExperimentPlan {
  phases: PlannedPhase[];
  /** Extra oracles per request after raising for Retrain / Oracle Matching. */
  extraOracles: number;
  totalModels: number;
  totalExamples: number;
}

/** Examples processed training one model on `count` points (the last partial batch of each epoch is dropped). */
export function trainingExamples(count: number, epochs: number, batchSize: number): number {
  const b = Math.min(batchSize, count);
  return epochs * Math.max(1, Math.floor(count / b)) * b;
}

/** Estimated examples one run of a method processes, for |F| = forget, |R| = retain. */
export function methodExamples(m: MethodSpec, forget: number, retain: number): number {
  const pass = (count: number, batch: number) => (count > 0 ? trainingExamples(count, 1, batch) : 0);
  switch (m.method) {
    case 'do-nothing':
    case 'retrain':
    case 'dm-direct':
      return 0;
    case 'oracle-matching':
    case 'dmm': {
      const p = m.params;
      const size = forget * p.forgetRepeat + Math.min(retain, Math.round(p.retainMultiplier * forget));
      return p.epochs * pass(size, p.batchSize);
    }
    case 'gradient-ascent':
      return m.params.epochs * pass(forget, m.params.batchSize);
    case 'fine-tune':
      return m.params.epochs * pass(retain, m.params.batchSize);
    case 'neggrad-plus':
      return m.params.ascentEpochs * pass(forget, m.params.forgetBatchSize) + m.params.epochs * pass(retain, m.params.batchSize);
    case 'scrub':
      return m.params.msteps * pass(forget, m.params.forgetBatchSize) + m.params.epochs * pass(retain, m.params.batchSize);
    case 'random-labels':
    case 'salun':
      return m.params.epochs * pass(forget + retain, m.params.batchSize) + (m.method === 'salun' ? forget : 0);
    case 'iau':
      return forget + retain;
  }
}

/** Extra oracles per request: the spec's count, raised for Retrain (N) and Oracle Matching (K). */
export function extraOraclesNeeded(spec: ExperimentSpec): number {
  let e = spec.extraOracles;
  for (const m of spec.methods) {
    if (m.method === 'retrain') e = Math.max(e, spec.n);
    if (m.method === 'oracle-matching') e = Math.max(e, m.params.oracles);
  }
  return e;
}

export const needsAttribution = (spec: ExperimentSpec) => spec.methods.some((m) => METHOD_INFO[m.method].usesAttribution);

/** Subset models are trained when a method needs datamodels, or a forget set is drawn from datamodel features. */
export const needsSubsetModels = (spec: ExperimentSpec) =>
  (needsAttribution(spec) && spec.attribution.estimator === 'datamodels') ||
  spec.forget.some((g) => g.kind === 'subpopulation' && g.features === 'datamodel');

/**
 * The plan. `forgetSizes[r]` is |F_r| (cumulative) when known; otherwise an estimate from the generator
 * (k, or a tenth of S for a whole class).
 */
export function planExperiment(spec: ExperimentSpec, forgetSizes?: readonly number[]): ExperimentPlan {
  const s = spec.dataset.trainSize;
  const { epochs, batchSize } = spec.recipe;
  const sizes =
    forgetSizes ??
    spec.forget.reduce<number[]>((acc, g) => {
      const k = g.kind === 'indices' ? g.indices.length : (g.k ?? Math.round(s / 10));
      acc.push((acc[acc.length - 1] ?? 0) + k);
      return acc;
    }, []);
  const extra = extraOraclesNeeded(spec);
  const phases: PlannedPhase[] = [
    { id: 'originals', kind: 'originals', label: `Originals (${spec.n} on S)`, models: spec.n, examples: spec.n * trainingExamples(s, epochs, batchSize) },
  ];
  if (needsSubsetModels(spec) && spec.attribution.estimator === 'datamodels') {
    const m = spec.attribution.models;
    const subset = Math.round(spec.attribution.alpha * s);
    phases.push({
      id: 'attribution',
      kind: 'attribution',
      label: `Subset models for datamodels (${m})`,
      models: m,
      examples: m * trainingExamples(subset, epochs, batchSize),
    });
  } else if (needsAttribution(spec)) {
    phases.push({ id: 'attribution', kind: 'attribution', label: `TRAK attribution (${spec.attribution.models} models)`, models: 0, examples: 0 });
  }
  const many = spec.forget.length > 1;
  sizes.forEach((f, r) => {
    const suffix = many ? ` — request ${r + 1}` : '';
    const retain = s - f;
    const oracles = spec.n + extra;
    phases.push({
      id: `oracles-${r}`,
      kind: 'oracles',
      label: `Oracles (${spec.n} + ${extra} on R)${suffix}`,
      request: r,
      models: oracles,
      examples: oracles * trainingExamples(retain, epochs, batchSize),
    });
    const requestSize = f - (sizes[r - 1] ?? 0);
    for (const m of spec.methods) {
      phases.push({
        id: `method-${m.id}-${r}`,
        kind: 'method',
        label: `${METHOD_INFO[m.method].label}${m.id === m.method ? '' : ` (${m.id})`}${suffix}`,
        request: r,
        models: m.method === 'retrain' ? 0 : spec.n,
        examples: spec.n * methodExamples(m, requestSize, retain),
        methodId: m.id,
      });
    }
    phases.push({ id: `metrics-${r}`, kind: 'metrics', label: `Metrics${suffix}`, request: r, models: 0, examples: 0 });
  });
  return {
    phases,
    extraOracles: extra,
    totalModels: phases.reduce((t, p) => t + p.models, 0),
    totalExamples: phases.reduce((t, p) => t + p.examples, 0),
  };
}
