/**
 * Margin of a model on (x, y) with logits z: φ = z_y − logsumexp_{c≠y} z_c (the paper's output
 * function: positive when the model is right and confident, negative when wrong).
 */
export function margin(logits: ArrayLike<number>, offset: number, numClasses: number, label: number): number {
  const correct = logits[offset + label];
  let max = -Infinity;
  for (let c = 0; c < numClasses; c++) if (c !== label) max = Math.max(max, logits[offset + c]);
  let sum = 0;
  for (let c = 0; c < numClasses; c++) if (c !== label) sum += Math.exp(logits[offset + c] - max);
  return correct - (max + Math.log(sum));
}

/** Margins for a [n, numClasses] row-major logits array. */
export function marginsFromLogits(logits: Float32Array, labels: ArrayLike<number>, numClasses = 10): Float32Array {
  const n = labels.length;
  if (logits.length !== n * numClasses) {
    throw new Error(`expected ${n * numClasses} logits for ${n} examples, got ${logits.length}`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = margin(logits, i * numClasses, numClasses, labels[i]);
  return out;
}

/** Fraction of rows whose arg-max equals the label. */
export function accuracyFromLogits(logits: Float32Array, labels: ArrayLike<number>, numClasses = 10): number {
  const n = labels.length;
  if (n === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c] > logits[i * numClasses + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / n;
}
