/** Spec problems in words: every message names its field (`methods[2].params.lr: must be > 0, got -1`). */
import type { z } from 'zod';

export interface SpecIssue {
  /** The field, as `methods[2].params.lr` (`spec` for the whole object). */
  path: string;
  message: string;
}

/** A spec that cannot be read. The message names every offending field. */
export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    const shown = issues.slice(0, 8).map((i) => `${i.path}: ${i.message}`);
    if (issues.length > 8) shown.push(`(and ${issues.length - 8} more)`);
    super(shown.join('; '));
    this.name = 'SpecError';
  }
}

/** `['methods', 2, 'params', 'lr']` → `methods[2].params.lr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || 'spec';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const quoteAll = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** One zod issue → readable issues (an unknown-keys issue names each key as its own field). */
export function toSpecIssues(issue: z.core.$ZodIssue, input: unknown): SpecIssue[] {
  const path = issue.path;
  const here = formatPath(path);
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown field' }));
    case 'invalid_type': {
      if (value === undefined) return [{ path: here, message: 'is required' }];
      if (issue.expected === 'int' && typeof value === 'number') {
        return [{ path: here, message: `must be a whole number, got ${describe(value)}` }];
      }
      const article: Record<string, string> = { int: 'a whole number', array: 'an array', object: 'an object' };
      const expected = article[issue.expected] ?? `a ${issue.expected}`;
      return [{ path: here, message: `must be ${expected}, got ${describe(value)}` }];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return [{ path: here, message: `needs at least ${min} item${min === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path: here, message: min <= 1 ? 'must not be empty' : `needs at least ${min} characters` }];
      return [{ path: here, message: `must be ${issue.inclusive ? '≥' : '>'} ${min}, got ${describe(value)}` }];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return [{ path: here, message: `allows at most ${max} item${max === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path: here, message: `allows at most ${max} characters` }];
      return [{ path: here, message: `must be ${issue.inclusive ? '≤' : '<'} ${max}, got ${describe(value)}` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.length === 1 ? quoteAll(issue.values) : `one of ${quoteAll(issue.values)}`;
      return [{ path: here, message: `must be ${allowed}, got ${value === undefined ? 'nothing' : describe(value)}` }];
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options) {
        const message =
          value === undefined ? `is required (one of ${quoteAll(options)})` : `must be one of ${quoteAll(options)}, got ${describe(value)}`;
        return [{ path: here, message }];
      }
      return [{ path: here, message: issue.message }];
    }
    default:
      return [{ path: here, message: issue.message }];
  }
}
