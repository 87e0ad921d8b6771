import * as tf from '@tensorflow/tfjs';
import type { RunControl } from '../engine/control';
import type { CifarDataset } from '../engine/data/types';
import { countParameters, createModel } from '../engine/models/model';
import { describeModel, type ModelSpec } from '../engine/models/modelSpec';
import { createRng, permutation } from '../engine/rng';
import { evaluateModel } from '../engine/train/evaluate';
import { defaultRecipe } from '../engine/train/defaults';
import { trainModel, type TrainRecipe } from '../engine/train/trainer';
import { activateBackend, type BackendName } from './backends';
import type { BenchRequest, BenchRow } from './protocol';
import { errorMessage } from '../engine/errors';

const TIMING_RECIPE: TrainRecipe = {
  epochs: 1,
  batchSize: 128,
  peakLr: 0.05,
  peakEpoch: 0.5,
  momentum: 0.9,
  weightDecay: 5e-4,
  flip: false,
};

async function measure(
  backend: BackendName,
  spec: ModelSpec,
  request: BenchRequest,
  ds: CifarDataset,
  control: RunControl,
): Promise<BenchRow> {
  const model = createModel(spec, 1);
  const row: BenchRow = {
    backend,
    model: describeModel(spec),
    parameters: countParameters(model),
    trainImagesPerSec: 0,
    inferImagesPerSec: 0,
    firstStepSeconds: 0,
  };
  try {
    const trainCount = Math.min(request.trainImages, ds.train.count);
    const indices = Int32Array.from({ length: trainCount }, (_, i) => i);
    // Time to first step is measured on a fresh model, so it includes shader compilation.
    const training = await trainModel(
      model,
      ds.train,
      indices,
      { ...TIMING_RECIPE, batchSize: request.batchSize },
      {
        seed: 1,
        control,
      },
    );
    row.firstStepSeconds = training.firstStepSeconds;
    row.trainImagesPerSec = training.imagesPerSec;
    const inferIdx = Int32Array.from({ length: Math.min(ds.validation.count, request.trainImages) }, (_, i) => i);
    await evaluateModel(model, ds.validation, inferIdx.subarray(0, request.batchSize), { batchSize: request.batchSize }); // warm-up
    const start = performance.now();
    await evaluateModel(model, ds.validation, inferIdx, { batchSize: request.batchSize, control });
    row.inferImagesPerSec = (inferIdx.length / (performance.now() - start)) * 1000;
  } finally {
    model.dispose();
  }
  if (request.accuracy && request.accuracy.on === backend) {
    const { trainCount } = request.accuracy;
    const recipe = request.accuracy.recipe ?? defaultRecipe(spec.arch);
    row.accuracyRecipe = recipe;
    const fresh = createModel(spec, 1);
    try {
      const count = Math.min(trainCount ?? ds.train.count, ds.train.count);
      const subset = permutation(ds.train.count, createRng(1).fork('subset')).subarray(0, count);
      const start = performance.now();
      await trainModel(fresh, ds.train, subset, recipe, { seed: 1, control });
      row.validationAccuracy = (await evaluateModel(fresh, ds.validation, undefined, { control })).accuracy;
      row.accuracySeconds = (performance.now() - start) / 1000;
    } finally {
      fresh.dispose();
    }
  }
  return row;
}

/** Throughput (and optionally accuracy) of each model on each backend; restores the active backend. */
export async function runBench(
  request: BenchRequest,
  ds: CifarDataset,
  control: RunControl,
  onRow: (row: BenchRow) => void,
): Promise<BenchRow[]> {
  const original = tf.getBackend() as BackendName;
  const rows: BenchRow[] = [];
  try {
    for (const backend of request.backends) {
      for (const spec of request.models) {
        let row: BenchRow;
        try {
          await activateBackend(backend);
          row = await measure(backend, spec, request, ds, control);
        } catch (e) {
          if (control.isCancelled) throw e;
          row = {
            backend,
            model: describeModel(spec),
            parameters: 0,
            trainImagesPerSec: 0,
            inferImagesPerSec: 0,
            firstStepSeconds: 0,
            error: errorMessage(e),
          };
        }
        rows.push(row);
        onRow(row);
      }
    }
  } finally {
    await activateBackend(original);
  }
  return rows;
}
