import type { ExperimentSpec } from '../../../engine/experiment/spec';
import { datasetLimits, type Draft } from '../../lib/specEdit';
import { NumberField, SelectField, CheckboxField } from '../Fields';
import { InfoTip } from '../InfoTip';

interface Props {
  draft: Draft;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (path: (string | number)[], value: unknown) => void;
  hideModel?: boolean;
}

/** Dataset and subset sizes, model and training recipe, N and the seed. */
export function ExperimentSetup({ draft, errors, disabled, onChange, hideModel }: Props) {
  const limits = datasetLimits(draft.dataset.source);
  return (
    <div className="setup-columns">
      <fieldset className="setup-group">
        <legend>Data</legend>
        <SelectField<ExperimentSpec['dataset']['source']>
          label="Dataset"
          value={draft.dataset.source}
          disabled={disabled}
          options={[
            { value: 'embedded', label: 'Embedded subset' },
            { value: 'full', label: 'Full CIFAR-10 (your files)' },
          ]}
          onChange={(v) => onChange(['dataset', 'source'], v)}
          error={errors['dataset.source']}
        />
        <NumberField
          label="Training images |S|"
          value={draft.dataset.trainSize}
          min={10}
          max={limits.train}
          disabled={disabled}
          onChange={(v) => onChange(['dataset', 'trainSize'], v)}
          error={errors['dataset.trainSize']}
          hint={`the first |S| of the training split (at most ${limits.train.toLocaleString('en')})`}
        />
        <NumberField
          label="Validation images |V|"
          value={draft.dataset.validationSize}
          min={1}
          max={limits.validation}
          disabled={disabled}
          onChange={(v) => onChange(['dataset', 'validationSize'], v)}
          error={errors['dataset.validationSize']}
        />
      </fieldset>
      {!hideModel && (
        <fieldset className="setup-group">
          <legend>Model and recipe</legend>
          <SelectField
            label="Model"
            value={draft.model.arch}
            disabled={disabled}
            options={[
              { value: 'tiny-cnn', label: 'Tiny CNN (34k)' },
              { value: 'resnet9', label: 'ResNet-9 (scaled)' },
            ]}
            onChange={(v) => onChange(['model'], v === 'tiny-cnn' ? { arch: 'tiny-cnn' } : { arch: 'resnet9', width: 0.25 })}
          />
          {draft.model.arch === 'resnet9' && (
            <NumberField
              label="Width (1 = paper)"
              value={draft.model.width}
              step={0.125}
              disabled={disabled}
              onChange={(v) => onChange(['model', 'width'], v)}
              error={errors['model.width']}
            />
          )}
          <NumberField
            label="Epochs"
            value={draft.recipe.epochs}
            disabled={disabled}
            onChange={(v) => onChange(['recipe', 'epochs'], v)}
            error={errors['recipe.epochs']}
          />
          <NumberField
            label="Batch size"
            value={draft.recipe.batchSize}
            disabled={disabled}
            onChange={(v) => onChange(['recipe', 'batchSize'], v)}
            error={errors['recipe.batchSize']}
          />
          <NumberField
            label="Peak learning rate"
            value={draft.recipe.peakLr}
            step={0.01}
            disabled={disabled}
            onChange={(v) => onChange(['recipe', 'peakLr'], v)}
            error={errors['recipe.peakLr']}
          />
          <NumberField
            label="Peak at epoch"
            value={draft.recipe.peakEpoch}
            step={0.5}
            disabled={disabled}
            onChange={(v) => onChange(['recipe', 'peakEpoch'], v)}
            error={errors['recipe.peakEpoch']}
          />
          <CheckboxField
            label="Random horizontal flips"
            checked={draft.recipe.flip}
            disabled={disabled}
            onChange={(v) => onChange(['recipe', 'flip'], v)}
          />
        </fieldset>
      )}
      {!hideModel && (
        <fieldset className="setup-group" data-tour="oracle">
          <legend>
            Models per group{' '}
            <InfoTip label="N and the oracles">
              N originals are trained on S (seeds 1..N) and each is unlearned, giving N unlearned models. N oracles are trained from scratch
              on R = S \ F: the models that never saw F. Extra oracles form a second, independent oracle group: KLoM between the two is the
              noise floor. The paper uses N = 100.
            </InfoTip>
          </legend>
          <NumberField
            label="N (models per side)"
            value={draft.n}
            min={1}
            max={100}
            disabled={disabled}
            onChange={(v) => onChange(['n'], v)}
            error={errors.n}
            testId="spec-n"
          />
          <NumberField
            label="Extra oracles (noise floor)"
            value={draft.extraOracles}
            min={0}
            max={100}
            disabled={disabled}
            onChange={(v) => onChange(['extraOracles'], v)}
            error={errors.extraOracles}
            hint="raised to N when Retrain is compared"
          />
          <NumberField
            label="Master seed"
            value={draft.seed}
            disabled={disabled}
            onChange={(v) => onChange(['seed'], v)}
            error={errors.seed}
          />
        </fieldset>
      )}
    </div>
  );
}
