/**
 * Importing a results JSON (as written by `Export results`): validates its shape and its internal
 * consistency (every margin row covers every example, the splits partition the examples, the spec is a
 * valid spec) so the charts can trust it, and says clearly what is wrong with a wrong file.
 */
import { RESULT_FORMAT, resultSchema, type ExperimentResult, type RequestResult } from '../../engine/experiment/result';
import { formatPath, safeParseSpec } from '../../engine/experiment/spec';

/** Results files larger than this are refused before parsing. */
export const MAX_RESULT_BYTES = 500_000_000;

export class ResultFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultFileError';
  }
}

/** Checks that a request's arrays agree with its splits. Returns the first problem, or undefined. */
function inconsistency(r: RequestResult, where: string, trainSize: number, validationSize: number): string | undefined {
  const total = trainSize + validationSize;
  const { forget, retain, validation } = r.splits;
  if (forget.length + retain.length !== trainSize) {
    return `${where}splits: forget (${forget.length}) and retain (${retain.length}) should together be the ${trainSize} training examples`;
  }
  if (validation.length !== validationSize)
    return `${where}splits.validation: has ${validation.length} examples, the spec says ${validationSize}`;
  const seen = new Uint8Array(total);
  for (const [name, list] of Object.entries(r.splits)) {
    for (const j of list as number[]) {
      if (j >= total) return `${where}splits.${name}: example ${j} is beyond the ${total} examples`;
      if (seen[j]) return `${where}splits.${name}: example ${j} appears twice`;
      seen[j] = 1;
    }
  }
  for (const list of [forget, retain, validation]) {
    for (let i = 1; i < list.length; i++) if (list[i] <= list[i - 1]) return `${where}splits: example lists must be sorted`;
  }
  if (!r.groups.oracle) return `${where}groups: there is no "oracle" group`;
  for (const [key, g] of Object.entries(r.groups)) {
    if (g.name !== key) return `${where}groups.${key}.name: is ${JSON.stringify(g.name)}, expected ${JSON.stringify(key)}`;
    const bad = g.margins.findIndex((row) => row.length !== total);
    if (bad >= 0) return `${where}groups.${key}.margins[${bad}]: has ${g.margins[bad].length} margins, expected one per example (${total})`;
    for (const k of ['klomPerExample', 'gklPerExample'] as const) {
      const per = g[k];
      if (per && per.length !== total) return `${where}groups.${key}.${k}: has ${per.length} values, expected ${total}`;
    }
  }
  const floorRows = r.noiseFloor.independentMargins ?? [];
  const badFloor = floorRows.findIndex((row) => row.length !== total);
  if (badFloor >= 0) {
    return `${where}noiseFloor.independentMargins[${badFloor}]: has ${floorRows[badFloor].length} margins, expected one per example (${total})`;
  }
  if (r.attribution) {
    for (const k of ['predictedMargins', 'oracleMeanMargins', 'originalMeanMargins'] as const) {
      if (r.attribution[k].length !== total) return `${where}attribution.${k}: has ${r.attribution[k].length} values, expected ${total}`;
    }
  }
  return undefined;
}

/**
 * Files written before attribution skill was measured hold only a correlation (`attribution.quality`), which is no
 * measure of the attribution: their attribution check is dropped, with a note, and everything else still imports.
 */
function withoutOldAttributionCheck(obj: Record<string, unknown>): Record<string, unknown> {
  const isOld = (r: unknown) => {
    const a = (r as { attribution?: Record<string, unknown> } | null)?.attribution;
    return a !== undefined && a !== null && typeof a === 'object' && 'quality' in a && !('skill' in a);
  };
  const requests = Array.isArray(obj.earlierRequests) ? obj.earlierRequests : [];
  if (!isOld(obj) && !requests.some(isOld)) return obj;
  const drop = (r: unknown) => (isOld(r) ? { ...(r as object), attribution: undefined } : r);
  const notes = Array.isArray(obj.notes) ? obj.notes : [];
  return {
    ...(drop(obj) as Record<string, unknown>),
    earlierRequests: requests.map(drop),
    notes: [...notes, 'this file was written before attribution skill was measured: its attribution check (a correlation) is not shown'],
  };
}

/** Parses and validates a results file's text. Throws ResultFileError with a message naming the problem. */
export function parseResultFile(text: string, fileName = 'the file'): ExperimentResult {
  if (text.length > MAX_RESULT_BYTES)
    throw new ResultFileError(`${fileName} is too large to be a results file (${(text.length / 1e6).toFixed(0)} MB)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ResultFileError(`${fileName} is not a results file: it is not JSON`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ResultFileError(`${fileName} is not a results file: expected a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  if ('v' in obj && 'methods' in obj && !('groups' in obj)) {
    throw new ResultFileError(`${fileName} is an experiment spec, not results; open it as a link or paste its settings instead`);
  }
  if (obj.format === undefined || !('groups' in obj)) {
    throw new ResultFileError(`${fileName} is not a results file of the playground (it has no "format" and "groups")`);
  }
  if (obj.format !== RESULT_FORMAT) {
    throw new ResultFileError(
      `${fileName} has results format ${JSON.stringify(obj.format)}; this version reads format ${RESULT_FORMAT}${typeof obj.format === 'number' && obj.format > RESULT_FORMAT ? ' (it was written by a newer version)' : ''}`,
    );
  }
  const parsed = resultSchema.safeParse(withoutOldAttributionCheck(obj));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new ResultFileError(`${fileName} is not a valid results file: ${formatPath(issue.path)}: ${issue.message}${more}`);
  }
  const spec = safeParseSpec(parsed.data.spec);
  if (!spec.ok) throw new ResultFileError(`${fileName} holds an experiment this version cannot read: ${spec.error.message}`);
  const result = { ...parsed.data, spec: spec.spec } as ExperimentResult;
  const { trainSize, validationSize } = spec.spec.dataset;
  const problem =
    inconsistency(result, '', trainSize, validationSize) ??
    result.earlierRequests.map((r, i) => inconsistency(r, `earlierRequests[${i}].`, trainSize, validationSize)).find(Boolean);
  if (problem) throw new ResultFileError(`${fileName} is inconsistent: ${problem}`);
  return result;
}
