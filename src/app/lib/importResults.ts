/**
 * Importing a results JSON (as written by `Export results`): validates its shape and its internal
 * consistency (every margin row covers every example, the splits partition the examples, the spec is a
 * valid spec) so the charts can trust it, and says clearly what is wrong with a wrong file.
 */
import { z } from 'zod';
import { RESULT_FORMAT, type ExperimentResult, type RequestResult } from '../../engine/experiment/result';
import { formatPath, safeParseSpec } from '../../engine/experiment/spec';

/** Results files larger than this are refused before parsing. */
export const MAX_RESULT_BYTES = 500_000_000;

export class ResultFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultFileError';
  }
}

/** JSON has no NaN: exports write null, which reads back as NaN. */
const num = z.number().nullable().transform((v) => (v === null ? Number.NaN : v));
const splitRecord = <T extends z.ZodType>(t: T) => z.object({ forget: t, retain: t, validation: t });
const klomSummary = z.object({ p95: num, p99: num, mean: num, count: z.int().min(0) });
const ids = z.array(z.int().min(0));

// Loose objects: fields a newer engine adds survive an import and a re-export.
const groupSchema = z.looseObject({
  name: z.string().min(1).max(200),
  method: z.string().optional(),
  label: z.string().max(500),
  margins: z.array(z.array(num)).min(1),
  accuracy: splitRecord(num),
  klom: splitRecord(klomSummary).optional(),
  klomPerExample: z.array(num).optional(),
  mia: num.optional(),
  epsilon: z.object({ forgetScore: num, finalScore: num }).optional(),
  cost: z
    .object({
      seconds: num,
      examplesProcessed: num,
      fractionOfRetraining: num,
      timeFractionOfRetraining: num,
      fractionWithAttribution: num.optional(),
    })
    .optional(),
  warnings: z.array(z.string().max(2000)),
});

const requestShape = {
  request: z.int().min(0),
  splits: z.object({ forget: ids, retain: ids, validation: ids }),
  groups: z.record(z.string(), groupSchema),
  noiseFloor: z.looseObject({
    method: z.enum(['disjoint-groups', 'split-half']),
    n: z.int().min(1),
    klom: splitRecord(klomSummary),
    epsilon: z.object({ forgetScore: num, finalScore: num }).optional(),
  }),
  attribution: z
    .object({
      estimator: z.enum(['datamodels', 'trak']),
      models: z.int().min(0),
      quality: splitRecord(num),
      predictedMargins: z.array(num),
      oracleMeanMargins: z.array(num),
      examplesProcessed: num,
      seconds: num,
    })
    .optional(),
  retrainCost: z.object({ examplesProcessed: num, seconds: num }),
};

const requestSchema = z.looseObject(requestShape);

const resultSchema = z.looseObject({
  ...requestShape,
  format: z.literal(RESULT_FORMAT),
  spec: z.unknown(),
  specHash: z.string().regex(/^[0-9a-f]{64}$/),
  environment: z.object({
    backend: z.string(),
    adapter: z.string().optional(),
    tfjsVersion: z.string(),
    appVersion: z.string(),
    userAgent: z.string().optional(),
    datasetId: z.string(),
    datasetName: z.string(),
  }),
  createdAt: z.string(),
  scale: z.string(),
  earlierRequests: z.array(requestSchema),
  timing: z.object({ seconds: num, modelsTrained: z.int().min(0), cacheHits: z.int().min(0) }),
  notes: z.array(z.string()),
});

/** Checks that a request's arrays agree with its splits. Returns the first problem, or undefined. */
function inconsistency(r: RequestResult, where: string, trainSize: number, validationSize: number): string | undefined {
  const total = trainSize + validationSize;
  const { forget, retain, validation } = r.splits;
  if (forget.length + retain.length !== trainSize) {
    return `${where}splits: forget (${forget.length}) and retain (${retain.length}) should together be the ${trainSize} training examples`;
  }
  if (validation.length !== validationSize) return `${where}splits.validation: has ${validation.length} examples, the spec says ${validationSize}`;
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
    if (g.klomPerExample && g.klomPerExample.length !== total) {
      return `${where}groups.${key}.klomPerExample: has ${g.klomPerExample.length} values, expected ${total}`;
    }
  }
  if (r.attribution) {
    for (const k of ['predictedMargins', 'oracleMeanMargins'] as const) {
      if (r.attribution[k].length !== total) return `${where}attribution.${k}: has ${r.attribution[k].length} values, expected ${total}`;
    }
  }
  return undefined;
}

/** Parses and validates a results file's text. Throws ResultFileError with a message naming the problem. */
export function parseResultFile(text: string, fileName = 'the file'): ExperimentResult {
  if (text.length > MAX_RESULT_BYTES) throw new ResultFileError(`${fileName} is too large to be a results file (${(text.length / 1e6).toFixed(0)} MB)`);
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
  const parsed = resultSchema.safeParse(raw);
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
