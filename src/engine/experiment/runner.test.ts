import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_EXAMPLE_COST } from '../attribution/kernelDefaults';
import { MemoryCache } from '../cache/memoryCache';
import { CancelledError, RunControl } from '../control';
import { CLASS_NAMES, type CifarDataset } from '../data/types';
import { syntheticImageSet } from '../data/synthetic';
import { useWasmBackend } from '../../../test/support/wasmBackend';
import { createHash } from 'node:crypto';
import { encodePack } from '../packs/packFile';
import { createPackSource, PACK_FORMAT } from '../packs/packSource';
import { modelsOnly, planExperiment } from './plan';
import { runExperiment, type ExperimentProgress } from './runner';
import { parseSpec, type ExperimentSpecInput } from './spec';

beforeAll(async () => {
  await useWasmBackend();
});

const dataset: CifarDataset = {
  id: 'synthetic-test',
  name: 'synthetic test images',
  classNames: CLASS_NAMES,
  train: syntheticImageSet(120, 1),
  validation: syntheticImageSet(40, 2),
};

const environment = { backend: 'wasm', tfjsVersion: tf.version.tfjs, appVersion: 'test' };

const tinySpec = (overrides: Partial<ExperimentSpecInput> = {}) =>
  parseSpec({
    v: 1,
    dataset: { source: 'embedded', trainSize: 100, validationSize: 40 },
    model: { arch: 'tiny-cnn' },
    recipe: { epochs: 1, batchSize: 20, peakLr: 0.05, peakEpoch: 0.5 },
    forget: [{ kind: 'random', k: 10, seed: 3 }],
    n: 2,
    extraOracles: 2,
    methods: [
      { id: 'do-nothing', method: 'do-nothing' },
      { id: 'retrain', method: 'retrain' },
      { id: 'dm-direct', method: 'dm-direct' },
      { id: 'dmm', method: 'dmm', params: { epochs: 1, batchSize: 20 } },
      { id: 'fine-tune', method: 'fine-tune', params: { epochs: 1, batchSize: 20 } },
    ],
    attribution: { estimator: 'datamodels', models: 6 },
    metrics: ['klom', 'accuracy', 'mia', 'cost'],
    ...overrides,
  });

const modelsOnlySpec = (spec: ReturnType<typeof tinySpec>) => parseSpec(modelsOnly(spec));

describe('planExperiment', () => {
  it('modelsOnly keeps exactly the models no method depends on', () => {
    const spec = tinySpec();
    const plan = planExperiment(spec, [10]);
    const bare = planExperiment(modelsOnlySpec(spec), [10]);
    const roles = (p: typeof plan, kind: string) => p.phases.filter((ph) => ph.kind === kind).flatMap((ph) => ph.roles);
    for (const kind of ['originals', 'oracles', 'attribution']) expect(roles(bare, kind)).toEqual(roles(plan, kind));
    expect(bare.phases.filter((ph) => ph.kind === 'method' && ph.examples > 0)).toEqual([]);
    expect(plan.phases.filter((ph) => ph.kind === 'method' && ph.examples > 0)).not.toEqual([]);
  });

  it('counts originals, oracles with extras, subset models and method runs', () => {
    const plan = planExperiment(tinySpec(), [10]);
    const byId = Object.fromEntries(plan.phases.map((p) => [p.id, p]));
    expect(byId.originals.models).toBe(2);
    expect(byId.attribution.models).toBe(6);
    expect(byId['oracles-0'].models).toBe(4);
    expect(byId['method-dmm-0'].models).toBe(2);
    expect(byId['method-retrain-0'].models).toBe(0);
    expect(plan.totalModels).toBe(2 + 6 + 4 + 2 + 2 + 2 + 2);
    // Retrain needs N extra oracles even when the spec asks for none.
    expect(planExperiment(tinySpec({ extraOracles: 0 }), [10]).extraOracles).toBe(2);
  });
});

describe('runExperiment', () => {
  it('runs a spec end to end: groups, splits, metrics, costs; a second run comes from the cache with identical numbers', async () => {
    const spec = tinySpec();
    const cache = new MemoryCache();
    const events: ExperimentProgress[] = [];
    const before = tf.memory().numTensors;
    const partials: string[][] = [];
    const result = await runExperiment(spec, {
      dataset,
      cache,
      environment,
      onProgress: (p) => events.push(p),
      onPartialResult: (r) => partials.push(Object.keys(r.groups)),
    });
    // Results come as they are computed: after the oracles, then after every method.
    expect(partials).toHaveLength(1 + 5);
    expect(partials[0]).toEqual(['original', 'oracle']);
    expect(partials[2]).toEqual(['original', 'oracle', 'do-nothing', 'retrain']);
    expect(tf.memory().numTensors).toBe(before);

    expect(result.splits.forget).toHaveLength(10);
    expect(result.splits.retain).toHaveLength(90);
    expect(result.splits.validation).toEqual(Array.from({ length: 40 }, (_, j) => 100 + j));
    expect(Object.keys(result.groups)).toEqual(['original', 'oracle', 'do-nothing', 'retrain', 'dm-direct', 'dmm', 'fine-tune']);
    for (const g of Object.values(result.groups)) {
      expect(g.margins).toHaveLength(2);
      expect(g.margins[0]).toHaveLength(140);
      expect(g.mia).toBeGreaterThanOrEqual(0);
    }
    // Doing nothing is the original; Retrain is the independent oracle group, so its KLoM is the noise floor.
    expect(result.groups['do-nothing'].margins).toEqual(result.groups.original.margins);
    expect(result.groups.retrain.klom).toEqual(result.noiseFloor.klom);
    expect(result.groups.retrain.gkl).toEqual(result.noiseFloor.gkl);
    expect(result.noiseFloor.independentMargins).toEqual(result.groups.retrain.margins);
    expect(result.groups.oracle.gkl).toBeUndefined();
    expect(result.groups.original.gklPerExample).toHaveLength(140);
    expect(result.groups.original.gkl!.forget.mean).toBeGreaterThan(0);
    expect(result.noiseFloor.method).toBe('disjoint-groups');
    expect(result.groups.oracle.klom).toBeUndefined();
    expect(result.groups.original.klom!.forget.p95).toBeGreaterThanOrEqual(0);
    // DMM actually moved the model; DM-Direct's prediction differs from the original's outputs.
    expect(result.groups.dmm.margins).not.toEqual(result.groups.original.margins);
    expect(result.groups['dm-direct'].margins).not.toEqual(result.groups.original.margins);
    expect(result.attribution?.models).toBe(6);
    // Attribution skill per split, with the independent oracles' ceiling (there are N of them here).
    const skill = result.attribution!.skill;
    expect(Number.isFinite(skill.forget.skill)).toBe(true);
    expect(Number.isFinite(skill.validation.shiftR)).toBe(true);
    expect(skill.forget.ceiling).toBeLessThanOrEqual(1);
    expect(result.attribution!.originalMeanMargins[7]).toBeCloseTo(
      (result.groups.original.margins[0][7] + result.groups.original.margins[1][7]) / 2,
      5,
    );
    // Costs as fractions of one retraining.
    expect(result.groups.retrain.cost!.fractionOfRetraining).toBeCloseTo(1);
    expect(result.groups['do-nothing'].cost!.fractionOfRetraining).toBe(0);
    expect(result.groups.dmm.cost!.fractionOfRetraining).toBeGreaterThan(0);
    expect(result.groups.dmm.cost!.fractionWithAttribution!).toBeGreaterThan(result.groups.dmm.cost!.fractionOfRetraining);
    expect(result.timing.modelsTrained).toBe(2 + 6 + 4);
    expect(result.scale).toMatch(/N = 2 seeds/);
    // Progress: every phase ends done, with an ETA once something was measured.
    const last = events[events.length - 1];
    expect(last.phases.every((p) => p.status === 'done')).toBe(true);
    expect(events.some((e) => Number.isFinite(e.etaSeconds))).toBe(true);

    const again = await runExperiment(spec, { dataset, cache, environment });
    expect(again.timing.modelsTrained).toBe(0);
    expect(again.timing.cacheHits).toBeGreaterThanOrEqual(2 + 6 + 4 + 2 * 2);
    // Same numbers (wall times aside: DM-Direct's few milliseconds are measured again).
    const numbers = (r: typeof result) =>
      Object.values(r.groups).map(({ margins, klom, accuracy, mia }) => ({ margins, klom, accuracy, mia }));
    expect(numbers(again)).toEqual(numbers(result));
    expect(again.noiseFloor).toEqual(result.noiseFloor);
  });

  it('reuses originals and subset models for a different forget set', async () => {
    const cache = new MemoryCache();
    await runExperiment(tinySpec(), { dataset, cache, environment });
    const other = await runExperiment(tinySpec({ forget: [{ kind: 'class', classIndex: 2, k: 5, seed: 0 }] }), {
      dataset,
      cache,
      environment,
    });
    expect(other.timing.modelsTrained).toBe(4); // only the oracles on the new retain set
  });

  it('takes the models no method depends on from a shipped pack, trained on another backend, with the same numbers', async () => {
    const spec = tinySpec();
    const built = new MemoryCache();
    const packEnvironment = { ...environment, backend: 'pack-backend' };
    const original = await runExperiment(modelsOnlySpec(spec), { dataset, cache: built, environment: packEnvironment });
    const entries = (await Promise.all((await built.list()).map((e) => built.get(e.key)))).filter((e) => e !== undefined);
    const bytes = encodePack(entries);
    const sha256 = async (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const manifest = {
      format: PACK_FORMAT,
      backend: 'pack-backend',
      specs: [],
      files: [{ file: 'test.bin', builtFor: 'test', bytes: bytes.length, sha256: await sha256(bytes), keys: entries.map((e) => e.key) }],
    };
    const cache = new MemoryCache();
    const result = await runExperiment(spec, {
      dataset,
      cache,
      environment,
      packs: createPackSource({ manifest: async () => manifest, file: async () => bytes }),
    });
    // Originals 2, subset models 6, oracles 4: all from the pack, none trained here (the methods still ran).
    expect(result.timing.packModels).toBe(12);
    expect(result.timing.modelsTrained).toBe(0);
    expect(result.groups.dmm.margins).toHaveLength(2);
    expect(result.notes).toContainEqual(expect.stringMatching(/12 of the models .* shipped packs .* pack-backend backend/));
    expect(result.groups.original.margins).toEqual(original.groups.original.margins);
    expect(result.groups.oracle.margins).toEqual(original.groups.oracle.margins);
    // A second run finds them in its own cache: no pack file is read again.
    const noFile = createPackSource({
      manifest: async () => manifest,
      file: async () => {
        throw new Error('read again');
      },
    });
    const again = await runExperiment(spec, { dataset, cache, environment, packs: noFile });
    expect(noFile.problems).toEqual([]);
    expect(again.timing.modelsTrained).toBe(0);
    expect(again.timing.packModels).toBe(12);
  });

  it('applies continual requests in sequence, with oracles trained without every set so far', async () => {
    const spec = tinySpec({
      forget: [
        { kind: 'random', k: 5, seed: 1 },
        { kind: 'random', k: 5, seed: 2 },
      ],
      methods: [{ id: 'fine-tune', method: 'fine-tune', params: { epochs: 1, batchSize: 20 } }],
      attribution: { estimator: 'datamodels', models: 4 },
    });
    const result = await runExperiment(spec, { dataset, cache: new MemoryCache(), environment });
    expect(result.earlierRequests).toHaveLength(1);
    const first = result.earlierRequests[0];
    expect(first.splits.forget).toHaveLength(5);
    expect(result.splits.forget).toHaveLength(10);
    expect(result.splits.forget).toEqual(expect.arrayContaining(first.splits.forget));
    expect(result.request).toBe(1);
    // Request 2 continues from request 1's unlearned models, so its margins differ from a fresh run's.
    expect(result.groups['fine-tune'].margins).not.toEqual(first.groups['fine-tune'].margins);
  });

  it('runs DMM on TRAK attribution, a coherent subpopulation forget set and the challenge ε score', async () => {
    const spec = tinySpec({
      forget: [{ kind: 'subpopulation', k: 10, side: 'both', seed: 0, features: 'penultimate' }],
      methods: [
        { id: 'dm-direct', method: 'dm-direct' },
        { id: 'dmm', method: 'dmm', params: { epochs: 1, batchSize: 20 } },
      ],
      attribution: { estimator: 'trak', models: 2, projectionDim: 64 },
      metrics: ['klom', 'accuracy', 'epsilon-score', 'cost'],
    });
    const before = tf.memory().numTensors;
    const result = await runExperiment(spec, { dataset, cache: new MemoryCache(), environment });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.splits.forget).toHaveLength(10);
    expect(result.attribution).toMatchObject({ estimator: 'trak', models: 2 });
    expect(result.groups['dm-direct'].margins).not.toEqual(result.groups.original.margins);
    for (const name of ['original', 'dm-direct', 'dmm']) {
      const eps = result.groups[name].epsilon!;
      expect(eps.forgetScore).toBeGreaterThanOrEqual(0);
      expect(eps.forgetScore).toBeLessThanOrEqual(1);
    }
    expect(result.noiseFloor.epsilon).toBeDefined();
    expect(result.groups.original.mia).toBeUndefined(); // not asked for
  });

  it('kernel terms move validation points the diagonal leaves alone, and reuse the cached kernels', async () => {
    const cache = new MemoryCache();
    const methods: ExperimentSpecInput['methods'] = [{ id: 'dm-direct', method: 'dm-direct' }];
    const kernelSpec = tinySpec({ methods, attribution: { estimator: 'datamodels', models: 6, terms: 'kernel', kernelModels: 2 } });
    expect(parseSpec(modelsOnly(kernelSpec))).toEqual(modelsOnlySpec(tinySpec({ methods })));
    const details: string[] = [];
    const before = tf.memory().numTensors;
    const kernel = await runExperiment(kernelSpec, {
      dataset,
      cache,
      environment,
      onProgress: (p) => details.push(p.current?.detail ?? ''),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(details.some((d) => /Gradient kernel of original 2 of 2/.test(d))).toBe(true);
    expect(kernel.attribution!.kernel).toMatchObject({ models: 2, lambda: 0.3 });
    expect(kernel.attribution!.kernel!.scale).toBeGreaterThanOrEqual(0);
    const diagonal = await runExperiment(tinySpec({ methods, attribution: { estimator: 'datamodels', models: 6, terms: 'diagonal' } }), {
      dataset,
      cache,
      environment,
    });
    const validationShift = (r: typeof kernel) =>
      r.splits.validation.map((j) => r.groups['dm-direct'].margins[0][j] - r.groups.original.margins[0][j]);
    expect(validationShift(diagonal).every((d) => d === 0)).toBe(true);
    expect(validationShift(kernel).some((d) => Math.abs(d) > 1e-4)).toBe(true);
    // A second run takes both kernels from the cache and gives the same predictions.
    const again: string[] = [];
    const rerun = await runExperiment(kernelSpec, {
      dataset,
      cache,
      environment,
      onProgress: (p) => again.push(p.current?.detail ?? ''),
    });
    expect(again.some((d) => /Gradient kernel/.test(d))).toBe(false);
    expect(rerun.groups['dm-direct'].margins).toEqual(kernel.groups['dm-direct'].margins);
    // Its cost is what computing the kernels took, cached or not: 140 points' gradients for each.
    expect(rerun.attribution!.examplesProcessed).toBe(kernel.attribution!.examplesProcessed);
    expect(kernel.attribution!.examplesProcessed - diagonal.attribution!.examplesProcessed).toBe(2 * 140 * KERNEL_EXAMPLE_COST);
  });

  it('stops on cancel without leaking tensors', async () => {
    const control = new RunControl();
    const before = tf.memory().numTensors;
    let seen = 0;
    const run = runExperiment(tinySpec(), {
      dataset,
      cache: new MemoryCache(),
      environment,
      control,
      onProgress: () => {
        if (++seen === 3) control.cancel();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the problem when the spec needs more images than the dataset has', async () => {
    const spec = tinySpec({ dataset: { source: 'embedded', trainSize: 500, validationSize: 40 } });
    await expect(runExperiment(spec, { dataset, cache: new MemoryCache(), environment })).rejects.toThrow(
      /trains on 500 images but the loaded dataset "synthetic test images" has 120/,
    );
  });
});
