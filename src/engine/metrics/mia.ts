/**
 * Simple loss-based membership inference: the NeurIPS 2023 unlearning starting kit's `simple_mia`
 * (github.com/unlearning-challenge/starting-kit), on plain arrays.
 *
 * The kit: per-example cross-entropy losses of the forget set (members, label 1) and of held-out data
 * (non-members, label 0); the larger side is shuffled and cut to the size of the smaller so the classes are
 * balanced; then `cross_val_score(LogisticRegression(), losses, members,
 * cv=StratifiedShuffleSplit(n_splits=10, random_state=0), scoring="accuracy")`, reported as the mean.
 * 0.5 means the attacker cannot tell forgotten from unseen examples.
 *
 * What this file does, and where it departs from that:
 * - Cross-validation: by default the kit's StratifiedShuffleSplit (10 random splits, ⌈0.1·n⌉ test points,
 *   per-class train/test counts by sklearn's `_approximate_mode`, ties broken at random). `cv: 'k-fold'`
 *   gives a shuffled stratified k-fold instead (every point tested once). Splits are drawn from rng.ts, so
 *   they are deterministic per seed but not the same splits as numpy's random_state=0.
 * - Logistic regression: sklearn's default objective, ½w² + C·Σ log(1 + exp(−yᵢ(w·xᵢ + b))) with C = 1,
 *   intercept unpenalised, on the raw loss (the kit does not standardise). We standardise the feature inside
 *   the solver only for conditioning (the penalty is applied to the raw-scale w, so the optimum is sklearn's)
 *   and run Newton with backtracking to convergence, where sklearn stops lbfgs at tol 1e-4 / 100 iterations.
 *   Prediction is sklearn's: member iff w·x + b > 0.
 * - sklearn raises when a split cannot hold both classes in train and test (fewer than 12 balanced points);
 *   here the accuracy is NaN then.
 */
import { createRng, shuffleInPlace, type Rng } from '../rng';

/** Per-example cross-entropy −log softmax(z)_y for [n, numClasses] row-major logits (float64, log-sum-exp stable). */
export function lossesFromLogits(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses = 10): Float64Array {
  const n = labels.length;
  if (logits.length !== n * numClasses) throw new Error(`expected ${n * numClasses} logits for ${n} examples, got ${logits.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[o + c] - max);
    out[i] = max + Math.log(sum) - logits[o + labels[i]];
  }
  return out;
}

/**
 * The same losses from margins φ = z_y − logsumexp_{c≠y} z_c: CE = log(1 + exp(−φ)) exactly, so the MIA
 * can run on the stored margins without the logits.
 */
export function lossesFromMargins(margins: ArrayLike<number>): Float64Array {
  const out = new Float64Array(margins.length);
  for (let i = 0; i < margins.length; i++) out[i] = softplus(-margins[i]);
  return out;
}

const softplus = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

export interface MiaOptions {
  seed?: number;
  /** 'shuffle-split' (the kit: `splits` random stratified splits with ⌈testFraction·n⌉ test points) or 'k-fold'. */
  cv?: 'shuffle-split' | 'k-fold';
  /** Shuffle-split: number of splits (kit: 10). k-fold: number of folds (default 5). */
  splits?: number;
  /** Shuffle-split only: test fraction (sklearn's default 0.1). */
  testFraction?: number;
  /** Inverse L2 strength (sklearn's C; default 1). */
  C?: number;
}

export interface MiaResult {
  /** Mean accuracy over the splits (NaN when there are too few points for the splits). */
  accuracy: number;
  splitAccuracies: number[];
  /** Points per class after balancing. */
  perClass: number;
}

/** Mean cross-validated accuracy of the loss-threshold attacker (0.5 = cannot tell). */
export function simpleMia(forgetLosses: ArrayLike<number>, validationLosses: ArrayLike<number>, options: MiaOptions = {}): number {
  return simpleMiaDetailed(forgetLosses, validationLosses, options).accuracy;
}

export function simpleMiaDetailed(
  forgetLosses: ArrayLike<number>,
  validationLosses: ArrayLike<number>,
  options: MiaOptions = {},
): MiaResult {
  const rng = createRng(options.seed ?? 0);
  const [members, nonMembers] = balance(forgetLosses, validationLosses, rng.fork('balance'));
  const m = members.length;
  const x = new Float64Array(2 * m);
  const y = new Uint8Array(2 * m);
  x.set(nonMembers, 0);
  x.set(members, m);
  y.fill(1, m);
  for (const v of x) if (!Number.isFinite(v)) throw new Error('simple MIA got a non-finite loss');
  const cvRng = rng.fork('cv');
  const folds =
    options.cv === 'k-fold'
      ? stratifiedKFold(y, options.splits ?? 5, cvRng)
      : stratifiedShuffleSplit(y, options.splits ?? 10, options.testFraction ?? 0.1, cvRng);
  if (folds === null) return { accuracy: Number.NaN, splitAccuracies: [], perClass: m };
  const C = options.C ?? 1;
  const splitAccuracies = folds.map(({ train, test }) => {
    const model = fitLogistic1d(gather(x, train), gather(y, train), C);
    let correct = 0;
    for (const i of test) correct += Number(model.w * x[i] + model.b > 0) === y[i] ? 1 : 0;
    return correct / test.length;
  });
  const accuracy = splitAccuracies.reduce((s, a) => s + a, 0) / splitAccuracies.length;
  return { accuracy, splitAccuracies, perClass: m };
}

/**
 * The attack on every model of a group, averaged (the result's `mia`): model m's losses are row m; each model
 * gets its own seed fork so the splits differ between models as independent runs of the kit would.
 */
export function meanSimpleMia(
  forgetLossesPerModel: ArrayLike<number>[],
  validationLossesPerModel: ArrayLike<number>[],
  options: MiaOptions = {},
): number {
  if (forgetLossesPerModel.length !== validationLossesPerModel.length) throw new Error('one row of forget and validation losses per model');
  if (forgetLossesPerModel.length === 0) return Number.NaN;
  const base = createRng(options.seed ?? 0);
  let sum = 0;
  forgetLossesPerModel.forEach((forget, k) => {
    sum += simpleMia(forget, validationLossesPerModel[k], { ...options, seed: base.fork(`model-${k}`).nextUint32() });
  });
  return sum / forgetLossesPerModel.length;
}

/** Shuffles the larger set and keeps as many as the smaller one has (the kit's class balancing). */
function balance(a: ArrayLike<number>, b: ArrayLike<number>, rng: Rng): [Float64Array, Float64Array] {
  const m = Math.min(a.length, b.length);
  const cut = (v: ArrayLike<number>) => {
    const copy = Float64Array.from(v);
    if (copy.length === m) return copy;
    return shuffleInPlace(copy, rng).slice(0, m);
  };
  return [cut(a), cut(b)];
}

function gather<T extends Float64Array | Uint8Array>(v: T, idx: number[]): T {
  const out = new (v.constructor as { new (n: number): T })(idx.length);
  idx.forEach((i, k) => (out[k] = v[i]));
  return out;
}

interface Split {
  train: number[];
  test: number[];
}

/** Indices of each class (0 and 1), in order. */
function classIndices(y: Uint8Array): [number[], number[]] {
  const out: [number[], number[]] = [[], []];
  y.forEach((label, i) => out[label].push(i));
  return out;
}

/**
 * sklearn's StratifiedShuffleSplit for two classes: n_test = ⌈f·n⌉, n_train = n − n_test, per-class counts by
 * `_approximate_mode` (proportional, remainders given to random classes), then per split a fresh permutation of
 * each class: its first n_i points train, the next t_i test. null when either side would miss a class.
 */
function stratifiedShuffleSplit(y: Uint8Array, splits: number, testFraction: number, rng: Rng): Split[] | null {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  const n = y.length;
  const nTest = Math.ceil(testFraction * n);
  const nTrain = n - nTest;
  if (nTrain < 2 || nTest < 2) return null;
  const classes = classIndices(y);
  const counts = classes.map((c) => c.length);
  const out: Split[] = [];
  for (let s = 0; s < splits; s++) {
    const nI = approximateMode(counts, nTrain, rng);
    const tI = approximateMode([counts[0] - nI[0], counts[1] - nI[1]], nTest, rng);
    const train: number[] = [];
    const test: number[] = [];
    classes.forEach((members, c) => {
      const perm = shuffleInPlace(Int32Array.from(members), rng);
      for (let t = 0; t < nI[c]; t++) train.push(perm[t]);
      for (let t = nI[c]; t < nI[c] + tI[c]; t++) test.push(perm[t]);
    });
    out.push({ train, test });
  }
  return out;
}

/** sklearn's `_approximate_mode` for two classes: floor of the proportional draw, remainders to random classes. */
function approximateMode(counts: number[], draws: number, rng: Rng): number[] {
  const total = counts[0] + counts[1];
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let need = draws - floored[0] - floored[1];
  if (need > 0) {
    const rem = continuous.map((v, i) => v - floored[i]);
    // Largest remainder first; equal remainders share the extra draws at random.
    const order = rem[0] === rem[1] ? (rng.next() < 0.5 ? [0, 1] : [1, 0]) : rem[0] > rem[1] ? [0, 1] : [1, 0];
    for (const i of order) {
      if (need > 0 && rem[i] > 0) {
        floored[i]++;
        need--;
      }
    }
  }
  return floored;
}

/** Shuffled stratified k-fold: each class shuffled and dealt round-robin to the folds. */
function stratifiedKFold(y: Uint8Array, folds: number, rng: Rng): Split[] | null {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`k-fold needs an integer k ≥ 2, got ${folds}`);
  const classes = classIndices(y);
  if (classes.some((c) => c.length < folds)) return null;
  const foldOf = new Int32Array(y.length);
  classes.forEach((members) => {
    const perm = shuffleInPlace(Int32Array.from(members), rng);
    perm.forEach((i, t) => (foldOf[i] = t % folds));
  });
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    foldOf.forEach((g, i) => (g === f ? test : train).push(i));
    return { train, test };
  });
}

/**
 * L2-regularised logistic regression on one feature: minimises ½w² + C·Σ log(1 + exp(−sᵢ(w·xᵢ + b))),
 * sᵢ = ±1, intercept unpenalised (sklearn's lbfgs objective). Newton's method on the standardised feature
 * (w' = w·σ, b' = b + w·μ, penalty ½(w'/σ)²) with backtracking; strictly convex, so it converges.
 */
export function fitLogistic1d(x: Float64Array, y: Uint8Array, C = 1): { w: number; b: number } {
  const n = x.length;
  let mu = 0;
  for (const v of x) mu += v;
  mu /= n;
  let sd = 0;
  for (const v of x) sd += (v - mu) ** 2;
  sd = Math.sqrt(sd / n);
  const scale = sd > 0 ? sd : 1;
  const pen = 1 / (scale * scale); // ½·pen·w'² = ½w²
  const z = Float64Array.from(x, (v) => (sd > 0 ? (v - mu) / scale : 0));
  const objective = (w: number, b: number) => {
    let f = 0.5 * pen * w * w;
    for (let i = 0; i < n; i++) f += C * softplus(-(y[i] ? 1 : -1) * (w * z[i] + b));
    return f;
  };
  let w = 0;
  let b = 0;
  let f = objective(w, b);
  for (let iter = 0; iter < 100; iter++) {
    let gw = pen * w;
    let gb = 0;
    let hww = pen;
    let hwb = 0;
    let hbb = 1e-12; // keeps the 2×2 solve defined when every label is the same
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(w * z[i] + b)));
      const r = C * (p - y[i]);
      const h = C * p * (1 - p);
      gw += r * z[i];
      gb += r;
      hww += h * z[i] * z[i];
      hwb += h * z[i];
      hbb += h;
    }
    if (Math.hypot(gw, gb) < 1e-10 * Math.max(1, C * n)) break;
    const det = hww * hbb - hwb * hwb;
    const dw = -(hbb * gw - hwb * gb) / det;
    const db = -(hww * gb - hwb * gw) / det;
    let step = 1;
    let next = objective(w + dw, b + db);
    while (next > f + 1e-4 * step * (gw * dw + gb * db) && step > 1e-10) {
      step /= 2;
      next = objective(w + step * dw, b + step * db);
    }
    w += step * dw;
    b += step * db;
    if (f - next < 1e-15 * Math.max(1, Math.abs(f))) {
      f = next;
      break;
    }
    f = next;
  }
  // Back to the raw feature: w'·(x − μ)/σ + b' = (w'/σ)·x + (b' − w'μ/σ).
  if (!(sd > 0)) return { w: 0, b };
  return { w: w / scale, b: b - (w * mu) / scale };
}
