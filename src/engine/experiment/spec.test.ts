import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, methodMeta } from '../unlearn/catalog';
import {
  DEFAULT_SPEC,
  PRESETS,
  SpecError,
  canonicalJson,
  migrateSpec,
  parseSpec,
  safeParseSpec,
  specHash,
  type ExperimentSpecInput,
} from './spec';

const minimal = (): ExperimentSpecInput => ({
  v: 2,
  forget: [{ kind: 'random', k: 10 }],
  methods: [{ id: 'dmm', method: 'dmm' }],
});

/** The message parseSpec throws for `input` (fails the test if it does not throw a SpecError). */
function errorOf(input: unknown): SpecError {
  try {
    parseSpec(input);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('parseSpec accepted the spec');
}

/** A deep copy with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, reversedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

describe('parseSpec: defaults', () => {
  it('fills every default of a minimal spec', () => {
    const spec = parseSpec(minimal());
    expect(spec.dataset).toEqual({ source: 'embedded', trainSize: 10_000, validationSize: 2_000 });
    expect(spec.model).toEqual({ arch: 'tiny-cnn' });
    expect(spec.recipe).toEqual({ epochs: 10, batchSize: 128, peakLr: 0.05, peakEpoch: 2, momentum: 0.9, weightDecay: 5e-4, flip: false });
    expect(spec.forget).toEqual([{ kind: 'random', k: 10, seed: 0 }]);
    expect(spec.n).toBe(8);
    expect(spec.extraOracles).toBe(8);
    expect(spec.methods[0].settings).toBe('browser');
    expect(spec.methods[0].params).toEqual({ ...methodMeta('dmm').params.parse({}) });
    expect(spec.attribution).toEqual({ estimator: 'datamodels', models: 100, alpha: 0.5, terms: 'diagonal' });
    expect(spec.metrics).toEqual(['klom', 'accuracy', 'mia', 'cost']);
    expect(spec.seed).toBe(0);
  });

  it('fills the published recipes of the methods', () => {
    const spec = parseSpec({
      ...minimal(),
      methods: METHOD_NAMES.map((method) => ({ id: method, method, settings: 'published' as const })),
    });
    const params = Object.fromEntries(spec.methods.map((m) => [m.method, m.params]));
    expect(params['oracle-matching']).toEqual({
      oracles: 1,
      epochs: 10,
      lr: 1e-3,
      batchSize: 512,
      retainMultiplier: 5,
      forgetRepeat: 1,
      lrDecay: 0.95,
    });
    expect(params.scrub).toMatchObject({
      temperature: 4,
      gamma: 0.99,
      alpha: 0.1,
      lrDecayEpochs: [3, 5, 9],
      lrDecayRate: 0.1,
      momentum: 0.9,
      weightDecay: 5e-4,
    });
    expect(params['gradient-ascent']).toMatchObject({ momentum: 0.9, weightDecay: 5e-4, batchSize: 64 });
    expect(params['neggrad-plus']).toMatchObject({ ascentEpochs: 3 });
    expect(params.salun).toMatchObject({ maskFraction: 0.5 });
    expect(params.iau).toEqual({ lr: 1e-3 });
    expect(params['do-nothing']).toEqual({});
    for (const name of METHOD_NAMES) expect(methodMeta(name).source.length).toBeGreaterThan(5);
  });

  it('takes the kernel terms’ ensemble settings only with terms "kernel", and leaves them out of a spec that omits them', () => {
    const small = { ...minimal(), dataset: { source: 'embedded' as const, trainSize: 1_000 } };
    const kernel = parseSpec({ ...small, attribution: { estimator: 'datamodels', terms: 'kernel', kernelModels: 2, kernelLambda: 1 } });
    expect(kernel.attribution).toMatchObject({ terms: 'kernel', kernelModels: 2, kernelLambda: 1 });
    expect(parseSpec({ ...small, attribution: { estimator: 'datamodels', terms: 'kernel' } }).attribution).not.toHaveProperty(
      'kernelModels',
    );
    expect(() => parseSpec({ ...minimal(), attribution: { estimator: 'datamodels', terms: 'diagonal', kernelLambda: 1 } })).toThrow(
      /attribution\.kernelLambda: only applies with terms "kernel" \(terms is "diagonal"\)/,
    );
    // The kernel is |S| × |S| per original: a training subset too large for the page is refused by name.
    const large = (trainSize: number) => ({
      ...minimal(),
      dataset: { source: 'embedded' as const, trainSize },
      attribution: { estimator: 'datamodels' as const, terms: 'kernel' as const },
    });
    expect(parseSpec(large(2_000)).dataset.trainSize).toBe(2_000);
    expect(() => parseSpec(large(2_001))).toThrow(/attribution\.terms: "kernel" .*at most 2000 training images, the spec has 2001/);
  });

  it('fills the defaults of the other variants', () => {
    const spec = parseSpec({
      ...minimal(),
      model: { arch: 'resnet9' },
      attribution: { estimator: 'trak' },
      forget: [
        { kind: 'class', classIndex: 3 },
        { kind: 'subpopulation', k: 5 },
        { kind: 'neighbours', anchor: 4, k: 3 },
      ],
    });
    expect(spec.model).toEqual({ arch: 'resnet9', width: 0.25 });
    expect(spec.attribution).toEqual({ estimator: 'trak', models: 1, projectionDim: 512, lambda: 0.01 });
    expect(spec.forget[0]).toEqual({ kind: 'class', classIndex: 3, seed: 0 }); // no k: the whole class
    expect(spec.forget[1]).toEqual({ kind: 'subpopulation', k: 5, component: 0, side: 'top', seed: 0, features: 'penultimate' });
    expect(spec.forget[2]).toEqual({ kind: 'neighbours', anchor: 4, k: 3, features: 'penultimate' });
  });

  it('does not share default arrays between parses', () => {
    const a = parseSpec({ ...minimal(), methods: [{ id: 's', method: 'scrub' }] });
    const b = parseSpec({ ...minimal(), methods: [{ id: 's', method: 'scrub' }] });
    const decayA = (a.methods[0].params as { lrDecayEpochs: number[] }).lrDecayEpochs;
    decayA.push(11);
    expect((b.methods[0].params as { lrDecayEpochs: number[] }).lrDecayEpochs).toEqual([3, 5, 9]);
  });
});

describe('parseSpec: errors name the field', () => {
  it('refuses another version with a clear message', () => {
    expect(errorOf({ ...minimal(), v: 3 }).message).toBe('unsupported spec version 3; this app reads version 2');
    expect(errorOf({ ...minimal(), v: '1' }).message).toBe('unsupported spec version "1"; this app reads version 2');
    expect(errorOf({ forget: [] }).message).toBe('v: missing spec version; this app reads version 2');
    expect(errorOf('{"v":2}').message).toMatch(/^spec: must be an object/);
    expect(errorOf(null).message).toMatch(/^spec: must be an object/);
  });

  it('rejects unknown fields, at the top and nested', () => {
    expect(errorOf({ ...minimal(), colour: 'red' }).message).toBe('colour: unknown field');
    expect(errorOf({ ...minimal(), recipe: { lr: 0.1 } }).message).toBe('recipe.lr: unknown field');
    const e = errorOf({ ...minimal(), methods: [{ id: 'x', method: 'dmm', params: { epochs: 5, lrr: 1 } }] });
    expect(e.message).toBe('methods[0].params.lrr: unknown field');
    expect(e.issues).toEqual([{ path: 'methods[0].params.lrr', message: 'unknown field' }]);
  });

  it('rejects out-of-range numbers', () => {
    const spec = {
      ...minimal(),
      methods: [
        { id: 'a', method: 'do-nothing' },
        { id: 'b', method: 'retrain' },
        { id: 'c', method: 'fine-tune', params: { lr: -0.1 } },
      ],
    };
    expect(errorOf(spec).message).toBe('methods[2].params.lr: must be > 0, got -0.1');
    expect(errorOf({ ...minimal(), n: 101 }).message).toBe('n: must be ≤ 100, got 101');
    expect(errorOf({ ...minimal(), model: { arch: 'resnet9', width: 1.5 } }).message).toBe('model.width: must be ≤ 1, got 1.5');
    expect(errorOf({ ...minimal(), forget: [{ kind: 'class', classIndex: 10 }] }).message).toBe(
      'forget[0].classIndex: must be ≤ 9, got 10',
    );
    expect(errorOf({ ...minimal(), forget: [] }).message).toBe('forget: needs at least 1 item');
  });

  it('rejects wrong types', () => {
    expect(errorOf({ ...minimal(), forget: [{ kind: 'random', k: 'ten' }] }).message).toBe(
      'forget[0].k: must be a number, got the string "ten"',
    );
    expect(errorOf({ ...minimal(), n: 2.5 }).message).toBe('n: must be a whole number, got 2.5');
    expect(errorOf({ ...minimal(), recipe: { flip: 'yes' } }).message).toBe('recipe.flip: must be a boolean, got the string "yes"');
    expect(errorOf({ ...minimal(), methods: 'dmm' }).message).toBe('methods: must be an array, got the string "dmm"');
    expect(errorOf({ ...minimal(), forget: [{ kind: 'random' }] }).message).toBe('forget[0].k: is required');
    expect(errorOf({ ...minimal(), forget: [{ kind: 'everything' }] }).message).toBe(
      'forget[0].kind: must be one of "random", "class", "indices", "subpopulation", "neighbours", got the string "everything"',
    );
    expect(errorOf({ ...minimal(), methods: [{ id: 'x', method: 'magic' }] }).message).toMatch(
      /^methods\[0\]\.method: must be one of "do-nothing", .*got the string "magic"$/,
    );
    expect(errorOf({ ...minimal(), dataset: { source: 'imagenet' } }).message).toBe(
      'dataset.source: must be one of "embedded", "full", got the string "imagenet"',
    );
  });

  it('reports several problems in one message', () => {
    const e = errorOf({ ...minimal(), n: 0, seed: -1, recipe: { epochs: 0 } });
    expect(e.issues.map((i) => i.path).sort()).toEqual(['n', 'recipe.epochs', 'seed']);
    expect(e.message).toContain('n: must be ≥ 1, got 0');
    expect(e.message).toContain('seed: must be ≥ 0, got -1');
    expect(e.message).toContain('recipe.epochs: must be ≥ 1, got 0');
  });

  it('checks fields against each other', () => {
    const twice = {
      ...minimal(),
      methods: [
        { id: 'm', method: 'dmm' },
        { id: 'x', method: 'scrub' },
        { id: 'm', method: 'fine-tune' },
      ],
    };
    expect(errorOf(twice).message).toBe('methods[2].id: duplicate id "m" (also methods[0])');
    expect(errorOf({ ...minimal(), forget: [{ kind: 'random', k: 10_000 }] }).message).toBe(
      'forget[0].k: must be < dataset.trainSize (10000), got 10000',
    );
    expect(
      errorOf({
        ...minimal(),
        dataset: { trainSize: 1000 },
        forget: [
          { kind: 'random', k: 600 },
          { kind: 'random', k: 400 },
        ],
      }).message,
    ).toBe('forget: the requests forget 1000 of 1000 training images; at least one must remain');
    expect(errorOf({ ...minimal(), dataset: { trainSize: 100 }, forget: [{ kind: 'indices', indices: [3, 100] }] }).message).toBe(
      'forget[0].indices[1]: index 100 is outside the training subset (0..99)',
    );
    expect(errorOf({ ...minimal(), dataset: { trainSize: 100 }, forget: [{ kind: 'neighbours', anchor: 120, k: 3 }] }).message).toBe(
      'forget[0].anchor: index 120 is outside the training subset (0..99)',
    );
    expect(errorOf({ ...minimal(), dataset: { source: 'embedded', trainSize: 20_000 } }).message).toBe(
      'dataset.trainSize: must be ≤ 10000 for the embedded dataset, got 20000',
    );
    expect(parseSpec({ ...minimal(), dataset: { source: 'full', trainSize: 20_000 } }).dataset.trainSize).toBe(20_000);
    expect(errorOf({ ...minimal(), recipe: { epochs: 3, peakEpoch: 4 } }).message).toBe(
      'recipe.peakEpoch: must be ≤ recipe.epochs (3), got 4',
    );
    expect(errorOf({ ...minimal(), methods: [{ id: 's', method: 'scrub', params: { epochs: 2, msteps: 3 } }] }).message).toBe(
      'methods[0].params.msteps: must be ≤ epochs (2), got 3',
    );
  });

  it('rejects duplicate indices and metrics', () => {
    expect(errorOf({ ...minimal(), forget: [{ kind: 'indices', indices: [4, 2, 4] }] }).message).toBe(
      'forget[0].indices[2]: duplicate index 4 (also at [0])',
    );
    expect(errorOf({ ...minimal(), metrics: ['klom', 'cost', 'klom'] }).message).toBe('metrics[2]: "klom" is listed twice');
  });

  it('safeParseSpec returns the error instead of throwing', () => {
    const bad = safeParseSpec({ ...minimal(), n: -1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.issues[0].path).toBe('n');
    expect(safeParseSpec(minimal()).ok).toBe(true);
  });
});

describe('canonical JSON and hash', () => {
  it('is stable under key reordering and explicit defaults', async () => {
    const spec = parseSpec(PRESETS.find((p) => p.id === 'random')!.spec);
    const reordered = reversedKeys(spec);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(spec));
    expect(canonicalJson(reordered as ExperimentSpecInput)).toBe(canonicalJson(spec));
    expect(await specHash(reordered as ExperimentSpecInput)).toBe(await specHash(spec));
    // Leaving defaults out or spelling them out is the same experiment.
    expect(canonicalJson(minimal())).toBe(canonicalJson(parseSpec(minimal())));
  });

  it('sorts keys at every level and prints no whitespace', () => {
    const text = canonicalJson(minimal());
    expect(text).not.toMatch(/\s/);
    expect(text.startsWith('{"attribution":{"alpha":0.5,"estimator":"datamodels","models":100,"terms":"diagonal"},"dataset":')).toBe(true);
    expect(text).toContain('"lr":0.003');
    expect(JSON.parse(text)).toEqual(parseSpec(minimal()));
  });

  it('ignores the order of explicit indices and of metrics', async () => {
    const a = { ...minimal(), forget: [{ kind: 'indices' as const, indices: [9, 2, 5] }], metrics: ['cost' as const, 'klom' as const] };
    const b = { ...minimal(), forget: [{ kind: 'indices' as const, indices: [2, 5, 9] }], metrics: ['klom' as const, 'cost' as const] };
    expect(parseSpec(a).forget[0]).toEqual({ kind: 'indices', indices: [2, 5, 9] });
    expect(await specHash(a)).toBe(await specHash(b));
  });

  it('gives equal hashes for equal specs and different hashes otherwise', async () => {
    const h = await specHash(minimal());
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await specHash(minimal())).toBe(h);
    const changed = [
      { ...minimal(), seed: 1 },
      { ...minimal(), methods: [{ id: 'dmm', method: 'dmm', params: { lr: 2e-4 } }] },
      { ...minimal(), forget: [{ kind: 'random', k: 10, seed: 1 }] },
      { ...minimal(), methods: [{ id: 'dmm2', method: 'dmm' }] },
    ] as ExperimentSpecInput[];
    const hashes = await Promise.all(changed.map(specHash));
    expect(new Set([h, ...hashes]).size).toBe(changed.length + 1);
  });
});

describe('presets', () => {
  it('every preset and the default parse, and parsing is idempotent', () => {
    expect(PRESETS.map((p) => p.id)).toEqual(['quick', 'random', 'class', 'subpopulation']);
    for (const preset of PRESETS) {
      const spec = parseSpec(preset.spec);
      expect(parseSpec(spec)).toEqual(spec);
      expect(preset.name.length).toBeGreaterThan(0);
    }
    expect(parseSpec(DEFAULT_SPEC)).toEqual(DEFAULT_SPEC);
    expect(DEFAULT_SPEC).toEqual(parseSpec(PRESETS[0].spec));
  });

  it('the report runs the class and subpopulation presets themselves (docs/results.md reads these spec files)', () => {
    const file = (name: string) => parseSpec(JSON.parse(readFileSync(`examples/study/${name}.json`, 'utf8')));
    const preset = (id: string) => parseSpec(PRESETS.find((p) => p.id === id)!.spec);
    expect(file('preset-class-kernel')).toEqual(preset('class'));
    expect(file('preset-subpop-kernel')).toEqual(preset('subpopulation'));
  });

  it('are frozen, so an editor cannot change them by accident', () => {
    expect(Object.isFrozen(DEFAULT_SPEC.recipe)).toBe(true);
    expect(Object.isFrozen(PRESETS[1].spec.forget)).toBe(true);
    // A parsed copy is the thing to edit.
    const copy = parseSpec(DEFAULT_SPEC);
    copy.recipe.epochs = 3;
    expect(DEFAULT_SPEC.recipe.epochs).not.toBe(3);
  });
});

describe('migrateSpec', () => {
  it('runs the migration chain from an older version', () => {
    const migrations = {
      1: (s: Record<string, unknown>) => ({ ...s, renamed: s.old, old: undefined }),
      2: (s: Record<string, unknown>) => ({ ...s, added: true }),
    };
    const { spec, from } = migrateSpec({ v: 1, old: 5 }, migrations, 3);
    expect(from).toBe(1);
    expect(spec).toEqual({ v: 3, renamed: 5, old: undefined, added: true });
  });
  it('leaves the current version alone', () => {
    expect(migrateSpec({ v: 2 })).toEqual({ spec: { v: 2 } });
  });
});

describe('version 1 specs keep their meaning', () => {
  const v1: ExperimentSpecInput = {
    v: 1,
    forget: [{ kind: 'random', k: 10 }],
    methods: [
      { id: 'dmm', method: 'dmm' },
      { id: 'om', method: 'oracle-matching', params: { lr: 0.02 } },
      { id: 'ga', method: 'gradient-ascent' },
    ],
  } as unknown as ExperimentSpecInput;

  it('reads methods at the published values and DM-Direct with all terms', () => {
    const spec = parseSpec(v1);
    expect(spec.v).toBe(2);
    expect(spec.methods.map((m) => m.settings)).toEqual(['published', 'published', 'published']);
    expect(spec.methods[0].params).toMatchObject({
      lr: 1e-4,
      epochs: 5,
      batchSize: 512,
      retainMultiplier: 20,
      forgetRepeat: 5,
      lrDecay: 0.95,
    });
    // An explicit value wins over the published one; the rest are published.
    expect(spec.methods[1].params).toMatchObject({ lr: 0.02, epochs: 10, batchSize: 512, lrDecay: 0.95 });
    expect(spec.attribution).toMatchObject({ estimator: 'datamodels', terms: 'all' });
  });

  it('keeps a version-1 TRAK attribution as it was', () => {
    const spec = parseSpec({ ...v1, attribution: { estimator: 'trak' } });
    expect(spec.attribution.estimator).toBe('trak');
  });

  it('hashes the same as the same experiment written in version 2', async () => {
    const v2 = parseSpec(v1);
    expect(await specHash(v1)).toBe(await specHash(JSON.parse(JSON.stringify(v2))));
  });
});

describe('method settings', () => {
  it('start new specs at the browser-scale defaults with diagonal DM-Direct', () => {
    const spec = parseSpec(minimal());
    expect(spec.methods[0].settings).toBe('browser');
    expect(spec.methods[0].params).toMatchObject({ batchSize: 32, retainMultiplier: 5, forgetRepeat: 1, lrDecay: 1 });
    expect(spec.attribution).toMatchObject({ estimator: 'datamodels', terms: 'diagonal' });
  });

  it('fill the published values for settings "published", under explicit params', () => {
    const spec = parseSpec({ ...minimal(), methods: [{ id: 'dmm', method: 'dmm', settings: 'published', params: { epochs: 7 } }] });
    expect(spec.methods[0].params).toMatchObject({ lr: 1e-4, epochs: 7, batchSize: 512, retainMultiplier: 20 });
  });

  it('name an unknown setting', () => {
    const error = errorOf({ ...minimal(), methods: [{ id: 'dmm', method: 'dmm', settings: 'paper' }] });
    expect(error.message).toContain('methods[0].settings');
  });
});
