import { DEFAULT_PEAK_LR, defaultRecipe } from '../../engine/train/defaults';
import type { ModelSpec, TrainRecipe } from '../../worker/protocol';

export interface TrainForm {
  arch: ModelSpec['arch'];
  width: number;
  epochs: number;
  batchSize: number;
  peakLr: number;
  peakEpoch: number;
  weightDecay: number;
  flip: boolean;
  trainCount: number;
  seed: number;
}

const tinyRecipe = defaultRecipe('tiny-cnn');

/** The default recipe (src/engine/train/defaults.ts): the paper's shape, scaled to a browser. */
export const DEFAULT_FORM: TrainForm = {
  arch: 'tiny-cnn',
  width: 0.25,
  epochs: tinyRecipe.epochs,
  batchSize: tinyRecipe.batchSize,
  peakLr: tinyRecipe.peakLr,
  peakEpoch: tinyRecipe.peakEpoch,
  weightDecay: tinyRecipe.weightDecay,
  flip: tinyRecipe.flip,
  trainCount: 10_000,
  seed: 1,
};

/** Switches the architecture; a peak learning rate still at the old model's default follows to the new one's. */
export function withArch(form: TrainForm, arch: TrainForm['arch']): TrainForm {
  const peakLr = form.peakLr === DEFAULT_PEAK_LR[form.arch] ? DEFAULT_PEAK_LR[arch] : form.peakLr;
  return { ...form, arch, peakLr };
}

/** Validates the form; returns a message naming the first impossible setting. */
export function checkForm(form: TrainForm, trainAvailable: number): string | undefined {
  const checks: [boolean, string][] = [
    [Number.isInteger(form.epochs) && form.epochs >= 1 && form.epochs <= 200, 'Epochs must be a whole number from 1 to 200'],
    [Number.isInteger(form.batchSize) && form.batchSize >= 1 && form.batchSize <= 1024, 'Batch size must be a whole number from 1 to 1024'],
    [form.peakLr > 0 && form.peakLr <= 10, 'Peak learning rate must be above 0 and at most 10'],
    [form.peakEpoch >= 0 && form.peakEpoch <= form.epochs, 'The learning-rate peak must lie between epoch 0 and the last epoch'],
    [form.weightDecay >= 0 && form.weightDecay < 1, 'Weight decay must be from 0 to below 1'],
    [
      Number.isInteger(form.trainCount) && form.trainCount >= 1 && form.trainCount <= trainAvailable,
      `Training images must be a whole number from 1 to ${trainAvailable.toLocaleString()}`,
    ],
    [Number.isInteger(form.seed) && form.seed >= 0 && form.seed < 2 ** 32, 'Seed must be a whole number from 0 to 4294967295'],
    [form.arch === 'tiny-cnn' || (form.width > 0 && form.width <= 1), 'ResNet-9 width must be above 0 and at most 1'],
  ];
  return checks.find(([ok]) => !ok)?.[1];
}

export function toRequest(form: TrainForm): { model: ModelSpec; recipe: TrainRecipe; seed: number; trainCount: number } {
  return {
    model: form.arch === 'tiny-cnn' ? { arch: 'tiny-cnn' } : { arch: 'resnet9', width: form.width },
    recipe: {
      epochs: form.epochs,
      batchSize: form.batchSize,
      peakLr: form.peakLr,
      peakEpoch: form.peakEpoch,
      momentum: 0.9,
      weightDecay: form.weightDecay,
      flip: form.flip,
    },
    seed: form.seed,
    trainCount: form.trainCount,
  };
}
