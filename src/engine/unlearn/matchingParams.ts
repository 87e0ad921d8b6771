/**
 * Oracle Matching and DMM share one fine-tuning recipe (F repeated `forgetRepeat` times ∪ a sample of R of
 * size retainMultiplier·|F|, Adam, lr × lrDecay per epoch); its parameters, labels and cost, without tfjs.
 */
import { z } from 'zod';
import { batchSize, epochs, lr, lrDecay } from '../schemaParts';
import { COMMON_PARAM_INFO, passExamples } from './methodMeta';

export const matchingParams = (d: MatchingParams) => ({
  epochs: epochs(d.epochs),
  lr: lr(d.lr),
  batchSize: batchSize(d.batchSize),
  retainMultiplier: z.number().min(0).max(1000).default(d.retainMultiplier),
  forgetRepeat: z.int().min(1).max(100).default(d.forgetRepeat),
  lrDecay: lrDecay(d.lrDecay),
});

/**
 * The browser-scale shape of the fine-tuning set (tuned on another forget set; see docs/results/tuning.md): at
 * |F| = 50 the published batch of 512 gives about ten optimizer steps; batch 32 over F ∪ 5·|F| retain points
 * gives ten per epoch, at a constant learning rate.
 */
export const BROWSER_MATCHING_SHAPE = { batchSize: 32, retainMultiplier: 5, forgetRepeat: 1, lrDecay: 1 } as const;

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
