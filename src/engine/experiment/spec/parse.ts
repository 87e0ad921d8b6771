/**
 * Reading a spec: migration from older versions, the schema, checks across fields, normalisation; and the
 * canonical text and hash of a parsed spec (two specs that mean the same experiment hash the same).
 */
import { isMethodName, methodMeta } from '../../unlearn/catalog';
import { describe, formatPath, SpecError, toSpecIssues, type SpecIssue } from './issues';
import { DATASET_LIMITS, experimentSpecSchema, METRIC_NAMES, SPEC_VERSION, type ExperimentSpec, type ExperimentSpecInput } from './schema';
import { KERNEL_MAX_TRAIN } from '../../attribution/kernelDefaults';

/** Converts a spec of version k into version k + 1. */
export type Migration = (spec: Record<string, unknown>) => Record<string, unknown>;

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Version 2 changed two defaults: methods start from browser-scale settings, and DM-Direct keeps only the
 * diagonal terms. A version-1 spec says what it meant then, so an old link reproduces its experiment exactly.
 */
function v1ToV2(spec: Record<string, unknown>): Record<string, unknown> {
  const methods = Array.isArray(spec.methods) ? spec.methods.map((m) => (isRecord(m) ? { settings: 'published', ...m } : m)) : spec.methods;
  const attribution = spec.attribution ?? { estimator: 'datamodels' };
  const datamodels = isRecord(attribution) && attribution.estimator === 'datamodels';
  return { ...spec, methods, attribution: datamodels ? { terms: 'all', ...attribution } : attribution };
}

export const MIGRATIONS: Readonly<Record<number, Migration>> = { 1: v1ToV2 };

/** Fills a `settings: "published"` entry's parameters with the published values (explicit params win). */
function withPublishedValues(spec: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(spec.methods)) return spec;
  const methods = spec.methods.map((m) => {
    if (!isRecord(m) || m.settings !== 'published' || !isMethodName(m.method)) return m;
    const published = methodMeta(m.method).published;
    return published && (m.params === undefined || isRecord(m.params)) ? { ...m, params: { ...published, ...m.params } } : m;
  });
  return { ...spec, methods };
}

/**
 * Brings a spec of an older version up to SPEC_VERSION through MIGRATIONS, so links, files and the command line
 * all read old specs the same way. A newer version is left for parseSpec to refuse.
 */
export function migrateSpec(
  raw: unknown,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  current = SPEC_VERSION,
): { spec: unknown; from?: number } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { spec: raw };
  const v = (raw as { v?: unknown }).v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v >= current) return { spec: raw };
  let spec = raw as Record<string, unknown>;
  for (let k = v; k < current; k++) {
    const step = migrations[k];
    if (!step) {
      const message = `this experiment uses spec version ${v}, which this version of the playground can no longer read (it reads version ${current})`;
      const error = new SpecError([{ path: 'v', message }]);
      error.message = message;
      throw error;
    }
    spec = { ...step(spec), v: k + 1 };
  }
  return { spec, from: v };
}

/** Checks that involve several fields; run on a spec that passed the schema. */
function crossFieldIssues(spec: ExperimentSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });

  const limits = DATASET_LIMITS[spec.dataset.source];
  if (spec.dataset.trainSize > limits.train) {
    add(['dataset', 'trainSize'], `must be ≤ ${limits.train} for the ${spec.dataset.source} dataset, got ${spec.dataset.trainSize}`);
  }
  if (spec.dataset.validationSize > limits.validation) {
    add(
      ['dataset', 'validationSize'],
      `must be ≤ ${limits.validation} for the ${spec.dataset.source} dataset, got ${spec.dataset.validationSize}`,
    );
  }
  if (spec.recipe.peakEpoch > spec.recipe.epochs) {
    add(['recipe', 'peakEpoch'], `must be ≤ recipe.epochs (${spec.recipe.epochs}), got ${spec.recipe.peakEpoch}`);
  }

  const { attribution } = spec;
  if (attribution.estimator === 'datamodels' && attribution.terms === 'kernel' && spec.dataset.trainSize > KERNEL_MAX_TRAIN) {
    add(
      ['attribution', 'terms'],
      `"kernel" keeps a gradient kernel over every pair of training images: at most ${KERNEL_MAX_TRAIN} training images, ` +
        `the spec has ${spec.dataset.trainSize} (use "diagonal" or "pooled")`,
    );
  }

  const size = spec.dataset.trainSize;
  let forgotten = 0;
  spec.forget.forEach((g, i) => {
    if (g.kind === 'indices') {
      g.indices.forEach((index, j) => {
        if (index >= size) add(['forget', i, 'indices', j], `index ${index} is outside the training subset (0..${size - 1})`);
      });
      forgotten += g.indices.length;
    } else if (g.kind === 'subpopulation' && g.features === 'datamodel' && spec.attribution.estimator !== 'datamodels') {
      add(
        ['forget', i, 'features'],
        'datamodel features need attribution.estimator "datamodels" (its subset models give the datamodel matrix)',
      );
    } else if (g.kind === 'neighbours' && g.anchor >= size) {
      add(['forget', i, 'anchor'], `index ${g.anchor} is outside the training subset (0..${size - 1})`);
    }
    if (g.kind !== 'indices' && g.k !== undefined) {
      if (g.k >= size) add(['forget', i, 'k'], `must be < dataset.trainSize (${size}), got ${g.k}`);
      forgotten += g.k;
    }
  });
  if (forgotten >= size && issues.every((x) => !x.path.startsWith('forget'))) {
    add(['forget'], `the requests forget ${forgotten} of ${size} training images; at least one must remain`);
  }

  const firstId = new Map<string, number>();
  spec.methods.forEach((m, i) => {
    const first = firstId.get(m.id);
    if (first !== undefined) add(['methods', i, 'id'], `duplicate id ${JSON.stringify(m.id)} (also methods[${first}])`);
    else firstId.set(m.id, i);
    for (const issue of methodMeta(m.method).check?.(m.params) ?? []) add(['methods', i, 'params', ...issue.path], issue.message);
  });
  return issues;
}

/**
 * Validates `input` (for example JSON from a link or a file) and returns the complete spec, defaults
 * filled, explicit index lists sorted and metrics in their canonical order. Throws a SpecError naming
 * every offending field; a spec of another version is refused before anything else is read.
 */
export function parseSpec(input: unknown): ExperimentSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SpecError([{ path: 'spec', message: `must be an object, got ${describe(input)}` }]);
  }
  input = migrateSpec(input).spec;
  const version = (input as { v?: unknown }).v;
  if (version === undefined) {
    throw new SpecError([{ path: 'v', message: `missing spec version; this app reads version ${SPEC_VERSION}` }]);
  }
  if (version !== SPEC_VERSION) {
    const shown = typeof version === 'number' ? String(version) : (JSON.stringify(version) ?? String(version));
    const error = new SpecError([{ path: 'v', message: `unsupported spec version ${shown}; this app reads version ${SPEC_VERSION}` }]);
    // The whole message, without the field prefix: the version is not a typo to fix but a different format.
    error.message = `unsupported spec version ${shown}; this app reads version ${SPEC_VERSION}`;
    throw error;
  }
  const parsed = experimentSpecSchema.safeParse(withPublishedValues(input as Record<string, unknown>));
  if (!parsed.success) {
    throw new SpecError(parsed.error.issues.flatMap((issue) => toSpecIssues(issue, input)));
  }
  const spec = parsed.data;
  const crossIssues = crossFieldIssues(spec);
  if (crossIssues.length > 0) throw new SpecError(crossIssues);
  // Normalise what does not change the experiment's meaning, so equal experiments hash equal.
  for (const g of spec.forget) if (g.kind === 'indices') g.indices = [...g.indices].sort((a, b) => a - b);
  spec.metrics = METRIC_NAMES.filter((m) => spec.metrics.includes(m));
  return spec;
}

/** Like parseSpec, but returns the problem instead of throwing. */
export function safeParseSpec(input: unknown): { ok: true; spec: ExperimentSpec } | { ok: false; error: SpecError } {
  try {
    return { ok: true, spec: parseSpec(input) };
  } catch (e) {
    if (e instanceof SpecError) return { ok: false, error: e };
    throw e;
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * The canonical text of a spec: parsed (defaults filled, normalised), object keys sorted at every
 * level, no whitespace, numbers as JSON.stringify prints them. Array order is kept (request and method
 * order mean something), except for the normalisations parseSpec applies.
 */
export function canonicalJson(spec: ExperimentSpecInput | ExperimentSpec): string {
  return JSON.stringify(sortedKeys(parseSpec(spec)));
}

/** SHA-256 (lowercase hex) of the canonical JSON, UTF-8 encoded. */
export async function specHash(spec: ExperimentSpecInput | ExperimentSpec): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(spec));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
