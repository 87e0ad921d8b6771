/**
 * The 'kernel' terms of DM-Direct's Σ_{i∈F} β[i, ·, :]: the subset datamodels' diagonal for each forget point's
 * effect on itself, plus what the whole-network gradient kernel (gradientKernel.ts) says F does to the other
 * forget points and to the validation points.
 *
 * - The diagonal is the subset models' strength: 100 of them predict a random forget set's own shift with skill
 *   ≈ 0.9. Their off-diagonal sums are mostly noise; the kernel knows which images resemble the removed ones.
 * - The kernel's magnitudes are off (its validation shifts came out 5–10× too small): one scale per run, fitted by
 *   least squares through 0 so the kernel's self-effects β[i, i] match the subset models' diagonal on the
 *   training points. It never looks at oracles, and it is the same for every forget set.
 * - Retain rows stay 0: retraining barely moves retained points (they stay in the training set).
 * - The kernel's margin effects become logit effects along the margin's gradient a = e_y − softmax_{c≠y}:
 *   Δz = Δf · a / ‖a‖², the smallest logit change that moves the margin by Δf (to first order).
 */
import { type KernelSolver, kernelForgetEffect } from './gradientKernel';
import { outputGradients } from './trak';

/** Least-squares scale s (through 0, clipped at 0) with s·kernelSelf ≈ diagonal on the training points. */
export function kernelScale(kernelSelf: ArrayLike<number>, diagonal: ArrayLike<number>): number {
  if (kernelSelf.length !== diagonal.length)
    throw new Error(`${kernelSelf.length} kernel self-effects but ${diagonal.length} diagonal ones`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < diagonal.length; i++) {
    if (!Number.isFinite(diagonal[i]) || !Number.isFinite(kernelSelf[i])) continue;
    num += kernelSelf[i] * diagonal[i];
    den += kernelSelf[i] * kernelSelf[i];
  }
  return den > 0 ? Math.max(0, num / den) : 0;
}

/** Mean over the ensemble of each training point's kernel self-effect β[i, i]. */
export function meanSelfEffect(solvers: readonly KernelSolver[]): Float64Array {
  const out = new Float64Array(solvers[0].kernel.trainCount);
  for (const s of solvers) for (let i = 0; i < out.length; i++) out[i] += s.selfEffect[i] / solvers.length;
  return out;
}

/**
 * Σ_{i∈F} β[i, ·, :] as [points, classes]: `diagonal` (forgetBetaDiagonal's, same layout) plus `scale` times the
 * ensemble's mean kernel effect on forget points (without their own self-effect) and on validation points.
 * `logits` ([points, classes], the originals' mean) and `labels` define each point's margin gradient.
 */
export function forgetBetaKernel(
  diagonal: Float32Array,
  solvers: readonly KernelSolver[],
  scale: number,
  forget: ArrayLike<number>,
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): Float32Array {
  if (solvers.length === 0) throw new Error('the kernel terms need at least one gradient kernel');
  const { points, trainCount } = solvers[0].kernel;
  if (diagonal.length !== points * classes || logits.length !== points * classes || labels.length !== points) {
    throw new Error(`diagonal, logits and labels must cover the kernel's ${points} points`);
  }
  const margin = new Float64Array(points);
  for (const solver of solvers) {
    const effect = kernelForgetEffect(solver, forget);
    for (let j = 0; j < points; j++) margin[j] += effect[j] / solvers.length;
  }
  const inForget = new Uint8Array(points);
  for (let f = 0; f < forget.length; f++) inForget[forget[f]] = 1;
  const self = meanSelfEffect(solvers);
  const out = diagonal.slice();
  const a = new Float32Array(points * classes);
  const unused = new Float32Array(points * classes);
  for (let j = 0; j < points; j++) {
    const retained = j < trainCount && !inForget[j];
    if (retained) continue;
    const offDiagonal = scale * (margin[j] - (inForget[j] ? self[j] : 0));
    outputGradients(logits, j, classes, labels[j], a, unused);
    let norm = 0;
    for (let c = 0; c < classes; c++) norm += a[j * classes + c] ** 2;
    for (let c = 0; c < classes; c++) out[j * classes + c] += (offDiagonal * a[j * classes + c]) / norm;
  }
  return out;
}
