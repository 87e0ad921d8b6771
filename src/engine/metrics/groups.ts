/**
 * Summaries of a group of models (originals, oracles, one method's unlearned models) per split.
 *
 * Accuracy vs margin: the margin φ = z_y − logsumexp_{c≠y} z_c = log(p_y / (1 − p_y)), so φ > 0 ⇔ p_y > ½,
 * which is stricter than "the true logit is the strict maximum" (argmax accuracy): logsumexp_{c≠y} z ≥ max_{c≠y} z
 * (strictly, with ≥ 2 other classes), so φ > 0 implies a correct argmax but not conversely (z_y = 1 with nine
 * other logits at 0.9 is correct with φ ≈ −2.1). For C classes,
 *     rate(φ > 0) ≤ argmax accuracy ≤ rate(φ > −ln(C − 1)),
 * equal only for C = 2. So accuracy is computed from logits (`meanAccuracy`); from margins alone we report the
 * positive-margin rate and say what it is. Ties in the logits: margins.ts's argmax takes the first maximal class,
 * so a tie between the true class and another counts as correct iff the true class has the lower index;
 * φ > 0 never holds on a tie.
 */
import { accuracyFromLogits } from './margins';

/** Fraction of `examples` (default all) with margin > 0, i.e. with p_y > ½: a lower bound of argmax accuracy. */
export function positiveMarginRate(margins: ArrayLike<number>, examples?: ArrayLike<number>): number {
  const n = examples ? examples.length : margins.length;
  if (n === 0) return Number.NaN;
  let count = 0;
  for (let t = 0; t < n; t++) if (margins[examples ? examples[t] : t] > 0) count++;
  return count / n;
}

/** Mean over models of `positiveMarginRate`; rows are models ([model][example], the result layout). */
export function meanPositiveMarginRate(marginsPerModel: ArrayLike<number>[], examples?: ArrayLike<number>): number {
  return meanOf(marginsPerModel.map((m) => positiveMarginRate(m, examples)));
}

/**
 * Argmax accuracy averaged over models: `logitsPerModel[m]` is model m's [examples, numClasses] row-major logits,
 * `labels[e]` the label of example e, `examples` the subset to score (default all).
 */
export function meanAccuracy(
  logitsPerModel: ArrayLike<number>[],
  labels: ArrayLike<number>,
  examples?: ArrayLike<number>,
  numClasses = 10,
): number {
  return meanOf(accuracies(logitsPerModel, labels, examples, numClasses));
}

function accuracies(
  logitsPerModel: ArrayLike<number>[],
  labels: ArrayLike<number>,
  examples: ArrayLike<number> | undefined,
  numClasses: number,
): number[] {
  return logitsPerModel.map((logits) => {
    if (logits.length !== labels.length * numClasses) {
      throw new Error(`expected ${labels.length * numClasses} logits for ${labels.length} examples, got ${logits.length}`);
    }
    if (!examples) return accuracyFromLogits(Float32Array.from(logits), labels, numClasses);
    const rows = new Float32Array(examples.length * numClasses);
    const rowLabels = new Int32Array(examples.length);
    for (let t = 0; t < examples.length; t++) {
      const e = examples[t];
      for (let c = 0; c < numClasses; c++) rows[t * numClasses + c] = logits[e * numClasses + c];
      rowLabels[t] = labels[e];
    }
    return accuracyFromLogits(rows, rowLabels, numClasses);
  });
}

export interface SplitSummary {
  count: number;
  /** Argmax accuracy, mean and (population) standard deviation over models; NaN without logits. */
  accuracy: number;
  accuracyStd: number;
  /** Fraction of margins > 0 (p_y > ½), mean over models. */
  positiveMarginRate: number;
  /** Mean margin over the split's examples and the models. */
  meanMargin: number;
}

export interface GroupOutputs {
  /** margins[model][example]. */
  margins: ArrayLike<number>[];
  /** logits[model]: [examples, numClasses] row-major; with `labels`, gives argmax accuracy. */
  logits?: ArrayLike<number>[];
  labels?: ArrayLike<number>;
  numClasses?: number;
}

/** Per-split summaries of one group; `splits` maps a split name to its example ids. */
export function summariseSplits<K extends string>(group: GroupOutputs, splits: Record<K, ArrayLike<number>>): Record<K, SplitSummary> {
  const out = {} as Record<K, SplitSummary>;
  for (const key of Object.keys(splits) as K[]) {
    const examples = splits[key];
    const accs = group.logits && group.labels ? accuracies(group.logits, group.labels, examples, group.numClasses ?? 10) : [];
    const accuracy = accs.length ? meanOf(accs) : Number.NaN;
    const accuracyStd = accs.length ? Math.sqrt(meanOf(accs.map((a) => (a - accuracy) ** 2))) : Number.NaN;
    let sum = 0;
    for (const row of group.margins) for (let t = 0; t < examples.length; t++) sum += row[examples[t]];
    out[key] = {
      count: examples.length,
      accuracy,
      accuracyStd,
      positiveMarginRate: meanPositiveMarginRate(group.margins, examples),
      meanMargin: examples.length && group.margins.length ? sum / (examples.length * group.margins.length) : Number.NaN,
    };
  }
  return out;
}

function meanOf(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}
