/**
 * Exports of an ExperimentResult: the whole result as JSON (importable again) and the metric tables as
 * CSV (RFC 4180), one row per group and split, plus the noise floor and the attribution skill.
 */
import { resultJsonReplacer, type ExperimentResult, type RequestResult } from '../../engine/experiment/result';
import { SPLITS } from './resultViews';

/** JSON of the result; non-finite numbers become "NaN", "Infinity", "-Infinity", which importing reads back. */
export function resultJson(result: ExperimentResult): string {
  return JSON.stringify(result, resultJsonReplacer);
}

/**
 * One CSV cell. Quotes where needed; text that a spreadsheet would run as a formula (=, +, -, @, tab,
 * carriage return first) is prefixed with an apostrophe — method ids come from links and files.
 */
export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'request',
  'group',
  'label',
  'method',
  'split',
  'examples',
  'accuracy',
  'klom_p95',
  'klom_p99',
  'klom_mean',
  'gkl_mean',
  'gkl_p95',
  'mia_accuracy',
  'cost_fraction_of_retraining',
  'cost_fraction_with_attribution',
  'time_fraction_of_retraining',
  'seconds_per_model',
  'examples_processed_per_model',
  'attribution_shift_r',
  'attribution_shift_slope',
  'attribution_skill',
  'attribution_skill_ceiling',
  'n',
  'scale',
  'warnings',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | undefined>>;

function requestRows(r: RequestResult, n: number, scale: string): Row[] {
  const rows: Row[] = [];
  const sizes = { forget: r.splits.forget.length, retain: r.splits.retain.length, validation: r.splits.validation.length };
  for (const g of Object.values(r.groups)) {
    for (const split of SPLITS) {
      rows.push({
        request: r.request + 1,
        group: g.name,
        label: g.label,
        method: g.method ?? '',
        split,
        examples: sizes[split],
        accuracy: g.accuracy[split],
        klom_p95: g.klom?.[split].p95,
        klom_p99: g.klom?.[split].p99,
        klom_mean: g.klom?.[split].mean,
        gkl_mean: g.gkl?.[split].mean,
        gkl_p95: g.gkl?.[split].p95,
        mia_accuracy: g.mia,
        cost_fraction_of_retraining: g.cost?.fractionOfRetraining,
        cost_fraction_with_attribution: g.cost?.fractionWithAttribution,
        time_fraction_of_retraining: g.cost?.timeFractionOfRetraining,
        seconds_per_model: g.cost?.seconds,
        examples_processed_per_model: g.cost?.examplesProcessed,
        n: g.margins.length,
        scale,
        warnings: g.warnings.join('; '),
      });
    }
  }
  for (const split of SPLITS) {
    rows.push({
      request: r.request + 1,
      group: 'noise-floor',
      label: `Noise floor: oracle vs oracle (${r.noiseFloor.method})`,
      split,
      examples: sizes[split],
      klom_p95: r.noiseFloor.klom[split].p95,
      klom_p99: r.noiseFloor.klom[split].p99,
      klom_mean: r.noiseFloor.klom[split].mean,
      gkl_mean: r.noiseFloor.gkl?.[split].mean,
      gkl_p95: r.noiseFloor.gkl?.[split].p95,
      n: r.noiseFloor.n,
      scale,
    });
  }
  if (r.attribution) {
    for (const split of SPLITS) {
      rows.push({
        request: r.request + 1,
        group: 'attribution',
        label: `DM-Direct predicted vs true shift of the mean margins (${r.attribution.estimator}, ${r.attribution.models} models)`,
        split,
        examples: sizes[split],
        attribution_shift_r: r.attribution.skill[split].shiftR,
        attribution_shift_slope: r.attribution.skill[split].shiftSlope,
        attribution_skill: r.attribution.skill[split].skill,
        attribution_skill_ceiling: r.attribution.skill[split].ceiling,
        n,
        scale,
      });
    }
  }
  return rows;
}

/** The metric tables of every request (earlier requests of a continual spec first). */
export function metricsCsv(result: ExperimentResult): string {
  const requests = [...result.earlierRequests, result];
  const rows = requests.flatMap((r) => requestRows(r, result.spec.n, result.scale));
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** 8 hex digits of FNV-1a: a stable file-name stem for results that have no spec hash yet (partial results). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A file name for an export: `unlearning-<first 8 of the spec hash>-<what>.<ext>`. */
export function exportName(result: Pick<ExperimentResult, 'specHash'>, what: string, ext: string): string {
  const safe = what
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `unlearning-${result.specHash.slice(0, 8)}-${safe}.${ext}`;
}
