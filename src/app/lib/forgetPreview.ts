/**
 * The forget sets the page can know before a run: random, class and explicit requests depend only on
 * the labels of S and their seeds, so the page computes them with the engine's own generator code
 * (forgetSets.ts is pure TypeScript, no tfjs) and shows exactly the images the run will forget. The
 * structured kinds (subpopulation, neighbours) need a trained model's features: the engine computes them
 * during the run, and the result's splits say which images they were.
 */
import { applySequence, ForgetSetError } from '../../engine/experiment/forgetSets';
import type { ForgetGenerator } from '../../engine/experiment/spec';
import { previewable } from './specEdit';

export type ForgetPreview =
  /** Cumulative forget set after each request (indices into S, ascending) and the points each request adds. */
  | { kind: 'known'; requests: number[][]; cumulative: number[][] }
  /** A request needs the engine (structured generator) from request `from` on. */
  | { kind: 'needs-run'; from: number; requests: number[][] }
  | { kind: 'error'; message: string }
  | { kind: 'loading' };

export function previewForget(generators: readonly ForgetGenerator[], labels: Uint8Array | undefined, trainSize: number): ForgetPreview {
  const first = generators.findIndex((g) => !previewable(g));
  const known = first < 0 ? generators : generators.slice(0, first);
  const needsLabels = known.some((g) => g.kind !== 'indices');
  if (needsLabels && !labels) return { kind: 'loading' };
  const ctxLabels = labels ? labels.subarray(0, trainSize) : new Uint8Array(trainSize);
  if (ctxLabels.length < trainSize) return { kind: 'loading' };
  try {
    const steps = known.length > 0 ? applySequence(known, { labels: ctxLabels }) : [];
    const requests = steps.map((s) => Array.from(s.request));
    if (first >= 0) return { kind: 'needs-run', from: first, requests };
    return { kind: 'known', requests, cumulative: steps.map((s) => Array.from(s.cumulative)) };
  } catch (e) {
    if (e instanceof ForgetSetError) return { kind: 'error', message: e.message };
    throw e;
  }
}
