/** The three splits every metric is reported on, and small helpers over per-example arrays. */
export type SplitKey = 'forget' | 'retain' | 'validation';
export const SPLIT_KEYS: readonly SplitKey[] = ['forget', 'retain', 'validation'];

/** Example ids of each split. */
export type SplitIds = Record<SplitKey, ArrayLike<number>>;

/** values[ids[i]] for each i. */
export function pick(values: ArrayLike<number>, ids: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: ids.length }, (_, i) => values[ids[i]]);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : Number.NaN;
}

/** The element-wise mean of equally long rows. */
export function meanRows(rows: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(rows[0]?.length ?? 0);
  for (const row of rows) for (let j = 0; j < out.length; j++) out[j] += row[j] / rows.length;
  return out;
}
