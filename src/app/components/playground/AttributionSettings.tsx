import { DATAMODEL_TERMS } from '../../../engine/experiment/spec';
import { attributionDefaults, type Draft } from '../../lib/specEdit';
import { NumberField, SelectField } from '../Fields';
import { InfoTip } from '../InfoTip';
import { KERNEL_MODELS } from '../../../engine/attribution/kernelDefaults';

const TERM_LABELS: Record<(typeof DATAMODEL_TERMS)[number], string> = {
  diagonal: 'Diagonal only (each forget point on itself)',
  pooled: 'Diagonal + class-pooled (coherent sets)',
  kernel: 'Diagonal + gradient kernel (coherent sets)',
  all: 'All terms (the paper’s sum)',
};

const TERM_HINTS: Record<(typeof DATAMODEL_TERMS)[number], string> = {
  diagonal: 'predicts the forget points’ own shift and no change elsewhere: the sum over F of few-model estimates is mostly noise',
  pooled: 'adds the effect on other points averaged over points of the same class: for a class or a subpopulation, not a random set',
  kernel: `adds how removing F moves the other forget points and the validation points, from the whole-network gradients of up to ${KERNEL_MODELS} originals (which images resemble the removed ones); each computed once and cached (about 10 s on a 2-core CPU)`,
  all: 'Σ over F of every β: right with thousands of subset models, noisy with tens',
};

/** The attribution estimator behind DM-Direct and DMM, and its budget. */
export function AttributionSettings({
  draft,
  errors,
  disabled,
  onChange,
}: {
  draft: Draft;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (path: (string | number)[], value: unknown) => void;
}) {
  const a = draft.attribution;
  return (
    <fieldset className="setup-group">
      <legend>
        Attribution{' '}
        <InfoTip label="attribution">
          β[i, j, c]: the effect of training point i on logit c of example j. Subset datamodels: train M models on random α-subsets of S; β
          = mean logits of the models that saw i − mean of those that did not. It never depends on F, so it is built once and reused for
          every deletion request. More models, less noise (the paper uses 1,000–20,000).
        </InfoTip>
      </legend>
      <SelectField
        label="Estimator"
        value={a.estimator}
        disabled={disabled}
        options={[
          { value: 'datamodels', label: 'Subset datamodels (the paper’s)' },
          { value: 'trak', label: 'TRAK (gradient-based)' },
        ]}
        onChange={(v) => onChange(['attribution'], attributionDefaults(v))}
        hint={
          a.estimator === 'trak'
            ? 'cheaper (one model) and less accurate; last-layer gradients'
            : 'the paper’s estimator: M models on random subsets of S'
        }
      />
      <NumberField
        label={a.estimator === 'datamodels' ? 'Subset models M' : 'Ensemble models'}
        value={a.models}
        disabled={disabled}
        onChange={(v) => onChange(['attribution', 'models'], v)}
        error={errors['attribution.models']}
        testId="attribution-models"
      />
      {a.estimator === 'datamodels' ? (
        <>
          <NumberField
            label="Subset fraction α"
            value={a.alpha}
            step={0.05}
            disabled={disabled}
            onChange={(v) => onChange(['attribution', 'alpha'], v)}
            error={errors['attribution.alpha']}
          />
          <SelectField
            label="DM-Direct terms"
            value={a.terms}
            disabled={disabled}
            options={DATAMODEL_TERMS.map((value) => ({ value, label: TERM_LABELS[value] }))}
            onChange={(v) => onChange(['attribution', 'terms'], v)}
            hint={TERM_HINTS[a.terms]}
            error={errors['attribution.terms']}
          />
        </>
      ) : (
        <>
          <NumberField
            label="Projection dimension"
            value={a.projectionDim}
            disabled={disabled}
            onChange={(v) => onChange(['attribution', 'projectionDim'], v)}
            error={errors['attribution.projectionDim']}
          />
          <NumberField
            label="λ (ridge)"
            value={a.lambda}
            step={0.01}
            disabled={disabled}
            onChange={(v) => onChange(['attribution', 'lambda'], v)}
            error={errors['attribution.lambda']}
          />
        </>
      )}
    </fieldset>
  );
}
