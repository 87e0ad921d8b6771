/**
 * The words the page teaches with: metric definitions (shown in tooltips next to each number) and the
 * guided tour's steps. Kept as data so the texts are reviewed in one place.
 */
export const FORMULAS = {
  margin:
    'Margin of a model on (x, y) with logits z: φ(x) = z_y − log Σ_{c≠y} exp(z_c). Positive ⇔ the true class wins; larger = more confident.',
  klom: 'KLoM(x) = KL(unlearned ‖ oracle) of x’s margins: clip the N unlearned and N oracle margins to [−100, 100], make 20 equal bins over their pooled range, p = unlearned histogram / N, q = oracle histogram / N (q floored at 1e−5 where p > 0); KLoM = Σ p·ln(p/q). 0 = same distribution; at most ln(1e5) ≈ 11.5. A split’s number is the 95th percentile over its examples.',
  gkl: 'Moderated Gaussian KL(x) = KL(unlearned ‖ oracle) of two normals fitted to x’s margins (clipped to ±100): means m_u, m_o; variances shrunk towards s0², the median oracle variance over all examples, with d = 8 prior degrees of freedom: ṽ = ((N − 1)·s² + d·s0²)/(N − 1 + d); GKL = ½[ln(ṽ_o/ṽ_u) + (ṽ_u + (m_u − m_o)²)/ṽ_o − 1]. Unlike KLoM’s histograms it does not saturate at small N, so it ranks methods from N ≈ 8. 0 = same mean and spread.',
  floor:
    'Noise floor: KLoM between two independent groups of oracles of the same N. With small N, histograms are sparse and even a perfect method scores above 0; a method near the floor is as close to retraining as this N can show.',
  accuracy: 'Accuracy: the share of a split’s examples with a positive margin, averaged over the group’s N models.',
  cost: 'Cost: examples processed (forward + backward) by the unlearning run, divided by those of training one oracle from scratch (the paper’s cost axis). Retraining = 1.',
  attribution:
    'Attribution skill: does DM-Direct (θ0’s logits − Σ_F β) predict what retraining changes? Per split, with m̄ori, m̄ora the originals’ and oracles’ mean margins and m̂ the prediction: shift r = Pearson(m̂ − m̄ori, m̄ora − m̄ori); slope = OLS slope of the predicted on the true shift (1 = right size); skill = 1 − Σ(m̂ − m̄ora)² / Σ(m̄ori − m̄ora)² (> 0 beats doing nothing, 1 is perfect, < 0 would damage the model); ceiling = the same skill for an independent group of oracles. Better attribution ⇒ better DMM targets.',
  mia: 'Simple membership inference (NeurIPS 2023 starting kit): a logistic classifier on losses, forget vs validation, cross-validated. 0.5 = cannot tell them apart. ε score (NeurIPS 2023 challenge): per-example ε from threshold attacks between unlearned and oracle margins (δ = 1e−5), bucketed to 2^−bucket; the final score multiplies in retain and test accuracy ratios. Higher is better, 1 = indistinguishable.',
} as const;

export interface TourStep {
  /** `data-tour` value of the element the step points at. */
  target: string;
  title: string;
  body: string;
}

export const TOUR: readonly TourStep[] = [
  {
    target: 'forget',
    title: 'The forget set',
    body: 'Pick the training images a model must forget: by hand in the grid, a random sample, a whole class, or a coherent group. Its size and class mix are shown here.',
  },
  {
    target: 'oracle',
    title: 'The oracle',
    body: 'The gold standard is retraining from scratch without the forget set. These “oracles” never saw it. Unlearning should produce models that behave like them — more cheaply.',
  },
  {
    target: 'run',
    title: 'Run',
    body: 'One Run trains N originals and N oracles (cached, so a second run is instant), then unlearns each original with every method and measures them. You can pause, resume or cancel.',
  },
  {
    target: 'margin',
    title: 'Margins',
    body: 'A model’s margin on an image: how far the true class’s logit beats the others. Across N models an image has a distribution of margins. Click any image in the grid (its check box is what selects it) to see its margins under each group.',
  },
  {
    target: 'klom',
    title: 'KLoM',
    body: 'KLoM compares an image’s margin distribution after unlearning with the oracles’: 0 means identical. With small N it never reaches 0, so compare with the grey noise floor (oracle vs oracle).',
  },
  {
    target: 'dmm',
    title: 'Datamodel Matching',
    body: 'DMM predicts the oracle’s outputs from attribution (how each training image moves each prediction), then fine-tunes the model towards those predictions, at a fraction of retraining’s cost. How close it gets depends on the attribution: the results’ first line and the “DMM vs attribution skill” chart say how far it came.',
  },
];
