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

/** The default recipe: the paper's shape (SGD + momentum 0.9, triangular LR, wd 5e-4), scaled to a browser. */
export const DEFAULT_FORM: TrainForm = {
  arch: 'tiny-cnn',
  width: 0.25,
  epochs: 10,
  batchSize: 128,
  peakLr: 0.05,
  peakEpoch: 2,
  weightDecay: 5e-4,
  flip: false,
  trainCount: 10_000,
  seed: 1,
};

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
