/**
 * Forget-set generators: pure functions from a generator of the spec (plus the labels of the training
 * subset S and, for the structured kinds, a feature matrix of S) to a forget set F: indices into S,
 * sorted ascending, without duplicates. All randomness comes from the generator's own seed (through
 * rng.ts), so a forget set does not change when the experiment's master seed does.
 *
 * Continual requests (`applySequence`): each request is drawn from the points not yet forgotten, and
 * the forget set after request r is the union of requests 0..r.
 */
import { CLASS_NAMES, NUM_CLASSES } from '../data/types';
import { createRng, type Rng } from '../rng';
import type { ForgetGenerator } from './spec';

/** A row-major [rows, cols] matrix: one row of features per point of S. */
export interface FeatureMatrix {
  values: Float32Array;
  rows: number;
  cols: number;
}

export type FeatureKind = 'penultimate' | 'datamodel';

export interface ForgetSetContext {
  /** Labels of the training subset S (|S| entries, each 0..9); its length is |S|. */
  labels: Uint8Array;
  /**
   * Features of S for the structured generators: 'penultimate' (the original model's penultimate
   * activations) or 'datamodel' (rows of the train × train datamodel matrix, or any projection of them).
   */
  features?: Partial<Record<FeatureKind, FeatureMatrix>>;
}

export interface ForgetStep {
  /** The points this request adds (sorted). */
  request: Int32Array;
  /** The forget set after this request: all requests so far (sorted). */
  cumulative: Int32Array;
}

/** An impossible forget-set setting; `request` is the index of the request in a sequence, when known. */
export class ForgetSetError extends Error {
  constructor(
    message: string,
    readonly request?: number,
  ) {
    super(request === undefined ? message : `forget[${request}]: ${message}`);
    this.name = 'ForgetSetError';
  }
}

const fail = (message: string): never => {
  throw new ForgetSetError(message);
};

const className = (c: number) => `class ${c} (${CLASS_NAMES[c] ?? '?'})`;

function checkCount(k: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) fail(`${what} must be a whole number ≥ 1, got ${k}`);
}

function sortedInt32(values: ArrayLike<number>): Int32Array {
  return Int32Array.from(values).sort();
}

/** Indices of S not yet forgotten (ascending), optionally only those with `label`. */
function available(forgotten: Uint8Array, labels?: Uint8Array, label?: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < forgotten.length; i++) {
    if (!forgotten[i] && (label === undefined || labels![i] === label)) out.push(i);
  }
  return Int32Array.from(out);
}

/** k distinct elements of `pool` chosen uniformly (partial Fisher–Yates on a copy), sorted. */
function sample(pool: Int32Array, k: number, rng: Rng): Int32Array {
  const copy = pool.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(copy.length - i);
    const t = copy[i];
    copy[i] = copy[j];
    copy[j] = t;
  }
  return copy.slice(0, k).sort();
}

function featuresFor(context: ForgetSetContext, kind: FeatureKind, what: string): FeatureMatrix {
  const m = context.features?.[kind];
  if (!m) return fail(`${what} needs the ${kind} features of the training subset; none were given`);
  checkMatrix(m);
  if (m.rows !== context.labels.length) {
    fail(`the ${kind} features have ${m.rows} rows; the training subset has ${context.labels.length} points`);
  }
  return m;
}

function checkMatrix(m: FeatureMatrix): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    fail(`a feature matrix needs whole, positive dimensions, got ${m.rows} × ${m.cols}`);
  }
  if (m.values.length !== m.rows * m.cols) {
    fail(`a ${m.rows} × ${m.cols} feature matrix needs ${m.rows * m.cols} values, got ${m.values.length}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Principal components (power iteration with deflation)
// ---------------------------------------------------------------------------------------------

export interface PrincipalComponents {
  /** Column means of the features (the centre). */
  mean: Float64Array;
  /** Unit vectors, one per component, in decreasing order of variance. */
  components: Float64Array[];
  /** Variance of the centred features along each component (population variance: divided by rows). */
  variances: number[];
  /** Iterations each component took (maxIterations when it did not reach the tolerance). */
  iterations: number[];
}

export interface PcaOptions {
  /** Power iterations per component at most (default 500). */
  maxIterations?: number;
  /** Stop when 1 − |cos(v_t, v_{t+1})| falls below this (default 1e-10). */
  tolerance?: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** w ← C v for the covariance C of the centred rows, without forming C or a centred copy. */
function covarianceTimes(m: FeatureMatrix, mean: Float64Array, v: Float64Array, u: Float64Array, w: Float64Array): void {
  const { values, rows, cols } = m;
  const meanDotV = dot(mean, v);
  let sumU = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let j = 0; j < cols; j++) s += values[base + j] * v[j];
    u[i] = s - meanDotV;
    sumU += u[i];
  }
  w.fill(0);
  for (let i = 0; i < rows; i++) {
    const ui = u[i];
    if (ui === 0) continue;
    const base = i * cols;
    for (let j = 0; j < cols; j++) w[j] += ui * values[base + j];
  }
  for (let j = 0; j < cols; j++) w[j] = (w[j] - mean[j] * sumU) / rows;
}

function orthogonalise(w: Float64Array, basis: Float64Array[]): void {
  for (const b of basis) {
    const p = dot(w, b);
    for (let j = 0; j < w.length; j++) w[j] -= p * b[j];
  }
}

/**
 * The top `count` principal components of the (centred) rows of `m`, by power iteration with
 * Hotelling deflation: component c iterates v ← (C − Σ_{p<c} λ_p v_p v_pᵀ) v, re-orthogonalised against
 * the earlier components each step for numerical safety. The start vector is Gaussian from `seed`.
 *
 * Sign convention (power iteration leaves it arbitrary): each component is flipped so that its entry
 * of largest magnitude is positive (the first such entry on ties). So "top" along a planted direction
 * e_j means large values of feature j, whatever the seed.
 */
export function principalComponents(m: FeatureMatrix, count: number, seed: number, options: PcaOptions = {}): PrincipalComponents {
  checkMatrix(m);
  const { rows, cols, values } = m;
  if (!Number.isInteger(count) || count < 1) fail(`the number of components must be a whole number ≥ 1, got ${count}`);
  if (count > cols) fail(`component ${count - 1} does not exist: the features have ${cols} dimensions (components 0..${cols - 1})`);
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-10;

  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += values[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;

  const rng = createRng(seed).fork('pca-start');
  const components: Float64Array[] = [];
  const variances: number[] = [];
  const iterations: number[] = [];
  const u = new Float64Array(rows);
  let w = new Float64Array(cols);
  for (let c = 0; c < count; c++) {
    let v = new Float64Array(cols);
    for (let j = 0; j < cols; j++) v[j] = rng.normal();
    orthogonalise(v, components);
    let norm = Math.sqrt(dot(v, v));
    for (let j = 0; j < cols; j++) v[j] /= norm;
    let lambda = 0;
    let it = 0;
    while (it < maxIterations) {
      it++;
      covarianceTimes(m, mean, v, u, w);
      // Hotelling deflation (a no-op in exact arithmetic, as v ⟂ v_p), then re-orthogonalise.
      components.forEach((p, k) => {
        const s = variances[k] * dot(p, v);
        for (let j = 0; j < cols; j++) w[j] -= s * p[j];
      });
      orthogonalise(w, components);
      lambda = dot(v, w);
      norm = Math.sqrt(dot(w, w));
      if (!(norm > 0)) break; // no variance left in the directions not yet taken
      for (let j = 0; j < cols; j++) w[j] /= norm;
      const cos = Math.abs(dot(v, w));
      [v, w] = [w, v];
      if (1 - cos < tolerance) break;
    }
    let biggest = 0;
    for (let j = 1; j < cols; j++) if (Math.abs(v[j]) > Math.abs(v[biggest]) + 1e-12) biggest = j;
    if (v[biggest] < 0) for (let j = 0; j < cols; j++) v[j] = -v[j];
    components.push(v);
    variances.push(Math.max(0, lambda));
    iterations.push(it);
    w = new Float64Array(cols);
  }
  return { mean, components, variances, iterations };
}

/** Projection of every (centred) row on `direction`. */
export function project(m: FeatureMatrix, mean: Float64Array, direction: Float64Array): Float64Array {
  const { values, rows, cols } = m;
  const out = new Float64Array(rows);
  const offset = dot(mean, direction);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += values[i * cols + j] * direction[j];
    out[i] = s - offset;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

function generate(g: ForgetGenerator, context: ForgetSetContext, forgotten: Uint8Array): Int32Array {
  const size = context.labels.length;
  switch (g.kind) {
    case 'random': {
      checkCount(g.k, 'k');
      const pool = available(forgotten);
      if (g.k > pool.length) fail(`asks for ${g.k} random points, but only ${pool.length} of the training subset remain`);
      return sample(pool, g.k, createRng(g.seed).fork('forget-random'));
    }
    case 'class': {
      if (!Number.isInteger(g.classIndex) || g.classIndex < 0 || g.classIndex >= NUM_CLASSES) {
        fail(`classIndex must be a whole number from 0 to ${NUM_CLASSES - 1}, got ${g.classIndex}`);
      }
      const pool = available(forgotten, context.labels, g.classIndex);
      if (pool.length === 0) fail(`${className(g.classIndex)} has no images left in the training subset`);
      if (g.k === undefined) return pool;
      checkCount(g.k, 'k');
      if (g.k > pool.length) {
        fail(`asks for ${g.k} images of ${className(g.classIndex)}, but the training subset has only ${pool.length} left`);
      }
      return sample(pool, g.k, createRng(g.seed).fork(`forget-class-${g.classIndex}`));
    }
    case 'indices': {
      if (g.indices.length === 0) fail('indices: the list is empty');
      const seen = new Set<number>();
      g.indices.forEach((index, j) => {
        if (!Number.isInteger(index) || index < 0 || index >= size) {
          fail(`indices[${j}]: index ${index} is outside the training subset (0..${size - 1})`);
        }
        if (seen.has(index)) fail(`indices[${j}]: index ${index} is listed twice`);
        if (forgotten[index]) fail(`indices[${j}]: index ${index} was already forgotten by an earlier request`);
        seen.add(index);
      });
      return sortedInt32(g.indices);
    }
    case 'subpopulation': {
      checkCount(g.k, 'k');
      const m = featuresFor(context, g.features, 'a subpopulation');
      if (!Number.isInteger(g.component) || g.component < 0) fail(`component must be a whole number ≥ 0, got ${g.component}`);
      if (g.component >= m.cols) {
        fail(`component ${g.component} does not exist: the ${g.features} features have ${m.cols} dimensions (components 0..${m.cols - 1})`);
      }
      const pool = available(forgotten);
      if (g.k > pool.length) fail(`asks for ${g.k} points, but only ${pool.length} of the training subset remain`);
      const pca = principalComponents(m, g.component + 1, g.seed);
      const total = pca.variances[0];
      if (!(pca.variances[g.component] > 1e-12 * Math.max(total, Number.MIN_VALUE))) {
        fail(`the ${g.features} features have no spread along component ${g.component}`);
      }
      const proj = project(m, pca.mean, pca.components[g.component]);
      // Descending projection, ties by index: "top" is the head, "bottom" the tail.
      const order = Array.from(pool).sort((a, b) => proj[b] - proj[a] || a - b);
      const top = g.side === 'top' ? g.k : g.side === 'bottom' ? 0 : Math.ceil(g.k / 2);
      const bottom = g.k - top;
      return sortedInt32([...order.slice(0, top), ...order.slice(order.length - bottom)]);
    }
    case 'neighbours': {
      checkCount(g.k, 'k');
      const m = featuresFor(context, g.features, 'a neighbourhood');
      if (!Number.isInteger(g.anchor) || g.anchor < 0 || g.anchor >= size) {
        fail(`anchor ${g.anchor} is outside the training subset (0..${size - 1})`);
      }
      if (forgotten[g.anchor]) fail(`anchor ${g.anchor} was already forgotten by an earlier request`);
      const pool = available(forgotten);
      if (g.k > pool.length) fail(`asks for ${g.k} points, but only ${pool.length} of the training subset remain`);
      const { values, cols } = m;
      const a = g.anchor * cols;
      const dist = new Float64Array(size);
      for (const i of pool) {
        let s = 0;
        for (let j = 0; j < cols; j++) {
          const d = values[i * cols + j] - values[a + j];
          s += d * d;
        }
        dist[i] = s;
      }
      // The anchor first (even if another point sits at distance 0), then by distance, ties by index.
      const others = Array.from(pool)
        .filter((i) => i !== g.anchor)
        .sort((x, y) => dist[x] - dist[y] || x - y);
      return sortedInt32([g.anchor, ...others.slice(0, g.k - 1)]);
    }
  }
}

function forgottenFlags(size: number, already?: ArrayLike<number>): Uint8Array {
  const flags = new Uint8Array(size);
  if (already) {
    for (let i = 0; i < already.length; i++) {
      const index = already[i];
      if (!Number.isInteger(index) || index < 0 || index >= size)
        fail(`already-forgotten index ${index} is outside the training subset (0..${size - 1})`);
      flags[index] = 1;
    }
  }
  return flags;
}

/**
 * The forget set of one generator: indices into S, ascending, distinct. `alreadyForgotten` (indices into
 * S) are not available to draw from. Throws a ForgetSetError for impossible settings.
 */
export function generateForgetSet(generator: ForgetGenerator, context: ForgetSetContext, alreadyForgotten?: ArrayLike<number>): Int32Array {
  return generate(generator, context, forgottenFlags(context.labels.length, alreadyForgotten));
}

/**
 * Continual requests: request r is drawn from S minus requests 0..r−1; returns, for every request, the
 * points it adds and the cumulative forget set. At least one point of S must remain in the retain set.
 * Errors name the request: `forget[1]: ...`.
 */
export function applySequence(generators: readonly ForgetGenerator[], context: ForgetSetContext): ForgetStep[] {
  const size = context.labels.length;
  if (generators.length === 0) throw new ForgetSetError('at least one forget request is needed');
  const forgotten = new Uint8Array(size);
  let count = 0;
  return generators.map((g, r) => {
    let request: Int32Array;
    try {
      request = generate(g, context, forgotten);
    } catch (e) {
      if (e instanceof ForgetSetError && e.request === undefined) throw new ForgetSetError(e.message, r);
      throw e;
    }
    for (const i of request) forgotten[i] = 1;
    count += request.length;
    if (count >= size) throw new ForgetSetError(`the requests so far forget all ${size} training points; at least one must remain`, r);
    const cumulative = new Int32Array(count);
    let n = 0;
    for (let i = 0; i < size; i++) if (forgotten[i]) cumulative[n++] = i;
    return { request, cumulative };
  });
}
