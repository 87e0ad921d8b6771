/**
 * The kernel terms' defaults and cost, apart from the code that computes them so the page can plan a run without
 * loading tfjs.
 *
 * Chosen on tuning forget sets that are never reported (random k = 50 with seed 1, every dog of S, the subpopulation
 * along principal component 1) at |S| = 1,000, N = 8, M = 100: the highest mean forget + validation skill among the
 * settings whose skill is ≥ 0 on every set. Ridge λ (× the kernel's mean diagonal) over 0.03–1: 0.3 (λ = 1 scores
 * higher on the dogs but below 0 on the random set's validation). Models: 2 fall below 0 there too; 8 add 0.013 to
 * 4's mean for twice the cost.
 */
export const KERNEL_LAMBDA = 0.3;
export const KERNEL_MODELS = 4;
/**
 * One point's gradient (batch 1) costs about this many batched training examples, for the ETA and the cost: on WASM
 * here ≈ 125–190 gradients/s against ≈ 900 training images/s.
 */
export const KERNEL_EXAMPLE_COST = 7;
/**
 * The most training images the kernel terms accept: each original's kernel is (|S| + |V|) × |S| floats and its
 * solve costs O(|S|³) in the page (measured 0.45 s at 1,000 and 2.9 s at 2,000 here, so about 45 s at 5,000).
 */
export const KERNEL_MAX_TRAIN = 2_000;
