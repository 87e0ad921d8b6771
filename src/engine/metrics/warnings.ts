/** Warnings in words where a method over-unlearns or breaks the model, judged against the oracles' accuracy. */
import type { SplitKey } from './splits';

export function accuracyWarnings(accuracy: Record<SplitKey, number>, oracle: Record<SplitKey, number>): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const warnings: string[] = [];
  if (accuracy.forget < oracle.forget - 0.15) {
    warnings.push(`over-unlearns: forget accuracy ${pct(accuracy.forget)} is far below the oracle's ${pct(oracle.forget)}`);
  }
  for (const split of ['retain', 'validation'] as const) {
    if (accuracy[split] < oracle[split] - 0.1) {
      warnings.push(`damages the model: ${split} accuracy ${pct(accuracy[split])} vs the oracle's ${pct(oracle[split])}`);
    }
  }
  return warnings;
}
