/**
 * The paper's triangular learning-rate schedule: linear from 0 up to `peakLr` at `peakEpoch`, then
 * linear down to 0 at the end of training. `progress` is measured in epochs (fractional).
 */
export function triangularLr(progress: number, epochs: number, peakLr: number, peakEpoch: number): number {
  if (epochs <= 0) return 0;
  const peak = Math.min(Math.max(peakEpoch, 0), epochs);
  if (progress <= peak) return peak === 0 ? peakLr : (peakLr * progress) / peak;
  if (progress >= epochs) return 0;
  return (peakLr * (epochs - progress)) / (epochs - peak);
}

/** Optimisation steps of one epoch over `examples` points: the last partial batch is dropped, and a tiny set still gets one step. */
export function stepsPerEpoch(examples: number, batchSize: number): number {
  return Math.max(1, Math.floor(examples / Math.min(batchSize, examples)));
}

/** Examples processed training one model on `count` points (the last partial batch of each epoch is dropped). */
export function trainingExamples(count: number, epochs: number, batchSize: number): number {
  const b = Math.min(batchSize, count);
  return epochs * stepsPerEpoch(count, b) * b;
}
