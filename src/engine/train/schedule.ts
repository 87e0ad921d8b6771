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
