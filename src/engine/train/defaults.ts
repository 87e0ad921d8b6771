/**
 * The default training recipe of each architecture: the paper's shape (SGD + momentum 0.9, triangular LR
 * peaking at epoch 2, weight decay 5e-4, no augmentation), 10 epochs at batch 128, scaled to a browser.
 * Only the peak learning rate differs: ResNet-9 has batch norm after every convolution and scales its logits
 * by 0.2, and takes the FFCV recipe's lr 0.5 at batch 512 scaled linearly to batch 128 (≈ 0.125; 0.15 measured
 * best of those tried: 69.2 % vs 64.5 % at 0.05 on the embedded data); the tiny CNN diverged at 0.1 and above.
 * Light module (no tfjs): the page imports it.
 */
import type { ModelSpec } from '../models/modelSpec';
import type { TrainRecipe } from './trainer';

const BASE: Omit<TrainRecipe, 'peakLr'> = { epochs: 10, batchSize: 128, peakEpoch: 2, momentum: 0.9, weightDecay: 5e-4, flip: false };

export const DEFAULT_PEAK_LR: Record<ModelSpec['arch'], number> = { 'tiny-cnn': 0.05, resnet9: 0.15 };

export function defaultRecipe(arch: ModelSpec['arch']): TrainRecipe {
  return { ...BASE, peakLr: DEFAULT_PEAK_LR[arch] };
}
