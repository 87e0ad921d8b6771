/**
 * Oracle Matching and DMM share one fine-tuning recipe (F repeated `forgetRepeat` times ∪ a sample of R of
 * size retainMultiplier·|F|, Adam, lr × lrDecay per epoch); its parameters, labels and cost, without tfjs.
 */
import { z } from 'zod';
import { batchSize, epochs, lr, lrDecay } from '../schemaParts';
import { COMMON_PARAM_INFO, passExamples } from './methodMeta';

export const matchingParams = (d: { epochs: number; lr: number; retainMultiplier: number; forgetRepeat: number }) => ({
  epochs: epochs(d.epochs),
  lr: lr(d.lr),
  batchSize: batchSize(512),
  retainMultiplier: z.number().min(0).max(1000).default(d.retainMultiplier),
  forgetRepeat: z.int().min(1).max(100).default(d.forgetRepeat),
  lrDecay: lrDecay(0.95),
});

export const matchingParamInfo = {
  epochs: COMMON_PARAM_INFO.epochs,
  lr: COMMON_PARAM_INFO.lr,
  batchSize: COMMON_PARAM_INFO.batchSize,
  retainMultiplier: { label: 'Retain sample × |F|', hint: 'a random sample of R of this many times |F| joins the fine-tuning set' },
  forgetRepeat: { label: 'Forget repeats', hint: 'F appears this many times in the fine-tuning set' },
  lrDecay: { label: 'LR decay per epoch', hint: 'learning rate × this after every epoch (1 = constant)', step: 0.01 },
};

export interface MatchingParams {
  epochs: number;
  lr: number;
  batchSize: number;
  retainMultiplier: number;
  forgetRepeat: number;
  lrDecay: number;
}

/** Size of the fine-tuning set: F × forgetRepeat plus the retain sample. */
export const matchingSetSize = (p: MatchingParams, forget: number, retain: number) =>
  forget * p.forgetRepeat + Math.min(retain, Math.round(p.retainMultiplier * forget));

export const matchingExamples = (p: MatchingParams, forget: number, retain: number) =>
  p.epochs * passExamples(matchingSetSize(p, forget, retain), p.batchSize);
