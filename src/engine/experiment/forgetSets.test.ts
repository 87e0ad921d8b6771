import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  ForgetSetError,
  applySequence,
  generateForgetSet,
  principalComponents,
  project,
  type FeatureMatrix,
  type ForgetSetContext,
} from './forgetSets';
import type { ForgetGenerator } from './spec';

const SIZE = 600;

/** Labels 0..9, 60 of each, in a seeded order. */
function makeLabels(size = SIZE): Uint8Array {
  const rng = createRng(11);
  const labels = Uint8Array.from({ length: size }, (_, i) => i % 10);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  return labels;
}

/** Gaussian features with standard deviation `scales[j]` along axis j, then rotated by `basis` (rows = directions) if given. */
function makeFeatures(rows: number, scales: number[], seed: number, basis?: number[][]): FeatureMatrix {
  const rng = createRng(seed);
  const cols = scales.length;
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const z = scales.map((s) => s * rng.normal() + 3); // an offset, so centring matters
    for (let j = 0; j < cols; j++) {
      values[i * cols + j] = basis ? z.reduce((acc, zk, k) => acc + zk * basis[k][j], 0) : z[j];
    }
  }
  return { values, rows, cols };
}

const column = (m: FeatureMatrix, j: number) => Array.from({ length: m.rows }, (_, i) => m.values[i * m.cols + j]);

/** Indices of the k largest (or smallest) values, sorted ascending. */
function extremes(values: number[], k: number, largest: boolean): number[] {
  const order = values.map((_, i) => i).sort((a, b) => (largest ? values[b] - values[a] : values[a] - values[b]) || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

function expectValidSet(set: Int32Array, size = SIZE): void {
  for (let i = 0; i < set.length; i++) {
    expect(set[i]).toBeGreaterThanOrEqual(0);
    expect(set[i]).toBeLessThan(size);
    if (i > 0) expect(set[i]).toBeGreaterThan(set[i - 1]); // ascending, hence distinct
  }
}

const labels = makeLabels();
const context: ForgetSetContext = { labels };

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ForgetSetError);
    return (e as Error).message;
  }
  throw new Error('no error was thrown');
}

describe('random forget sets', () => {
  it('are deterministic by seed, different across seeds, sorted and distinct', () => {
    const a = generateForgetSet({ kind: 'random', k: 50, seed: 1 }, context);
    const b = generateForgetSet({ kind: 'random', k: 50, seed: 1 }, context);
    const c = generateForgetSet({ kind: 'random', k: 50, seed: 2 }, context);
    expect(a.length).toBe(50);
    expectValidSet(a);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('can take all points but one, and not more than there are', () => {
    expect(generateForgetSet({ kind: 'random', k: SIZE, seed: 0 }, context).length).toBe(SIZE);
    expect(errorOf(() => generateForgetSet({ kind: 'random', k: SIZE + 1, seed: 0 }, context))).toBe(
      `asks for ${SIZE + 1} random points, but only ${SIZE} of the training subset remain`,
    );
  });
});

describe('class forget sets', () => {
  it('contain only the class, k of them (seeded) or all', () => {
    const some = generateForgetSet({ kind: 'class', classIndex: 3, k: 20, seed: 5 }, context);
    expect(some.length).toBe(20);
    expectValidSet(some);
    for (const i of some) expect(labels[i]).toBe(3);
    expect(Array.from(generateForgetSet({ kind: 'class', classIndex: 3, k: 20, seed: 5 }, context))).toEqual(Array.from(some));
    expect(Array.from(generateForgetSet({ kind: 'class', classIndex: 3, k: 20, seed: 6 }, context))).not.toEqual(Array.from(some));

    const all = generateForgetSet({ kind: 'class', classIndex: 7, seed: 0 }, context);
    expect(Array.from(all)).toEqual(labels.reduce<number[]>((acc, l, i) => (l === 7 ? [...acc, i] : acc), []));
  });

  it('refuses a class with too few images', () => {
    expect(errorOf(() => generateForgetSet({ kind: 'class', classIndex: 3, k: 61, seed: 0 }, context))).toBe(
      'asks for 61 images of class 3 (cat), but the training subset has only 60 left',
    );
    const noCats = { labels: labels.map((l) => (l === 3 ? 4 : l)) };
    expect(errorOf(() => generateForgetSet({ kind: 'class', classIndex: 3, seed: 0 }, noCats))).toBe(
      'class 3 (cat) has no images left in the training subset',
    );
  });
});

describe('explicit indices', () => {
  it('are returned sorted', () => {
    expect(Array.from(generateForgetSet({ kind: 'indices', indices: [40, 3, 17] }, context))).toEqual([3, 17, 40]);
  });

  it('are validated against |S| with a message naming the bad index', () => {
    expect(errorOf(() => generateForgetSet({ kind: 'indices', indices: [1, SIZE] }, context))).toBe(
      `indices[1]: index ${SIZE} is outside the training subset (0..${SIZE - 1})`,
    );
    expect(errorOf(() => generateForgetSet({ kind: 'indices', indices: [2, 5, 2] }, context))).toBe('indices[2]: index 2 is listed twice');
    expect(errorOf(() => generateForgetSet({ kind: 'indices', indices: [1.5] }, context))).toMatch(/^indices\[0\]: index 1.5 is outside/);
  });
});

describe('principal components', () => {
  it('recovers planted axes in order of variance, with a seed-independent sign', () => {
    // Axis 2 has the largest spread, then axis 0; the rest is noise.
    const m = makeFeatures(500, [4, 1, 10, 1, 1], 3);
    for (const seed of [0, 1, 2]) {
      const pca = principalComponents(m, 2, seed);
      expect(Math.abs(pca.components[0][2])).toBeGreaterThan(0.999);
      expect(pca.components[0][2]).toBeGreaterThan(0); // the largest entry is made positive
      expect(Math.abs(pca.components[1][0])).toBeGreaterThan(0.99);
      expect(Math.abs(pca.components[0].reduce((s, x, j) => s + x * pca.components[1][j], 0))).toBeLessThan(1e-9);
      expect(pca.variances[0]).toBeGreaterThan(60);
      expect(pca.variances[0]).toBeLessThan(140);
      expect(pca.variances[1]).toBeGreaterThan(10);
      expect(pca.variances[1]).toBeLessThan(25);
    }
  });

  it('finds a planted direction that is not an axis', () => {
    const u = [1, 2, -1, 0.5].map((x) => x / Math.sqrt(6.25));
    const basis = [
      u,
      [2, -1, 0, 0].map((x) => x / Math.sqrt(5)),
      [0, 0, 0.5, 1].map((x) => x / Math.sqrt(1.25)),
      [1, 0.5, 2, -1].map((x) => x / Math.sqrt(6.25)),
    ];
    // basis rows 0 and 1 are orthogonal; rows 2 and 3 only carry small noise.
    const m = makeFeatures(400, [8, 1, 0.5, 0.5], 4, basis);
    const pca = principalComponents(m, 1, 9);
    const cos = pca.components[0].reduce((s, x, j) => s + x * u[j], 0);
    expect(cos).toBeGreaterThan(0.99); // the entry 2/2.5 is the largest, so the sign matches u
    const proj = project(m, pca.mean, pca.components[0]);
    expect(proj.reduce((s, x) => s + x, 0) / m.rows).toBeCloseTo(0, 6);
  });

  it('refuses components that do not exist', () => {
    const m = makeFeatures(50, [1, 1, 1], 1);
    expect(errorOf(() => principalComponents(m, 4, 0))).toBe(
      'component 3 does not exist: the features have 3 dimensions (components 0..2)',
    );
  });
});

describe('coherent subpopulations', () => {
  const features = makeFeatures(SIZE, [1, 1, 10, 1, 1, 1], 7);
  const withFeatures: ForgetSetContext = { labels, features: { penultimate: features } };
  const along = column(features, 2);
  const sub = (side: 'top' | 'bottom' | 'both', k = 30, seed = 0): ForgetGenerator => ({
    kind: 'subpopulation',
    k,
    component: 0,
    side,
    seed,
    features: 'penultimate',
  });

  it('top-k along component 0 are the extreme points on the planted direction', () => {
    const top = generateForgetSet(sub('top'), withFeatures);
    expectValidSet(top);
    expect(Array.from(top)).toEqual(extremes(along, 30, true));
    expect(Array.from(generateForgetSet(sub('bottom'), withFeatures))).toEqual(extremes(along, 30, false));
    const both = generateForgetSet(sub('both', 31), withFeatures);
    expect(Array.from(both)).toEqual([...extremes(along, 16, true), ...extremes(along, 15, false)].sort((a, b) => a - b));
  });

  it('does not depend on the start vector when the component is well separated', () => {
    expect(Array.from(generateForgetSet(sub('top', 30, 1), withFeatures))).toEqual(
      Array.from(generateForgetSet(sub('top', 30, 2), withFeatures)),
    );
  });

  it('uses the second component when asked', () => {
    const two = makeFeatures(SIZE, [1, 5, 10, 1], 8);
    const set = generateForgetSet({ ...sub('top'), component: 1 } as ForgetGenerator, { labels, features: { penultimate: two } });
    const pca = principalComponents(two, 2, 0);
    expect(pca.components[1][1]).toBeGreaterThan(0.99);
    // Brute force along the computed component; the raw axis differs only by the sample correlation.
    expect(Array.from(set)).toEqual(extremes(Array.from(project(two, pca.mean, pca.components[1])), 30, true));
    const onAxis = new Set(extremes(column(two, 1), 30, true));
    expect(Array.from(set).filter((i) => onAxis.has(i)).length).toBeGreaterThanOrEqual(27);
  });

  it('refuses impossible settings', () => {
    expect(errorOf(() => generateForgetSet({ ...sub('top'), component: 6 } as ForgetGenerator, withFeatures))).toBe(
      'component 6 does not exist: the penultimate features have 6 dimensions (components 0..5)',
    );
    expect(errorOf(() => generateForgetSet(sub('top'), context))).toBe(
      'a subpopulation needs the penultimate features of the training subset; none were given',
    );
    expect(errorOf(() => generateForgetSet({ ...sub('top'), features: 'datamodel' } as ForgetGenerator, withFeatures))).toBe(
      'a subpopulation needs the datamodel features of the training subset; none were given',
    );
    expect(errorOf(() => generateForgetSet(sub('top'), { labels: labels.subarray(0, 100), features: { penultimate: features } }))).toBe(
      'the penultimate features have 600 rows; the training subset has 100 points',
    );
    const flat: FeatureMatrix = { values: new Float32Array(SIZE * 2).fill(1), rows: SIZE, cols: 2 };
    expect(errorOf(() => generateForgetSet(sub('top'), { labels, features: { penultimate: flat } }))).toBe(
      'the penultimate features have no spread along component 0',
    );
  });
});

describe('nearest neighbours', () => {
  const features = makeFeatures(SIZE, [1, 2, 1, 3, 1, 1, 1, 1], 12);
  const withFeatures: ForgetSetContext = { labels, features: { penultimate: features } };

  it('are the anchor and the true nearest points by brute force', () => {
    for (const anchor of [0, 123, SIZE - 1]) {
      const set = generateForgetSet({ kind: 'neighbours', anchor, k: 12, features: 'penultimate' }, withFeatures);
      expectValidSet(set);
      const d = Array.from({ length: SIZE }, (_, i) => {
        let s = 0;
        for (let j = 0; j < features.cols; j++)
          s += (features.values[i * features.cols + j] - features.values[anchor * features.cols + j]) ** 2;
        return s;
      });
      expect(Array.from(set)).toEqual(extremes(d, 12, false));
      expect(Array.from(set)).toContain(anchor);
    }
  });

  it('include the anchor even when other points coincide with it', () => {
    const values = new Float32Array(SIZE * 2); // every point at the origin
    const set = generateForgetSet(
      { kind: 'neighbours', anchor: 500, k: 3, features: 'penultimate' },
      { labels, features: { penultimate: { values, rows: SIZE, cols: 2 } } },
    );
    expect(Array.from(set)).toEqual([0, 1, 500]);
  });

  it('refuses an anchor outside S', () => {
    expect(errorOf(() => generateForgetSet({ kind: 'neighbours', anchor: SIZE, k: 3, features: 'penultimate' }, withFeatures))).toBe(
      `anchor ${SIZE} is outside the training subset (0..${SIZE - 1})`,
    );
  });
});

describe('continual requests', () => {
  it('draw each request from what is left and accumulate', () => {
    const firstTwo: ForgetGenerator[] = [
      { kind: 'class', classIndex: 1, seed: 0 },
      { kind: 'random', k: 100, seed: 0 },
    ];
    const taken = new Set(applySequence(firstTwo, context)[1].cumulative);
    const free = labels.findIndex((_, i) => !taken.has(i));
    const steps = applySequence([...firstTwo, { kind: 'indices', indices: [free] }], context);
    expect(steps.map((s) => s.request.length)).toEqual([60, 100, 1]);
    expect(steps.map((s) => s.cumulative.length)).toEqual([60, 160, 161]);
    const first = new Set(steps[0].request);
    for (const i of steps[1].request) expect(first.has(i)).toBe(false);
    for (const s of steps) expectValidSet(s.cumulative);
    expect(Array.from(steps[2].cumulative)).toEqual([...steps[0].request, ...steps[1].request, ...steps[2].request].sort((a, b) => a - b));
    // The same sequence gives the same sets.
    const again = applySequence(firstTwo, context);
    expect(Array.from(again[1].cumulative)).toEqual(Array.from(steps[1].cumulative));
  });

  it('name the request that cannot be satisfied', () => {
    const cat = labels.indexOf(3);
    expect(
      errorOf(() =>
        applySequence(
          [
            { kind: 'class', classIndex: 3, seed: 0 },
            { kind: 'indices', indices: [cat] },
          ],
          context,
        ),
      ),
    ).toBe(`forget[1]: indices[0]: index ${cat} was already forgotten by an earlier request`);
    expect(
      errorOf(() =>
        applySequence(
          [
            { kind: 'class', classIndex: 3, seed: 0 },
            { kind: 'class', classIndex: 3, k: 1, seed: 0 },
          ],
          context,
        ),
      ),
    ).toBe('forget[1]: class 3 (cat) has no images left in the training subset');
    expect(
      errorOf(() =>
        applySequence(
          [
            { kind: 'random', k: 300, seed: 0 },
            { kind: 'random', k: 300, seed: 1 },
          ],
          context,
        ),
      ),
    ).toBe(`forget[1]: the requests so far forget all ${SIZE} training points; at least one must remain`);
  });

  it('keep an anchor from being forgotten twice', () => {
    const features = makeFeatures(SIZE, [1, 1], 2);
    const ctx = { labels, features: { penultimate: features } };
    const gens: ForgetGenerator[] = [
      { kind: 'indices', indices: [5] },
      { kind: 'neighbours', anchor: 5, k: 2, features: 'penultimate' },
    ];
    expect(errorOf(() => applySequence(gens, ctx))).toBe('forget[1]: anchor 5 was already forgotten by an earlier request');
  });
});
