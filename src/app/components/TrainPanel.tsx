import type { TrainOutcome, TrainProgress } from '../../worker/protocol';
import type { JobHandle } from '../hooks/useEngineJob';
import { withArch, type TrainForm } from '../lib/trainConfig';
import { seconds } from '../lib/format';
import { JobControls } from './JobControls';
import { ProgressBar } from './ProgressBar';
import { TrainingChart } from './TrainingChart';

interface Props {
  form: TrainForm;
  onForm: (form: TrainForm) => void;
  formError?: string;
  job: JobHandle;
  canTrain: boolean;
  events: TrainProgress[];
  outcome?: TrainOutcome;
  message?: string;
  onTrain: () => void;
}

function NumberField(props: { label: string; value: number; step?: number; onChange: (v: number) => void; disabled: boolean }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        value={Number.isFinite(props.value) ? props.value : ''}
        step={props.step ?? 1}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.value === '' ? Number.NaN : Number(e.currentTarget.value))}
      />
    </label>
  );
}

export function TrainPanel(p: Props) {
  const state = p.job.state;
  const locked = state !== 'idle';
  const set = <K extends keyof TrainForm>(key: K, value: TrainForm[K]) => p.onForm({ ...p.form, [key]: value });
  const last = p.events[p.events.length - 1];
  return (
    <section className="panel" aria-labelledby="train-heading">
      <h2 id="train-heading">Train a model</h2>
      <div className="form-grid">
        <label className="field">
          <span>Model</span>
          <select
            value={p.form.arch}
            disabled={locked}
            onChange={(e) => p.onForm(withArch(p.form, e.currentTarget.value as TrainForm['arch']))}
          >
            <option value="tiny-cnn">Tiny CNN (34k)</option>
            <option value="resnet9">ResNet-9 (width-scaled)</option>
          </select>
        </label>
        {p.form.arch === 'resnet9' && (
          <NumberField label="Width (1 = paper)" value={p.form.width} step={0.125} disabled={locked} onChange={(v) => set('width', v)} />
        )}
        <NumberField label="Training images" value={p.form.trainCount} disabled={locked} onChange={(v) => set('trainCount', v)} />
        <NumberField label="Epochs" value={p.form.epochs} disabled={locked} onChange={(v) => set('epochs', v)} />
        <NumberField label="Batch size" value={p.form.batchSize} disabled={locked} onChange={(v) => set('batchSize', v)} />
        <NumberField label="Peak learning rate" value={p.form.peakLr} step={0.01} disabled={locked} onChange={(v) => set('peakLr', v)} />
        <NumberField label="Peak at epoch" value={p.form.peakEpoch} step={0.5} disabled={locked} onChange={(v) => set('peakEpoch', v)} />
        <NumberField
          label="Weight decay"
          value={p.form.weightDecay}
          step={0.0001}
          disabled={locked}
          onChange={(v) => set('weightDecay', v)}
        />
        <NumberField label="Seed" value={p.form.seed} disabled={locked} onChange={(v) => set('seed', v)} />
        <label className="field checkbox">
          <input type="checkbox" checked={p.form.flip} disabled={locked} onChange={(e) => set('flip', e.currentTarget.checked)} />
          <span>Random horizontal flips</span>
        </label>
      </div>
      <p className="hint">SGD with momentum 0.9, triangular learning rate (0 → peak → 0), as in the paper's recipe, scaled down.</p>
      {p.formError && (
        <p className="error" role="alert">
          {p.formError}
        </p>
      )}
      <div className="buttons">
        <button type="button" className="primary" onClick={p.onTrain} disabled={locked || !p.canTrain || !!p.formError}>
          Train
        </button>
        <JobControls job={p.job} />
      </div>
      {last && (
        <div className="run-status" aria-live="polite">
          <ProgressBar fraction={last.step / last.totalSteps} label="Training progress" />
          <dl className="stats" data-testid="train-stats">
            <div>
              <dt>Status</dt>
              <dd data-testid="run-state">{state === 'running' ? last.phase : state === 'idle' ? 'stopped' : state}</dd>
            </div>
            <div>
              <dt>Epoch</dt>
              <dd>
                {Math.min(last.epoch + 1, last.epochs)} / {last.epochs}
              </dd>
            </div>
            <div>
              <dt>Step</dt>
              <dd data-testid="step">
                {last.step} / {last.totalSteps}
              </dd>
            </div>
            <div>
              <dt>Loss</dt>
              <dd>{last.loss.toFixed(3)}</dd>
            </div>
            <div>
              <dt>Accuracy</dt>
              <dd>{(last.accuracy * 100).toFixed(1)} %</dd>
            </div>
            <div>
              <dt>Speed</dt>
              <dd>{last.imagesPerSec > 0 ? `${Math.round(last.imagesPerSec)} images/s` : 'warming up'}</dd>
            </div>
            <div>
              <dt>Time left</dt>
              <dd>{seconds(last.etaSeconds)}</dd>
            </div>
          </dl>
        </div>
      )}
      {p.message && (
        <p className="note" role="status" data-testid="run-message">
          {p.message}
        </p>
      )}
      {p.outcome && (
        <p className="result" data-testid="validation-accuracy">
          Validation accuracy: <strong>{(p.outcome.validationAccuracy * 100).toFixed(1)} %</strong> after{' '}
          {seconds(p.outcome.summary.seconds)} on {p.outcome.backend} ({p.outcome.parameters.toLocaleString()} parameters,{' '}
          {Math.round(p.outcome.summary.imagesPerSec)} images/s).
        </p>
      )}
      {p.events.length > 0 && <TrainingChart events={p.events} />}
    </section>
  );
}
