import { describe, expect, it } from 'vitest';
import { planExperiment } from '../../engine/experiment/plan';
import { DEFAULT_SPEC, parseSpec, PRESETS } from '../../engine/experiment/spec';
import {
  addMethod,
  attributionDefaults,
  checkDraft,
  presetSeconds,
  classMix,
  datasetMismatch,
  describeGenerator,
  errorUnder,
  formatIndexList,
  matchingPreset,
  methodDefaults,
  paramsEdited,
  parseIndexList,
  presetSpec,
  removeMethod,
  resetMethodParams,
  setMethodSettings,
  setIn,
  toggleIndices,
  withForgetRequest,
} from './specEdit';
import type { DatasetSummary } from '../../worker/protocol';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('drafts', () => {
  it('setIn updates immutably', () => {
    const next = setIn(DEFAULT_SPEC, ['recipe', 'epochs'], 7);
    expect(next.recipe.epochs).toBe(7);
    expect(DEFAULT_SPEC.recipe.epochs).toBe(8);
    expect(next.dataset).toBe(DEFAULT_SPEC.dataset);
    expect(setIn(DEFAULT_SPEC, ['methods', 1, 'id'], 'r2').methods[1].id).toBe('r2');
  });

  it('checkDraft keys errors by field path', () => {
    const bad = setIn(setIn(DEFAULT_SPEC, ['recipe', 'epochs'], Number.NaN), ['methods', 2, 'params', 'lr'], -1);
    const checked = checkDraft(bad);
    expect(checked.ok).toBe(false);
    expect(checked.errors['recipe.epochs']).toMatch(/NaN/);
    expect(checked.errors['methods[2].params.lr']).toMatch(/must be > 0/);
    expect(errorUnder(checked.errors, 'methods[2]')).toMatch(/^methods\[2\]\.params\.lr: must be > 0/);
    expect(checkDraft(DEFAULT_SPEC)).toEqual({ ok: true, spec: DEFAULT_SPEC, errors: {} });
  });

  it('presets parse and are recognised', () => {
    for (const p of PRESETS) expect(matchingPreset(presetSpec(p.id))).toBe(p.id);
    expect(matchingPreset(setIn(presetSpec('quick'), ['seed'], 5))).toBeUndefined();
  });
});

describe('methods', () => {
  it('adds with a unique id and browser-scale defaults, removes, resets', () => {
    let d = addMethod(DEFAULT_SPEC, 'dmm');
    expect(d.methods[d.methods.length - 1]).toEqual({ id: 'dmm-2', method: 'dmm', settings: 'browser', params: methodDefaults('dmm') });
    expect(checkDraft(d).ok).toBe(true);
    d = setIn(d, ['methods', d.methods.length - 1, 'params', 'lr'], 0.5);
    expect(paramsEdited(d.methods[d.methods.length - 1])).toBe(true);
    d = resetMethodParams(d, d.methods.length - 1);
    expect(paramsEdited(d.methods[d.methods.length - 1])).toBe(false);
    expect(removeMethod(d, 0).methods.map((m) => m.id)).toEqual([
      'retrain',
      'oracle-matching',
      'dmm',
      'fine-tune',
      'gradient-ascent',
      'dmm-2',
    ]);
  });
  it('attribution defaults come from the spec', () => {
    expect(attributionDefaults('trak')).toEqual({ estimator: 'trak', models: 1, projectionDim: 512, lambda: 0.01 });
    expect(attributionDefaults('datamodels')).toMatchObject({ estimator: 'datamodels', alpha: 0.5 });
  });
  it('method defaults follow the published recipes one setting away', () => {
    expect(methodDefaults('dmm', 'published')).toMatchObject({ lr: 1e-4, batchSize: 512, retainMultiplier: 20, forgetRepeat: 5 });
    expect(methodDefaults('dmm')).toMatchObject({ batchSize: 32, retainMultiplier: 5, forgetRepeat: 1 });
    expect(methodDefaults('scrub', 'published')).toMatchObject({ temperature: 4, gamma: 0.99, alpha: 0.1, lrDecayEpochs: [3, 5, 9] });
  });
  it('switching settings replaces the parameters and keeps the entry', () => {
    const index = DEFAULT_SPEC.methods.findIndex((m) => m.method === 'dmm');
    let d = setMethodSettings(DEFAULT_SPEC, index, 'published');
    expect(d.methods[index]).toMatchObject({ id: 'dmm', settings: 'published', params: methodDefaults('dmm', 'published') });
    expect(paramsEdited(d.methods[index])).toBe(false);
    d = setIn(d, ['methods', index, 'params', 'epochs'], 9);
    d = resetMethodParams(d, index);
    expect(d.methods[index].params).toEqual(methodDefaults('dmm', 'published'));
    expect(checkDraft(d).ok).toBe(true);
    expect(setMethodSettings(d, index, 'browser').methods[index].params).toEqual(methodDefaults('dmm'));
  });
});

describe('forget-set helpers', () => {
  it('parses and formats index lists', () => {
    expect(parseIndexList('9, 1 3-5;4')).toEqual([1, 3, 4, 5, 9]);
    expect(() => parseIndexList('1, x')).toThrow(/“x” is not an image number/);
    expect(() => parseIndexList('5-3')).toThrow(/upwards/);
    expect(formatIndexList([9, 1, 3, 4, 5, 7, 8])).toBe('1, 3-5, 7-9');
    expect(formatIndexList([1, 2])).toBe('1, 2');
    expect(parseIndexList(formatIndexList([0, 2, 3, 4, 10, 11]))).toEqual([0, 2, 3, 4, 10, 11]);
  });
  it('toggles selections and counts the class mix', () => {
    expect(toggleIndices([1, 5], [5, 3])).toEqual([1, 3]);
    expect(toggleIndices([1, 5], [5, 3], true)).toEqual([1, 3, 5]);
    expect(toggleIndices([1, 5], [5, 3], false)).toEqual([1]);
    expect(
      classMix(
        [0, 1, 2, 12],
        Uint8Array.from({ length: 20 }, (_, i) => i % 10),
      ),
    ).toEqual([1, 1, 2, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('describes generators in words', () => {
    expect(describeGenerator({ kind: 'random', k: 50, seed: 0 }, CLASSES)).toBe('50 random images (seed 0)');
    expect(describeGenerator({ kind: 'class', classIndex: 3, seed: 0 }, CLASSES)).toBe('every cat image');
    expect(describeGenerator({ kind: 'indices', indices: [1] }, CLASSES)).toBe('1 picked image');
    expect(describeGenerator({ kind: 'neighbours', anchor: 7, k: 10, features: 'penultimate' }, CLASSES)).toMatch(/#7 and its 9 nearest/);
  });
  it('replaces one request and keeps the others', () => {
    const two = { ...DEFAULT_SPEC, forget: [DEFAULT_SPEC.forget[0], { kind: 'random' as const, k: 5, seed: 1 }] };
    const next = withForgetRequest(two, 0, { kind: 'indices', indices: [3] });
    expect(next.forget).toEqual([{ kind: 'indices', indices: [3] }, two.forget[1]]);
  });
});

describe('datasetMismatch', () => {
  const embedded: DatasetSummary = {
    id: 'e',
    name: 'e',
    source: 'embedded',
    classNames: CLASSES,
    counts: { train: 10_000, validation: 2_000 },
    perClass: [],
  };
  it('says what to load', () => {
    expect(datasetMismatch(DEFAULT_SPEC, embedded)).toBeUndefined();
    expect(datasetMismatch({ dataset: { ...DEFAULT_SPEC.dataset, source: 'full' } }, embedded)).toMatch(/load it from your files/);
    expect(datasetMismatch({ dataset: { ...DEFAULT_SPEC.dataset, source: 'full' } }, embedded, true)).toMatch(
      /Use the saved full CIFAR-10/,
    );
    expect(datasetMismatch(DEFAULT_SPEC, { ...embedded, source: 'saved' })).toMatch(/Use embedded subset/);
    expect(datasetMismatch({ dataset: { ...DEFAULT_SPEC.dataset, trainSize: 20_000 } }, embedded)).toMatch(
      /20,000 images but the loaded dataset has 10,000/,
    );
    expect(datasetMismatch(DEFAULT_SPEC, undefined)).toMatch(/loading/);
  });
});

describe('presetSeconds', () => {
  it('counts only the methods with the shipped models, everything without, at the measured speed', () => {
    const spec = parseSpec(PRESETS.find((p) => p.id === 'quick')!.spec);
    expect(presetSeconds('quick', undefined)).toBeUndefined();
    const plan = planExperiment(spec);
    const t = presetSeconds('quick', 1000)!;
    expect(t.without).toBeCloseTo(plan.totalExamples / 1000);
    const methods = plan.phases.filter((p) => p.kind === 'method').reduce((s, p) => s + p.examples, 0);
    expect(t.withPacks).toBeCloseTo(methods / 1000);
    expect(t.withPacks).toBeGreaterThan(0);
    expect(t.withPacks).toBeLessThan(t.without / 2);
  });
});
