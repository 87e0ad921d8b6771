/**
 * Editing an experiment spec from the page: immutable updates of a draft (which may hold invalid values
 * while the user types), field errors keyed by the spec's paths, method and preset helpers, and the
 * forget-set helpers the picker needs. The draft becomes a spec only through parseSpec.
 */
import {
  DATASET_LIMITS,
  DEFAULT_SPEC,
  PRESETS,
  parseSpec,
  safeParseSpec,
  type ExperimentSpec,
  type ForgetGenerator,
  type MethodName,
  type MethodSettings,
  type MethodSpec,
  type PresetId,
} from '../../engine/experiment/spec';
import { planExperiment, type ExperimentPlan } from '../../engine/experiment/plan';
import type { DatasetSummary } from '../../worker/protocol';

/** What the form edits: shaped like a spec; numbers may be NaN while a field is empty. */
export type Draft = ExperimentSpec;

export type ParsedDraft =
  { ok: true; spec: ExperimentSpec; errors: Record<string, string> } | { ok: false; errors: Record<string, string>; message: string };

/** Validates a draft; errors are keyed by the field's path (`methods[2].params.lr`). */
export function checkDraft(draft: Draft): ParsedDraft {
  const parsed = safeParseSpec(draft);
  if (parsed.ok) return { ok: true, spec: parsed.spec, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) errors[issue.path] ??= issue.message;
  return { ok: false, errors, message: parsed.error.message };
}

/** The error for a field or anything inside it (e.g. `forget[0]` collects `forget[0].k`). */
export function errorUnder(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const key = Object.keys(errors).find((k) => k.startsWith(`${path}.`) || k.startsWith(`${path}[`));
  return key ? `${key}: ${errors[key]}` : undefined;
}

/** Immutable set at a path of keys and indices. */
export function setIn<T>(obj: T, path: readonly (string | number)[], value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  const container = (obj ?? (typeof head === 'number' ? [] : {})) as Record<string | number, unknown>;
  const copy = (Array.isArray(container) ? [...container] : { ...container }) as Record<string | number, unknown>;
  copy[head] = setIn(container[head], rest, value);
  return copy as T;
}

export function presetSpec(id: PresetId): ExperimentSpec {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`no preset ${id}`);
  return parseSpec(preset.spec);
}

/** The preset a spec equals, if any (compared through the canonical form). */
export function matchingPreset(spec: ExperimentSpec): PresetId | undefined {
  const text = JSON.stringify(spec);
  return PRESETS.find((p) => JSON.stringify(parseSpec(p.spec)) === text)?.id;
}

/** A method's hyperparameters at its browser-scale defaults or at the published values. */
export function methodDefaults(method: MethodName, settings: MethodSettings = 'browser'): MethodSpec['params'] {
  return parseSpec({ ...DEFAULT_SPEC, methods: [{ id: 'x', method, settings }] }).methods[0].params;
}

/** The spec's defaults for an attribution estimator. */
export function attributionDefaults(estimator: ExperimentSpec['attribution']['estimator']): ExperimentSpec['attribution'] {
  return parseSpec({ ...DEFAULT_SPEC, attribution: { estimator } }).attribution;
}

export function newMethod(method: MethodName, taken: readonly string[]): MethodSpec {
  let id: string = method;
  for (let k = 2; taken.includes(id); k++) id = `${method}-${k}`;
  return { id, method, settings: 'browser', params: methodDefaults(method) } as MethodSpec;
}

export function addMethod(draft: Draft, method: MethodName): Draft {
  return {
    ...draft,
    methods: [
      ...draft.methods,
      newMethod(
        method,
        draft.methods.map((m) => m.id),
      ),
    ],
  };
}

export function removeMethod(draft: Draft, index: number): Draft {
  return { ...draft, methods: draft.methods.filter((_, i) => i !== index) };
}

export function resetMethodParams(draft: Draft, index: number): Draft {
  const m = draft.methods[index];
  return setIn(draft, ['methods', index, 'params'], methodDefaults(m.method, m.settings));
}

/** Switches a method between its browser-scale and published settings, starting from that setting's values. */
export function setMethodSettings(draft: Draft, index: number, settings: MethodSettings): Draft {
  const m = draft.methods[index];
  const methods = draft.methods.map((x, i) =>
    i === index ? ({ ...m, settings, params: methodDefaults(m.method, settings) } as MethodSpec) : x,
  );
  return { ...draft, methods };
}

/** Whether a method's hyperparameters differ from the values of its settings (browser-scale or published). */
export function paramsEdited(m: MethodSpec): boolean {
  return JSON.stringify(m.params) !== JSON.stringify(methodDefaults(m.method, m.settings));
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

/** Why the loaded dataset cannot run this spec, or undefined when it can. */
export function datasetMismatch(
  spec: Pick<ExperimentSpec, 'dataset'>,
  dataset: DatasetSummary | undefined,
  fullSaved = false,
): string | undefined {
  if (!dataset) return 'The dataset is still loading.';
  const wantsFull = spec.dataset.source === 'full';
  const isFull = dataset.source !== 'embedded';
  if (wantsFull && !isFull)
    return fullSaved
      ? 'This experiment uses the full CIFAR-10: click “Use the saved full CIFAR-10” in the Dataset panel.'
      : 'This experiment uses the full CIFAR-10: load it from your files in the Dataset panel first.';
  if (!wantsFull && isFull) return 'This experiment uses the embedded subset: click “Use embedded subset” in the Dataset panel first.';
  const train = dataset.counts.train ?? 0;
  const validation = dataset.counts.validation ?? 0;
  if (spec.dataset.trainSize > train)
    return `The experiment trains on ${spec.dataset.trainSize.toLocaleString('en')} images but the loaded dataset has ${train.toLocaleString('en')}.`;
  if (spec.dataset.validationSize > validation) {
    return `The experiment evaluates ${spec.dataset.validationSize.toLocaleString('en')} validation images but the loaded dataset has ${validation.toLocaleString('en')}.`;
  }
  return undefined;
}

export const datasetLimits = (source: ExperimentSpec['dataset']['source']) => DATASET_LIMITS[source];

// ---------------------------------------------------------------------------------------------
// Forget sets
// ---------------------------------------------------------------------------------------------

/** A forget request in words: "50 random images (seed 0)". */
export function describeGenerator(g: ForgetGenerator, classNames: readonly string[]): string {
  switch (g.kind) {
    case 'random':
      return `${g.k.toLocaleString('en')} random images (seed ${g.seed})`;
    case 'class':
      return g.k === undefined
        ? `every ${classNames[g.classIndex] ?? `class ${g.classIndex}`} image`
        : `${g.k} ${classNames[g.classIndex] ?? `class ${g.classIndex}`} images (seed ${g.seed})`;
    case 'indices':
      return `${g.indices.length.toLocaleString('en')} picked image${g.indices.length === 1 ? '' : 's'}`;
    case 'subpopulation': {
      const side = g.side === 'both' ? 'both ends' : g.side === 'top' ? 'the top' : 'the bottom';
      return `${g.k} images at ${side} of principal component ${g.component + 1} of the ${g.features === 'datamodel' ? 'datamodel' : 'original model’s penultimate'} features (seed ${g.seed})`;
    }
    case 'neighbours':
      return `image #${g.anchor} and its ${g.k - 1} nearest neighbours in the original model’s feature space`;
  }
}

/** Whether the page can compute this generator's forget set itself (without a trained model). */
export const previewable = (g: ForgetGenerator) => g.kind === 'random' || g.kind === 'class' || g.kind === 'indices';

/** "1, 3-5, 9" → [1, 3, 4, 5, 9] (sorted, unique); throws with the offending part. */
export function parseIndexList(text: string, max = 1_000_000): number[] {
  const out = new Set<number>();
  for (const raw of text.split(/[\s,;]+/)) {
    const part = raw.trim();
    if (!part) continue;
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new Error(`“${part}”: a range must go upwards`);
      if (b - a > max) throw new Error(`“${part}”: range too long`);
      for (let i = a; i <= b; i++) out.add(i);
    } else if (/^\d+$/.test(part)) out.add(Number(part));
    else throw new Error(`“${part.slice(0, 20)}” is not an image number or a range like 3-7`);
    if (out.size > max) throw new Error(`more than ${max.toLocaleString('en')} images listed`);
  }
  return [...out].sort((a, b) => a - b);
}

/** [1, 3, 4, 5, 9] → "1, 3-5, 9". */
export function formatIndexList(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : j === i ? String(sorted[i]) : `${sorted[i]}, ${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Images per class in a selection. */
export function classMix(indices: Iterable<number>, labels: Uint8Array | undefined, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  if (!labels) return counts;
  for (const i of indices) if (i < labels.length) counts[labels[i]]++;
  return counts;
}

/** Toggles `indices` in a sorted selection; `add` forces adding (true) or removing (false). */
export function toggleIndices(selection: readonly number[], indices: readonly number[], add?: boolean): number[] {
  const set = new Set(selection);
  for (const i of indices) {
    const on = add ?? !set.has(i);
    if (on) set.add(i);
    else set.delete(i);
  }
  return [...set].sort((a, b) => a - b);
}

/** Replaces request `r` of the forget list (other requests are kept). */
export function withForgetRequest(draft: Draft, r: number, g: ForgetGenerator): Draft {
  const forget = [...draft.forget];
  forget[r] = g;
  return { ...draft, forget };
}

/** Rough wall time of a plan from a training speed (images/s). */
/**
 * An experiment's time on this backend from its plan and the measured training speed: with the models no method
 * depends on already there (cached, or shipped with the app: only the methods train) and without them; undefined
 * before the speed is known.
 */
export function planSeconds(plan: ExperimentPlan, imagesPerSec: number | undefined): { withPacks: number; without: number } | undefined {
  const methods = plan.phases.filter((p) => p.kind === 'method').reduce((t, p) => t + p.examples, 0);
  const withPacks = estimateSeconds(methods, imagesPerSec);
  const without = estimateSeconds(plan.totalExamples, imagesPerSec);
  return withPacks === undefined || without === undefined ? undefined : { withPacks, without };
}

/** Each preset's N and plan, worked out once: the page draws the preset cards on every render. */
const PRESET_PLANS = new Map(
  PRESETS.map((p) => {
    const spec = parseSpec(p.spec);
    return [p.id, { n: spec.n, plan: planExperiment(spec) }];
  }),
);

export const presetN = (id: PresetId) => PRESET_PLANS.get(id)!.n;

export const presetSeconds = (id: PresetId, imagesPerSec: number | undefined) => planSeconds(PRESET_PLANS.get(id)!.plan, imagesPerSec);

export function estimateSeconds(totalExamples: number, imagesPerSec: number | undefined): number | undefined {
  if (!imagesPerSec || !(imagesPerSec > 0)) return undefined;
  return totalExamples / imagesPerSec;
}
