/**
 * KLoM's noise floor: the KLoM that retraining itself scores at this N. With small N the margin histograms
 * are sparse, so even two independent groups of oracles have KLoM > 0; a method at the floor is
 * indistinguishable from retraining at this N.
 *
 * - 'disjoint-groups': KLoM(groupA ‖ groupB) between two disjoint groups of oracles. Rows are [model][example];
 *   groupA plays the unlearned side. The groups should have the same size N as the experiment's groups;
 *   `n` reports min(|A|, |B|).
 * - 'split-half' (only one group): the first ⌊N/2⌋ oracles vs the other ⌈N/2⌉. This floor is at N/2 models
 *   per side, so it is inflated relative to the floor at N (sparser histograms): an upper bound, not the floor.
 */
import { klomPerExample } from './klom';

export interface NoiseFloorResult {
  perExample: Float64Array;
  /** Models per side (for split-half: ⌊N/2⌋, the smaller half). */
  n: number;
  method: 'disjoint-groups' | 'split-half';
}

export interface FloorGroups<T> {
  /** The side that plays the unlearned group. */
  a: T[];
  b: T[];
  n: number;
  method: NoiseFloorResult['method'];
}

/** Which oracles the floor compares: every floor metric (KLoM, GKL) uses the same two groups. */
export function floorGroups<T>(groupA: T[], groupB?: T[]): FloorGroups<T> {
  if (groupB && groupB.length > 0) {
    if (groupA.length === 0) throw new Error('the noise floor needs oracles in both groups');
    return { a: groupA, b: groupB, n: Math.min(groupA.length, groupB.length), method: 'disjoint-groups' };
  }
  const half = Math.floor(groupA.length / 2);
  if (half < 1) throw new Error(`a split-half noise floor needs at least 2 oracles, got ${groupA.length}`);
  return { a: groupA.slice(0, half), b: groupA.slice(half), n: half, method: 'split-half' };
}

export function noiseFloor(groupA: ArrayLike<number>[], groupB?: ArrayLike<number>[]): NoiseFloorResult {
  const { a, b, n, method } = floorGroups(groupA, groupB);
  return { perExample: klomPerExample(a, b), n, method };
}
