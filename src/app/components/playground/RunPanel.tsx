import type { ExperimentPlan } from '../../../engine/experiment/plan';
import type { ExperimentProgress } from '../../../worker/protocol';
import { count, seconds } from '../../lib/format';
import type { JobHandle } from '../../hooks/useEngineJob';
import { JobControls } from '../JobControls';
import { ProgressBar } from '../ProgressBar';

interface Props {
  plan?: ExperimentPlan;
  progress?: ExperimentProgress;
  /** Totals of the run that just finished (progress events may trail the result). */
  finished?: { seconds: number; modelsTrained: number; cacheHits: number };
  job: JobHandle;
  canRun: boolean;
  /** Why Run is disabled, in words. */
  blocker?: string;
  /** Estimated seconds for the whole plan from the backend's measured speed. */
  /** Seconds on this backend with the method-independent models already there, and without them. */
  estimate?: { withPacks: number; without: number };
  message?: string;
  /** Offered with the message when running again resumes (after a lost GPU device). */
  onRunAgain?: () => void;
  onRun: () => void;
  /** Show the phase list folded under a summary (a lesson with results on show). */
  foldPhases?: boolean;
}

/** Step 3: one Run button, Pause / Resume / Cancel, and the phases with progress, ETA, speed and cache hits. */
export function RunPanel(p: Props) {
  const state = p.job.state;
  const running = state !== 'idle';
  const phases =
    (p.finished && p.progress
      ? p.progress.phases.map((ph) => ({ ...ph, status: 'done' as const, done: Math.max(ph.done, ph.models) }))
      : p.progress?.phases) ??
    p.plan?.phases.map((ph) => ({ id: ph.id, label: ph.label, models: ph.models, done: 0, cacheHits: 0, status: 'waiting' as const }));
  const cacheHits = Math.max(p.progress?.phases.reduce((t, ph) => t + ph.cacheHits, 0) ?? 0, p.finished?.cacheHits ?? 0);
  const phaseList = phases && (
    <ol className="phase-list" aria-label="Phases">
      {phases.map((ph) => {
        const live = p.progress?.current?.phaseId === ph.id && ph.status === 'running';
        const fraction =
          ph.status === 'done' ? 1 : ph.models > 0 ? (ph.done + (live ? (p.progress?.current?.fraction ?? 0) : 0)) / ph.models : 0;
        return (
          <li key={ph.id} className={`phase ${ph.status}`} data-testid={`phase-${ph.id}`}>
            <span className="phase-status" aria-hidden="true">
              {ph.status === 'done' ? '✓' : ph.status === 'running' ? '▶' : '·'}
            </span>
            <span className="phase-label">{ph.label}</span>
            <ProgressBar fraction={fraction} label={`${ph.label} progress`} />
            <span className="phase-count">
              {ph.models > 0 ? `${ph.done} / ${ph.models}` : ph.status === 'done' ? 'done' : ''}
              {ph.cacheHits > 0 ? ` · ${ph.cacheHits} cached` : ''}
            </span>
            <span className="visually-hidden">{ph.status}</span>
          </li>
        );
      })}
    </ol>
  );
  return (
    <div className="run-panel">
      <div className="buttons">
        <button type="button" className="primary" onClick={p.onRun} disabled={running || !p.canRun} data-testid="run-experiment">
          Run
        </button>
        <JobControls job={p.job} />
        {p.plan && !running && (
          <span className="hint plan-summary">
            {count(p.plan.totalModels)} models to train or unlearn, {count(Math.round(p.plan.totalExamples))} training examples
            {p.estimate !== undefined
              ? `, ≈ ${seconds(p.estimate.without)} on this backend if nothing is cached, ≈ ${seconds(p.estimate.withPacks)} for the methods alone (when the other models are cached or shipped with the app)`
              : ''}
            .
          </span>
        )}
      </div>
      {p.blocker && !running && (
        <p className="warning" role="status" data-testid="run-blocker">
          {p.blocker}
        </p>
      )}
      {p.progress && (
        <dl className="stats" aria-live="polite" data-testid="experiment-stats">
          <div>
            <dt>Status</dt>
            <dd data-testid="experiment-state">{state === 'idle' ? 'finished' : state}</dd>
          </div>
          <div>
            <dt>Elapsed</dt>
            <dd>{seconds(p.finished?.seconds ?? p.progress.elapsedSeconds)}</dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd data-testid="experiment-eta">{state === 'idle' ? '—' : seconds(p.progress.etaSeconds)}</dd>
          </div>
          <div>
            <dt>Speed</dt>
            <dd>{p.progress.imagesPerSec > 0 ? `${Math.round(p.progress.imagesPerSec)} images/s` : 'measuring'}</dd>
          </div>
          <div>
            <dt>From cache</dt>
            <dd data-testid="cache-hits">{cacheHits} models</dd>
          </div>
        </dl>
      )}
      {p.progress?.current && state !== 'idle' && (
        <p className="hint current-detail" data-testid="current-detail">
          {p.progress.current.detail}
        </p>
      )}
      {phases &&
        (p.foldPhases ? (
          <details className="phase-fold" data-testid="phase-fold">
            <summary>
              Phases ({phases.filter((ph) => ph.status === 'done').length} of {phases.length} done)
            </summary>
            {phaseList}
          </details>
        ) : (
          phaseList
        ))}
      {p.message && (
        <p className="note" role="status" data-testid="experiment-message">
          {p.message}
          {p.onRunAgain && !running && (
            <>
              {' '}
              <button type="button" className="small" onClick={p.onRunAgain} disabled={!p.canRun} data-testid="run-again">
                Run again
              </button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
