/**
 * What each results chart shows, derived from an ExperimentResult (or the RequestResult of one deletion
 * request) alone: pure functions, so the charts, their table views and the exports agree and are tested.
 *
 * Examples are the engine's: ids 0..|S|−1 are training indices, |S|..|S|+|V|−1 are validation images.
 */
import { percentile } from '../../engine/metrics/klom';
import type { GroupResult, RequestResult, SplitKey } from '../../engine/experiment/result';
import type { ExperimentSpec } from '../../engine/experiment/spec';

export const SPLITS: readonly SplitKey[] = ['forget', 'retain', 'validation'];
export const SPLIT_LABELS: Record<SplitKey, string> = { forget: 'Forget (F)', retain: 'Retain (R)', validation: 'Validation (V)' };
/** Margins are clipped to ±MARGIN_CLIP before binning, as KLoM does. */
export const MARGIN_CLIP = 100;
export const FLOOR_KEY = 'noise-floor';

export type KlomStat = 'p95' | 'p99' | 'mean';

/** The scale note for a spec (the engine's wording), for partial results that do not carry one yet. */
export function scaleOf(spec: ExperimentSpec): string {
  const arch = spec.model.arch === 'tiny-cnn' ? 'tiny CNN' : `ResNet-9 ×${spec.model.width}`;
  return `N = ${spec.n} seeds per side (reduced-scale proxy of the paper's N = 100), ${arch}, |S| = ${spec.dataset.trainSize}`;
}

/** Groups measured against the oracle: the original and every method (not the oracle itself). */
export function comparedGroups(r: RequestResult): GroupResult[] {
  return Object.values(r.groups).filter((g) => g.name !== 'oracle');
}
/** The two per-example distances to the oracles the engine reports, each with its noise floor. */
export type Distance = 'klom' | 'gkl';

/**
 * Below this N the results show GKL first: KLoM's histograms saturate at small N (even two oracle groups
 * score far above 0), and from N ≈ 32 on the forget split KLoM ranks methods.
 */
export const GKL_FIRST_BELOW_N = 32;
export const gklFirst = (r: RequestResult, n: number) => n < GKL_FIRST_BELOW_N && r.noiseFloor.gkl !== undefined;

export interface DistanceRow {
  key: string;
  label: string;
  kind: 'original' | 'method' | 'floor';
  /** How the floor was measured (floor row only). */
  detail?: string;
  forget: number;
  retain: number;
  validation: number;
  /** Examples per split behind each number. */
  counts: Record<SplitKey, number>;
  warnings: string[];
}

/**
 * A distance per split (`stat` of the per-example values) for every group, then the oracle-vs-oracle noise
 * floor (absent when the result has no floor for it: GKL in files from before GKL).
 */
export function distanceRows(r: RequestResult, metric: Distance, stat: KlomStat = 'p95'): DistanceRow[] {
  const rows: DistanceRow[] = [];
  for (const g of comparedGroups(r)) {
    const d = g[metric];
    if (!d) continue;
    rows.push({
      key: g.name,
      label: g.label,
      kind: g.name === 'original' ? 'original' : 'method',
      forget: d.forget[stat],
      retain: d.retain[stat],
      validation: d.validation[stat],
      counts: { forget: d.forget.count, retain: d.retain.count, validation: d.validation.count },
      warnings: g.warnings,
    });
  }
  const f = r.noiseFloor;
  const d = f[metric];
  if (d) {
    rows.push({
      key: FLOOR_KEY,
      label: 'Noise floor (oracle vs oracle)',
      detail: `${f.method === 'split-half' ? 'split halves of the oracles' : 'two independent oracle groups'}, ${f.n} models per side`,
      kind: 'floor',
      forget: d.forget[stat],
      retain: d.retain[stat],
      validation: d.validation[stat],
      counts: { forget: d.forget.count, retain: d.retain.count, validation: d.validation.count },
      warnings: [],
    });
  }
  return rows;
}

export interface AccuracyRow {
  key: string;
  label: string;
  forget: number;
  retain: number;
  validation: number;
}

/** Mean accuracy per split of every group, the oracle included (second, as in the result). */
export function accuracyRows(r: RequestResult): AccuracyRow[] {
  return Object.values(r.groups).map((g) => ({ key: g.name, label: g.label, ...g.accuracy }));
}

export interface CostPoint {
  key: string;
  label: string;
  /** Examples processed per model, as a fraction of training one oracle from scratch. */
  cost: number;
  /** The same including the attribution's amortised share (attribution-based methods). */
  costWithAttribution?: number;
  timeFraction: number;
  /** KLoM p95 on the forget split. */
  klomForget: number;
}

export function costPoints(r: RequestResult): CostPoint[] {
  return comparedGroups(r)
    .filter((g) => g.cost && g.klom)
    .map((g) => ({
      key: g.name,
      label: g.label,
      cost: g.cost!.fractionOfRetraining,
      costWithAttribution: g.cost!.fractionWithAttribution,
      timeFraction: g.cost!.timeFractionOfRetraining,
      klomForget: g.klom!.forget.p95,
    }));
}

export interface Bin {
  lo: number;
  hi: number;
  centre: number;
}

export function binEdges(lo: number, hi: number, bins: number): Bin[] {
  const width = (hi - lo) / bins;
  return Array.from({ length: bins }, (_, b) => ({ lo: lo + b * width, hi: lo + (b + 1) * width, centre: lo + (b + 0.5) * width }));
}

const clip = (x: number) => Math.max(-MARGIN_CLIP, Math.min(MARGIN_CLIP, x));

/**
 * Counts of `values` (clipped to ±MARGIN_CLIP) in `bins` equal bins over [lo, hi]; the top edge belongs
 * to the last bin (KLoM's convention) and values outside the range go to the end bins.
 */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = clip(values[i]);
    if (Number.isNaN(v)) continue;
    const b = width > 0 ? Math.floor((v - lo) / width) : 0;
    counts[Math.max(0, Math.min(bins - 1, b))]++;
  }
  return counts;
}

function rangeOf(values: number[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const raw of values) {
    const v = clip(raw);
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { lo: -1, hi: 1 };
  if (hi === lo) return { lo: lo - 0.5, hi: hi + 0.5 };
  return { lo, hi };
}

export interface GroupHistogram {
  key: string;
  label: string;
  counts: number[];
  /** Margins behind the counts (one per model for an example). */
  n: number;
}

export interface ExampleHistograms {
  example: number;
  split: SplitKey | undefined;
  bins: Bin[];
  groups: GroupHistogram[];
  /** The margins themselves, per group key (for the table view). */
  margins: Record<string, number[]>;
  /** KLoM of this example for each group that has one. */
  klom: Record<string, number>;
}

/** Which split an example belongs to in this request. */
export function splitOf(r: RequestResult, example: number): SplitKey | undefined {
  if (r.splits.validation.length > 0 && example >= r.splits.validation[0])
    return r.splits.validation.includes(example) ? 'validation' : undefined;
  if (binarySearch(r.splits.forget, example)) return 'forget';
  if (binarySearch(r.splits.retain, example)) return 'retain';
  return undefined;
}

function binarySearch(sorted: number[], x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === x) return true;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Number of examples (|S| + |V|) in a result. */
export const exampleCount = (r: RequestResult) => r.splits.forget.length + r.splits.retain.length + r.splits.validation.length;

/**
 * Histograms of one example's margin under every group (the original, the oracle, each method), on
 * shared bins spanning the pooled margins — the picture KLoM summarises.
 */
export function exampleHistograms(r: RequestResult, example: number, bins = 20): ExampleHistograms {
  const groups = Object.values(r.groups);
  const margins: Record<string, number[]> = {};
  for (const g of groups) margins[g.name] = g.margins.map((row) => row[example]);
  const { lo, hi } = rangeOf(Object.values(margins).flat());
  const klom: Record<string, number> = {};
  for (const g of groups) if (g.klomPerExample) klom[g.name] = g.klomPerExample[example];
  return {
    example,
    split: splitOf(r, example),
    bins: binEdges(lo, hi, bins),
    groups: groups.map((g) => ({ key: g.name, label: g.label, counts: histogram(margins[g.name], lo, hi, bins), n: g.margins.length })),
    margins,
    klom,
  };
}

export interface SplitDistributions {
  split: SplitKey;
  bins: Bin[];
  /** Per group: fraction of its (model, example) margins in each bin. */
  groups: { key: string; label: string; fractions: number[]; count: number }[];
  /** Examples in the split. */
  examples: number;
}

/**
 * The margin distribution of a whole split (all models × all examples of the split) for every group,
 * on shared bins over the 0.5th–99.5th percentile of the pooled margins (outliers fall in the end bins).
 */
export function splitDistributions(r: RequestResult, split: SplitKey, bins = 30): SplitDistributions {
  const ids = r.splits[split];
  const groups = Object.values(r.groups);
  const values: Record<string, number[]> = {};
  for (const g of groups) {
    const out: number[] = [];
    for (const row of g.margins) for (const j of ids) out.push(clip(row[j]));
    values[g.name] = out;
  }
  // A strided sample is enough to place the range.
  const pooled = Object.values(values).flat();
  const stride = Math.max(1, Math.floor(pooled.length / 20_000));
  const sample = pooled.filter((_, i) => i % stride === 0).filter((v) => !Number.isNaN(v));
  let lo = percentile(sample, 0.5);
  let hi = percentile(sample, 99.5);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) ({ lo, hi } = { lo: -1, hi: 1 });
  if (hi <= lo) ({ lo, hi } = { lo: lo - 0.5, hi: hi + 0.5 });
  return {
    split,
    bins: binEdges(lo, hi, bins),
    groups: groups.map((g) => {
      const counts = histogram(values[g.name], lo, hi, bins);
      const total = values[g.name].length;
      return { key: g.name, label: g.label, fractions: counts.map((c) => (total ? c / total : 0)), count: total };
    }),
    examples: ids.length,
  };
}

export interface ScatterPoint {
  example: number;
  split: SplitKey;
  /** What retraining changed: the oracles' mean margin minus the originals' (m̄ora − m̄ori). */
  trueShift: number;
  /** What DM-Direct predicts it changes: its predicted margin minus the originals' mean (m̂ − m̄ori). */
  predictedShift: number;
}

/**
 * DM-Direct's predicted shift against the true shift of the mean margin, per example (the picture behind the
 * attribution skill): every forget point, and an evenly spaced sample of the other splits so at most
 * `maxPoints` are drawn.
 */
export function attributionScatter(r: RequestResult, maxPoints = 1500): ScatterPoint[] {
  const a = r.attribution;
  if (!a) return [];
  const points: ScatterPoint[] = [];
  const add = (split: SplitKey, ids: number[], budget: number) => {
    const stride = Math.max(1, Math.ceil(ids.length / Math.max(1, budget)));
    for (let i = 0; i < ids.length; i += stride) {
      const j = ids[i];
      const original = a.originalMeanMargins[j];
      points.push({ example: j, split, trueShift: a.oracleMeanMargins[j] - original, predictedShift: a.predictedMargins[j] - original });
    }
  };
  add('forget', r.splits.forget, Infinity);
  const left = Math.max(0, maxPoints - points.length);
  add('retain', r.splits.retain, Math.floor(left / 2));
  add('validation', r.splits.validation, Math.ceil(left / 2));
  return points.filter((p) => Number.isFinite(p.trueShift) && Number.isFinite(p.predictedShift));
}

/** The `k` examples of `split` with the highest KLoM under `groupKey` (ties by example id). */
export function worstExamples(r: RequestResult, groupKey: string, split: SplitKey, k = 8): { example: number; klom: number }[] {
  const per = r.groups[groupKey]?.klomPerExample;
  if (!per) return [];
  return r.splits[split]
    .map((example) => ({ example, klom: per[example] }))
    .sort((a, b) => b.klom - a.klom || a.example - b.example)
    .slice(0, k);
}

export interface ExampleIdentity {
  /** Which dataset split the image comes from, and its index there. */
  set: 'train' | 'validation';
  index: number;
}

/** Where an example's image lives: training index e for e < |S|, else validation index e − |S|. */
export function exampleIdentity(spec: ExperimentSpec, example: number): ExampleIdentity {
  const s = spec.dataset.trainSize;
  return example < s ? { set: 'train', index: example } : { set: 'validation', index: example - s };
}

export interface WarningRow {
  key: string;
  label: string;
  warning: string;
}

export function allWarnings(r: RequestResult): WarningRow[] {
  return Object.values(r.groups).flatMap((g) => g.warnings.map((warning) => ({ key: g.name, label: g.label, warning })));
}

/** The share of the way from doing nothing (0) to the noise floor (1) a forget-split distance has come. */
export function gapClosed(value: number, nothing: number, floor: number): number {
  return (nothing - value) / (nothing - floor);
}

/**
 * Whether a statistic can rank methods at this N: doing nothing (the original) must lie clearly above the noise
 * floor — at least 1.5 times it — or every reading between them is noise.
 */
export function canRank(nothing: number, floor: number): boolean {
  return Number.isFinite(nothing) && Number.isFinite(floor) && nothing > 1.5 * floor;
}

/**
 * The noise floor on the forget split and its own spread. The floor is one draw: the same statistic of the same two
 * oracle groups on the validation split — examples no oracle trained on either, like the forget split's — shows how
 * far it moves with the examples it is measured on. `lo`..`hi` spans the two (the forget value alone when the
 * validation one is missing); a reading is "at the noise floor" only inside it.
 */
export interface FloorBand {
  /** The floor on the forget split (what gapClosed measures against). */
  value: number;
  lo: number;
  hi: number;
}

export function floorBand(floor: DistanceRow): FloorBand {
  const values = Number.isFinite(floor.validation) ? [floor.forget, floor.validation] : [floor.forget];
  return { value: floor.forget, lo: Math.min(...values), hi: Math.max(...values) };
}

export type ReadingKind = 'below-floor' | 'at-floor' | 'closes' | 'no-closer' | 'worse';

/** Where a forget-split distance lies: under, inside or above the floor's band, and then how much of the gap it closed. */
export interface Reading {
  kind: ReadingKind;
  /** gapClosed against the forget-split floor. */
  gap: number;
}

export function readForget(value: number, nothing: number, band: FloorBand): Reading {
  const gap = gapClosed(value, nothing, band.value);
  if (value < band.lo) return { kind: 'below-floor', gap };
  if (value <= band.hi) return { kind: 'at-floor', gap };
  if (gap > 0.1) return { kind: 'closes', gap };
  if (gap >= -0.1) return { kind: 'no-closer', gap };
  return { kind: 'worse', gap };
}

/** A share in whole percent; under 1 % says so rather than "0 %". */
export const percent = (x: number) => (x > 0 && x < 0.005 ? '< 1 %' : `${Math.round(x * 100)} %`);

/** The reading in words, as a phrase that follows the method's name ("DMM closes 72 % of the gap …"). */
export function readingPhrase({ kind, gap }: Reading): string {
  switch (kind) {
    case 'below-floor':
      return 'lands below the noise floor, as close to retraining as this N can measure';
    case 'at-floor':
      return 'lands at the noise floor';
    case 'closes':
      return `closes ${gap < 0.5 ? 'only ' : ''}${percent(gap)} of the gap from doing nothing to the floor${gap >= 0.9 ? ': close to retraining' : ''}`;
    case 'no-closer':
      return 'is no closer to retraining than doing nothing';
    case 'worse':
      return 'ends further from retraining than doing nothing';
  }
}

const CANNOT_RANK = 'this statistic cannot rank at this N: doing nothing scores within 1.5× of the floor';

/**
 * Plain-language reading of a method's forget-split distance, from the numbers shown with it: where it lies between
 * doing nothing (the original) and the noise floor. "At the noise floor" only inside the floor's band (floorBand);
 * it never calls a method indistinguishable from retraining.
 */
export function verdict(row: DistanceRow, rows: readonly DistanceRow[]): string {
  if (row.kind === 'floor') return 'what two groups of retrained models score against each other at this N';
  const floor = rows.find((r) => r.kind === 'floor');
  const nothing = rows.find((r) => r.kind === 'original');
  if (!floor || !nothing || !Number.isFinite(row.forget)) return '';
  if (!canRank(nothing.forget, floor.forget)) return CANNOT_RANK;
  if (row.kind === 'original') return 'the starting point: doing nothing';
  return readingPhrase(readForget(row.forget, nothing.forget, floorBand(floor)));
}

export interface HeadlineRow {
  key: string;
  label: string;
  /** The forget-split distance (the engine's number). */
  value: number;
  /** Fraction of retraining (examples processed), and with the attribution's share (attribution-based methods). */
  cost?: number;
  costWithAttribution?: number;
  reading?: Reading;
}

/** The view at the top of a request's results: every method's forget-split distance on the statistic that ranks at this N. */
export interface Headline {
  distance: Distance;
  stat: KlomStat;
  /** E.g. "GKL mean": the statistic's short name. */
  statName: string;
  floor: FloorBand;
  /** Doing nothing: the original model's forget-split distance. */
  nothing: number;
  canRank: boolean;
  /** Best (lowest) first; missing values last. */
  rows: HeadlineRow[];
}

/**
 * The headline: GKL's mean below N ≈ 32 (gklFirst), KLoM's p95 from there on, for every method but doing nothing
 * (drawn as the line it is), with its cost; undefined without a floor or an original to read against.
 */
export function headline(r: RequestResult, n: number): Headline | undefined {
  const small = gklFirst(r, n);
  const distance: Distance = small ? 'gkl' : 'klom';
  const stat: KlomStat = small ? 'mean' : 'p95';
  const rows = distanceRows(r, distance, stat);
  const floorRow = rows.find((x) => x.kind === 'floor');
  const nothingRow = rows.find((x) => x.kind === 'original');
  if (!floorRow || !nothingRow) return undefined;
  const floor = floorBand(floorRow);
  const nothing = nothingRow.forget;
  const ranks = canRank(nothing, floor.value);
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);
  const methods = rows
    .filter((x) => x.kind === 'method' && r.groups[x.key]?.method !== 'do-nothing')
    .map((x): HeadlineRow => {
      const cost = r.groups[x.key]?.cost;
      return {
        key: x.key,
        label: x.label,
        value: x.forget,
        cost: finite(cost?.fractionOfRetraining),
        costWithAttribution: finite(cost?.fractionWithAttribution),
        reading: ranks && Number.isFinite(x.forget) ? readForget(x.forget, nothing, floor) : undefined,
      };
    })
    .sort((a, b) => (Number.isFinite(a.value) ? a.value : Infinity) - (Number.isFinite(b.value) ? b.value : Infinity));
  return { distance, stat, statName: small ? 'GKL mean' : 'KLoM p95', floor, nothing, canRank: ranks, rows: methods };
}

/** Methods the story sentence compares: not the references (retraining, DM-Direct's prediction, doing nothing). */
const STORY_SKIP = new Set(['retrain', 'dm-direct', 'do-nothing']);

const num = (x: number) => x.toFixed(3);
const floorText = (f: FloorBand) => (f.lo === f.hi ? num(f.value) : `${num(f.lo)}–${num(f.hi)}`);

/** "A", "A and B", "A, B and C", "A, B, C and 4 more". */
function listOf(items: string[], max = 3): string {
  if (items.length <= 1) return items.join('');
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : items;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** The other methods, grouped by reading in the headline's order (best first), in one clause per reading. */
function restClauses(rest: HeadlineRow[]): string[] {
  const of = (kind: ReadingKind) => rest.filter((m) => m.reading!.kind === kind);
  const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
  const clauses: string[] = [];
  const below = of('below-floor');
  if (below.length)
    clauses.push(`${listOf(below.map((m) => m.label))} also ${plural(below.length, 'lands', 'land')} below the noise floor`);
  const at = of('at-floor');
  if (at.length) clauses.push(`${listOf(at.map((m) => m.label))} also ${plural(at.length, 'lands', 'land')} at the noise floor`);
  const closes = of('closes');
  if (closes.length)
    clauses.push(
      listOf(
        closes.map((m, i) =>
          i === 0 ? `${m.label} closes ${percent(m.reading!.gap)} of the gap` : `${m.label} ${percent(m.reading!.gap)}`,
        ),
      ),
    );
  const none = of('no-closer');
  if (none.length)
    clauses.push(`${listOf(none.map((m) => m.label))} ${plural(none.length, 'is', 'are')} no closer to retraining than doing nothing`);
  const worse = of('worse');
  if (worse.length)
    clauses.push(`${listOf(worse.map((m) => m.label))} ${plural(worse.length, 'ends', 'end')} further from retraining than doing nothing`);
  return clauses;
}

/**
 * One or two sentences generated from the headline: where the best method lands on the forget split, with the
 * numbers behind the reading and its cost; then the others, grouped by reading (at most three named per group).
 */
export function storySentences(r: RequestResult, h: Headline): string {
  if (!h.canRank) {
    return `At this N the ${h.statName} cannot tell the methods apart: doing nothing scores ${num(h.nothing)} on the forget split, within 1.5× of the noise floor (${num(h.floor.value)}).`;
  }
  const methods = h.rows.filter((x) => x.reading && !STORY_SKIP.has(r.groups[x.key]?.method ?? ''));
  if (methods.length === 0) return '';
  const [best, ...rest] = methods;
  const cost =
    best.cost === undefined
      ? ''
      : `, at ${percent(best.cost)} of retraining’s cost${best.costWithAttribution === undefined ? '' : ` (${percent(best.costWithAttribution)} counting its attribution)`}`;
  const first = `On the forget split, ${best.label} ${readingPhrase(best.reading!)} (${h.statName} ${num(best.value)}; noise floor ${floorText(h.floor)}; doing nothing ${num(h.nothing)})${cost}.`;
  return rest.length === 0 ? first : `${first} ${restClauses(rest).join('; ')}.`;
}
