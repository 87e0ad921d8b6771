/**
 * The planner: from a spec (and the forget-set sizes, once known) the models an experiment needs, the roles
 * that seed them and the work each phase costs, counted in training examples (forward + backward passes).
 * Pure: the UI shows the plan before anything runs, and the runner takes its phase ids and roles from it.
 *
 * Model groups (per deletion request r, with cumulative forget set F_r and R_r = S \ F_r):
 * - originals: N models on S (shared by every request and reused across forget sets through the cache);
 * - oracles: N models on R_r — the reference group of KLoM;
 * - extra oracles: E more models on R_r with other seeds. They are the noise floor's second group, and the
 *   models of methods that need independent oracles (Retrain's N, Oracle Matching's K). E = spec.extraOracles,
 *   raised to what the methods declare in the catalog;
 * - subset models: M models on random α-subsets of S for the datamodel attribution (once, any request);
 * - per method: N unlearning runs (one from each original, or from its state after request r − 1).
 */
import { KERNEL_EXAMPLE_COST, KERNEL_MODELS } from '../attribution/kernelDefaults';
import { trainingExamples } from '../train/schedule';
import { methodMeta } from '../unlearn/catalog';
import type { ExperimentSpec, ExperimentSpecInput, MethodSpec } from './spec';

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
  /** One role per model or run: each one's seed derives from spec.seed and its role. */
  roles: string[];
}

export interface RequestPlan {
  /** N oracles then the extra ones (roles `oracle-<r>-<k>`). */
  oracles: PlannedPhase;
  /** One phase per spec method, in spec order. */
  methods: PlannedPhase[];
  metrics: PlannedPhase;
}

export interface ExperimentPlan {
  phases: PlannedPhase[];
  originals: PlannedPhase;
  attribution?: PlannedPhase;
  requests: RequestPlan[];
  /** Extra oracles per request after raising for the methods that need them. */
  extraOracles: number;
  totalModels: number;
  totalExamples: number;
}

/** Estimated examples one run of a method processes, for |F| = forget, |R| = retain. */
function methodExamples(m: MethodSpec, forget: number, retain: number): number {
  return methodMeta(m.method).examples(m.params, forget, retain);
}

/** Extra oracles per request: the spec's count, raised to what its methods need. */
export function extraOraclesNeeded(spec: ExperimentSpec): number {
  return spec.methods.reduce((e, m) => Math.max(e, methodMeta(m.method).needs?.extraOracles?.(m.params, spec.n) ?? 0), spec.extraOracles);
}

export const needsAttribution = (spec: ExperimentSpec) => spec.methods.some((m) => methodMeta(m.method).needs?.attribution);

/**
 * The spec that trains exactly `spec`'s models that no method depends on (originals, oracles with every extra one a
 * method needs, subset models) and runs no method that trains: what a shipped pack holds. What does not change
 * those models (metrics, the datamodel terms DM-Direct sums) is set to one value, so specs that differ only there
 * share it.
 */
export function modelsOnly(spec: ExperimentSpec): ExperimentSpecInput {
  const { attribution } = spec;
  return {
    ...spec,
    // The terms only change what DM-Direct sums, never which models are trained.
    attribution:
      attribution.estimator === 'datamodels'
        ? { estimator: 'datamodels', models: attribution.models, alpha: attribution.alpha, terms: 'diagonal' }
        : attribution,
    metrics: ['accuracy'],
    extraOracles: extraOraclesNeeded(spec),
    methods: [
      { id: 'do-nothing', method: 'do-nothing' },
      ...(needsAttribution(spec) ? [{ id: 'dm-direct', method: 'dm-direct' as const }] : []),
    ],
  };
}

/** Subset models are trained when a method needs datamodels, or a forget set is drawn from datamodel features. */
export const needsSubsetModels = (spec: ExperimentSpec) =>
  (needsAttribution(spec) && spec.attribution.estimator === 'datamodels') ||
  spec.forget.some((g) => g.kind === 'subpopulation' && g.features === 'datamodel');

/** A method's display name in this spec: its label, and its id when that differs from the method's name. */
export const methodLabel = (m: MethodSpec) => `${methodMeta(m.method).label}${m.id === m.method ? '' : ` (${m.id})`}`;

const roles = (prefix: string, count: number) => Array.from({ length: count }, (_, k) => `${prefix}-${k}`);

function attributionPhase(spec: ExperimentSpec): PlannedPhase | undefined {
  const s = spec.dataset.trainSize;
  const { epochs, batchSize } = spec.recipe;
  if (needsSubsetModels(spec) && spec.attribution.estimator === 'datamodels') {
    const m = spec.attribution.models;
    const kernels = spec.attribution.terms === 'kernel' ? Math.min(spec.attribution.kernelModels ?? KERNEL_MODELS, spec.n) : 0;
    return {
      id: 'attribution',
      kind: 'attribution',
      label: `Subset models for datamodels (${m})${kernels ? ` and ${kernels} gradient kernels` : ''}`,
      models: m,
      examples:
        m * trainingExamples(Math.round(spec.attribution.alpha * s), epochs, batchSize) +
        kernels * (s + spec.dataset.validationSize) * KERNEL_EXAMPLE_COST,
      roles: roles('subset', m),
    };
  }
  if (needsAttribution(spec)) {
    const count = Math.min(spec.attribution.models, spec.n);
    return {
      id: 'attribution',
      kind: 'attribution',
      label: `TRAK attribution (${spec.attribution.models} models)`,
      models: 0,
      examples: 0,
      roles: roles('trak', count),
    };
  }
  return undefined;
}

function requestPlan(spec: ExperimentSpec, r: number, forget: number, requestSize: number, extra: number): RequestPlan {
  const { epochs, batchSize } = spec.recipe;
  const suffix = spec.forget.length > 1 ? ` — request ${r + 1}` : '';
  const retain = spec.dataset.trainSize - forget;
  const count = spec.n + extra;
  return {
    oracles: {
      id: `oracles-${r}`,
      kind: 'oracles',
      label: `Oracles (${spec.n} + ${extra} on R)${suffix}`,
      request: r,
      models: count,
      examples: count * trainingExamples(retain, epochs, batchSize),
      roles: roles(`oracle-${r}`, count),
    },
    methods: spec.methods.map((m) => {
      const runs = methodMeta(m.method).reference === 'independent-oracles' ? 0 : spec.n;
      return {
        id: `method-${m.id}-${r}`,
        kind: 'method',
        label: `${methodLabel(m)}${suffix}`,
        request: r,
        models: runs,
        examples: spec.n * methodExamples(m, requestSize, retain),
        methodId: m.id,
        roles: roles(`method-${m.id}-${r}`, runs),
      };
    }),
    metrics: { id: `metrics-${r}`, kind: 'metrics', label: `Metrics${suffix}`, request: r, models: 0, examples: 0, roles: [] },
  };
}

/**
 * The plan. `forgetSizes[r]` is |F_r| (cumulative) when known; otherwise an estimate from the generator
 * (k, or a tenth of S for a whole class).
 */
export function planExperiment(spec: ExperimentSpec, forgetSizes?: readonly number[]): ExperimentPlan {
  const s = spec.dataset.trainSize;
  const sizes =
    forgetSizes ??
    spec.forget.reduce<number[]>((acc, g) => {
      const k = g.kind === 'indices' ? g.indices.length : (g.k ?? Math.round(s / 10));
      acc.push((acc[acc.length - 1] ?? 0) + k);
      return acc;
    }, []);
  const extra = extraOraclesNeeded(spec);
  const originals: PlannedPhase = {
    id: 'originals',
    kind: 'originals',
    label: `Originals (${spec.n} on S)`,
    models: spec.n,
    examples: spec.n * trainingExamples(s, spec.recipe.epochs, spec.recipe.batchSize),
    roles: roles('original', spec.n),
  };
  const attribution = attributionPhase(spec);
  const requests = sizes.map((f, r) => requestPlan(spec, r, f, f - (sizes[r - 1] ?? 0), extra));
  const phases = [originals, ...(attribution ? [attribution] : []), ...requests.flatMap((q) => [q.oracles, ...q.methods, q.metrics])];
  return {
    phases,
    originals,
    attribution,
    requests,
    extraOracles: extra,
    totalModels: phases.reduce((t, p) => t + p.models, 0),
    totalExamples: phases.reduce((t, p) => t + p.examples, 0),
  };
}
