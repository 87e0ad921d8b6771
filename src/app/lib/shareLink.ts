/**
 * Shareable links: the URL hash holds the whole experiment spec, compactly and versioned.
 *
 *   #s=1.<base64url(deflate(canonical spec JSON))>&autorun=1&embed=1&hide=setup,methods
 *
 * - `s` is `<link format>.<payload>`. The link format says how the payload is encoded (format 1: raw
 *   DEFLATE of UTF-8 JSON, base64url without padding); the spec inside carries its own version `v`.
 * - `json` may hold a spec as URI-encoded JSON instead (handy for hand-written links in lessons).
 * - `lesson=<id>` opens one of the built-in lessons (LESSONS): its spec, run at once on a trimmed page unless
 *   the link sets `autorun`, `embed` or `hide` itself.
 * - `autorun=1` runs the experiment once the engine is ready; `embed=1` trims the page for lessons and
 *   `hide=` lists the sections to hide (see HIDEABLE_SECTIONS).
 *
 * Reading never throws: a link that cannot be used comes back as `{ kind: 'error', message }` with a
 * message naming the problem. Untrusted input is bounded: the payload's length and the decompressed
 * size are capped before anything is parsed.
 */
import { Inflate, deflateSync, strFromU8, strToU8 } from 'fflate';
import { errorMessage } from '../../engine/errors';
import {
  canonicalJson,
  LESSONS,
  migrateSpec,
  parseSpec,
  safeParseSpec,
  SPEC_VERSION,
  SpecError,
  type ExperimentSpec,
  type ExperimentSpecInput,
  type LessonId,
} from '../../engine/experiment/spec';

export const LINK_FORMAT = 1;
/** Longest hash accepted (characters). A full spec with a few thousand picked indices is far below this. */
export const MAX_HASH_CHARS = 200_000;
/** Largest decompressed spec accepted (bytes): guards against decompression bombs. */
export const MAX_SPEC_BYTES = 2_000_000;

/** Sections of the page an embedding lesson may hide. */
export const HIDEABLE_SECTIONS = ['dataset', 'presets', 'setup', 'methods', 'forget', 'run', 'results', 'share', 'train', 'tour'] as const;
export type HideableSection = (typeof HIDEABLE_SECTIONS)[number];

export const SECTION_LABELS: Record<HideableSection, string> = {
  dataset: 'Dataset panel',
  presets: 'Experiment presets',
  setup: 'Model, recipe and N',
  methods: 'Methods and attribution',
  forget: 'Forget-set picker',
  run: 'Run controls',
  results: 'Results',
  share: 'Share, export and import',
  train: '“Train one model” tab',
  tour: 'Guided tour button',
};

export interface LinkOptions {
  autorun: boolean;
  embed: boolean;
  hide: HideableSection[];
}

export const NO_OPTIONS: LinkOptions = { autorun: false, embed: false, hide: [] };

export type LinkReading =
  /** The hash holds no experiment. */
  | { kind: 'none'; options: LinkOptions }
  | { kind: 'spec'; spec: ExperimentSpec; options: LinkOptions; migratedFrom?: number }
  | { kind: 'error'; message: string; options: LinkOptions };

// ---------------------------------------------------------------------------------------------
// base64url
// ---------------------------------------------------------------------------------------------

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

export function fromBase64Url(text: string): Uint8Array {
  const bad = text.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) {
    const shown = JSON.stringify(text[bad]);
    throw new LinkError(
      `the experiment data contains ${shown} at position ${bad + 1}, which cannot appear in it (was the link edited or cut?)`,
    );
  }
  if (text.length % 4 === 1) throw new LinkError('the experiment data has an impossible length (was the link cut off when it was copied?)');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Inflates raw DEFLATE data, refusing output beyond `limit` bytes (stops as soon as it is exceeded). */
export function inflateLimited(data: Uint8Array, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  const inflater = new Inflate({}, (chunk) => {
    total += chunk.length;
    if (total > limit) {
      tooBig = true;
      throw new LinkError(`the experiment data expands to more than ${(limit / 1e6).toFixed(0)} MB, far more than any spec`);
    }
    chunks.push(chunk);
  });
  const step = 4096;
  try {
    if (data.length === 0) throw new LinkError('the experiment data is empty');
    for (let i = 0; i < data.length; i += step) inflater.push(data.subarray(i, i + step), i + step >= data.length);
  } catch (e) {
    if (e instanceof LinkError || tooBig) throw e;
    const why = errorMessage(e);
    throw new LinkError(
      `the experiment data is damaged and does not decompress (${why}); the link may have been cut off when it was copied`,
    );
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Spec versions
// ---------------------------------------------------------------------------------------------

/** Says in words that a link comes from a newer playground (parseSpec migrates older specs and refuses newer ones). */
function refuseNewer(raw: unknown): void {
  const v = raw !== null && typeof raw === 'object' ? (raw as { v?: unknown }).v : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > SPEC_VERSION) {
    throw new LinkError(
      `this experiment was made by a newer version of the playground (spec version ${v}); this version reads version ${SPEC_VERSION}. Open the link with the newer version`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding and reading
// ---------------------------------------------------------------------------------------------

/** `<format>.<payload>` for a spec (its canonical JSON: defaults filled, keys sorted). */
export function encodeSpec(spec: ExperimentSpec | ExperimentSpecInput): string {
  const json = canonicalJson(spec);
  return `${LINK_FORMAT}.${toBase64Url(deflateSync(strToU8(json), { level: 9 }))}`;
}

/** Decodes `<format>.<payload>` into the spec's JSON value (not yet validated). */
export function decodePayload(value: string): unknown {
  const dot = value.indexOf('.');
  if (dot < 0) throw new LinkError('the experiment data has no format number (expected “1.” before the data)');
  const format = value.slice(0, dot);
  if (!/^\d{1,6}$/.test(format)) {
    throw new LinkError(`the experiment data starts with ${JSON.stringify(format.slice(0, 20))} where a link format number was expected`);
  }
  if (Number(format) !== LINK_FORMAT) {
    if (Number(format) > LINK_FORMAT) {
      throw new LinkError(
        `this link was made by a newer version of the playground (link format ${Number(format)}); this version reads format ${LINK_FORMAT}`,
      );
    }
    throw new LinkError(`link format ${Number(format)} is not one this version reads (it reads format ${LINK_FORMAT})`);
  }
  const bytes = inflateLimited(fromBase64Url(value.slice(dot + 1)), MAX_SPEC_BYTES);
  let text: string;
  try {
    text = strFromU8(bytes);
  } catch {
    throw new LinkError('the experiment data is not text');
  }
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LinkError(`the experiment data is not valid JSON (${errorMessage(e)})`);
  }
}

function readOptions(params: URLSearchParams): LinkOptions {
  const flag = (name: string) => {
    const v = params.get(name);
    return v !== null && v !== '0' && v !== 'false';
  };
  const hide = (params.get('hide') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is HideableSection => (HIDEABLE_SECTIONS as readonly string[]).includes(s));
  return { autorun: flag('autorun'), embed: flag('embed'), hide: [...new Set(hide)] };
}

/** Reads `location.hash`. Never throws. */
export function readHash(hash: string): LinkReading {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length > MAX_HASH_CHARS) {
    return {
      kind: 'error',
      message: `The link is too long to be an experiment (${text.length.toLocaleString('en')} characters; at most ${MAX_HASH_CHARS.toLocaleString('en')}).`,
      options: NO_OPTIONS,
    };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { kind: 'error', message: 'The link’s address part after “#” could not be read.', options: NO_OPTIONS };
  }
  const options = readOptions(params);
  const lesson = params.get('lesson');
  if (lesson !== null) return readLesson(lesson, params, options);
  const packed = params.get('s');
  const json = params.get('json');
  if (packed === null && json === null) {
    if (text.trim() === '' || [...params.keys()].every((k) => ['autorun', 'embed', 'hide'].includes(k))) return { kind: 'none', options };
    return { kind: 'error', message: 'The link has no experiment in it (expected “#s=…”).', options };
  }
  try {
    const raw = packed !== null ? decodePayload(packed) : parseJson(json!);
    refuseNewer(raw);
    const { spec, from } = migrateSpec(raw);
    const parsed = safeParseSpec(spec);
    if (!parsed.ok)
      return { kind: 'error', message: `The link’s experiment has settings this version cannot use: ${parsed.error.message}.`, options };
    return from === undefined
      ? { kind: 'spec', spec: parsed.spec, options }
      : { kind: 'spec', spec: parsed.spec, options, migratedFrom: from };
  } catch (e) {
    if (e instanceof LinkError || e instanceof SpecError)
      return { kind: 'error', message: `The link could not be opened: ${e.message}.`, options };
    return { kind: 'error', message: `The link could not be opened (${errorMessage(e)}).`, options };
  }
}

/** What a lesson hides unless its link says otherwise: everything but the forget set, the run and the results. */
export const LESSON_HIDE: HideableSection[] = ['dataset', 'presets', 'setup', 'methods', 'train'];

function readLesson(id: string, params: URLSearchParams, options: LinkOptions): LinkReading {
  const lesson = LESSONS.find((l) => l.id === id);
  if (!lesson) {
    return {
      kind: 'error',
      message: `The link names a lesson “${id}” this version does not have (lessons: ${LESSONS.map((l) => l.id).join(', ')}).`,
      options,
    };
  }
  return {
    kind: 'spec',
    spec: parseSpec(lesson.spec),
    options: {
      autorun: params.has('autorun') ? options.autorun : true,
      embed: params.has('embed') ? options.embed : true,
      hide: params.has('hide') ? options.hide : LESSON_HIDE,
    },
  };
}

/** A lesson's link hash. */
export const lessonHash = (id: LessonId) => `#lesson=${id}`;

/** The hash for a spec and options: `#s=…` then only the flags that are set. */
export function buildHash(spec: ExperimentSpec | ExperimentSpecInput, options: Partial<LinkOptions> = {}): string {
  let hash = `#s=${encodeSpec(spec)}`;
  if (options.autorun) hash += '&autorun=1';
  if (options.embed) hash += '&embed=1';
  if (options.hide && options.hide.length > 0) hash += `&hide=${options.hide.join(',')}`;
  return hash;
}

/** A full link: the page address without its hash, plus the hash for `spec`. */
export function buildLink(href: string, spec: ExperimentSpec | ExperimentSpecInput, options: Partial<LinkOptions> = {}): string {
  const base = href.split('#')[0];
  return base + buildHash(spec, options);
}
