import type { ExperimentResult, RequestResult } from '../../../engine/experiment/result';
import type { ExperimentSpec } from '../../../engine/experiment/spec';
import { seconds } from '../../lib/format';
import { allWarnings, GKL_FIRST_BELOW_N, gklFirst, headline, storySentences } from '../../lib/resultViews';
import { AccuracyChart } from './AccuracyChart';
import { AttributionScatter } from './AttributionScatter';
import { DmmVsSkillChart } from './DmmVsSkillChart';
import { CostChart } from './CostChart';
import { ExampleMargins, type LoadImage } from './ExampleMargins';
import { GklChart } from './GklChart';
import { HeadlineChart } from './HeadlineChart';
import { KlomChart } from './KlomChart';
import { MembershipTable } from './MembershipTable';
import { SplitDistributions } from './SplitDistributions';

export type ResultSource = 'run' | 'partial' | 'stored' | 'imported';

interface Props {
  result: RequestResult;
  /** The full result when finished (environment, timing, notes). */
  full?: ExperimentResult;
  spec: ExperimentSpec;
  scale: string;
  source: ResultSource;
  /** The results are for another setup than the one in the controls. */
  stale: boolean;
  example: number;
  onExample: (e: number) => void;
  loadImage?: LoadImage;
  classNames: readonly string[];
  fileStem: string;
  /** Set when the result was computed on another dataset than the one loaded (its images differ). */
  datasetNote?: string;
}

const SOURCE_TEXT: Record<ResultSource, string> = {
  run: 'computed just now',
  partial: 'so far (the run continues)',
  stored: 'kept in this browser from an earlier run of this experiment',
  imported: 'imported from a file, not recomputed',
};

/** Step 4: every results view, rendered from one result. */
export function ResultsView(p: Props) {
  const r = p.result;
  const warnings = allWarnings(r);
  const env = p.full?.environment;
  // Below N ≈ 32 KLoM saturates: the small-N distance leads, with KLoM beside it.
  const small = gklFirst(r, p.spec.n);
  const lead = headline(r, p.spec.n);
  const story = lead ? storySentences(r, lead) : '';
  return (
    <div className="results" data-testid="results">
      <div className="results-head">
        <p data-testid="results-source">
          <strong>Results {SOURCE_TEXT[p.source]}</strong>
          {p.spec.forget.length > 1 ? ` · after deletion request ${r.request + 1} of ${p.spec.forget.length}` : ''}
          {env ? ` · ${env.backend}${env.adapter ? ` (${env.adapter})` : ''} · ${env.datasetName}` : ''}
          {p.full
            ? ` · ${seconds(p.full.timing.seconds)}, ${p.full.timing.modelsTrained} models trained, ${p.full.timing.cacheHits} from the cache${p.full.timing.packModels ? ` (${p.full.timing.packModels} shipped with the app)` : ''}`
            : ''}
          {p.full ? ` · ${new Date(p.full.createdAt).toLocaleString()}` : ''}
        </p>
        {p.stale && (
          <p className="warning" role="status" data-testid="results-stale">
            These results are for a different setup than the controls show now. Run to update them.
          </p>
        )}
      </div>
      {/* The headline first: the sentences and the chart they read from. */}
      <div className="headline" data-testid="results-headline">
        {story && (
          <p className="story" data-testid="results-story">
            {story}
          </p>
        )}
        {lead && (
          <HeadlineChart
            headline={lead}
            result={r}
            scale={p.scale}
            fileStem={p.fileStem}
            subtitle={
              small
                ? `At N = ${p.spec.n} the small-N distance (GKL) ranks methods; KLoM saturates below N ≈ ${GKL_FIRST_BELOW_N} (its chart is below).`
                : `KLoM’s 95th percentile, the paper’s metric, ranks methods from N ≈ ${GKL_FIRST_BELOW_N}; this run has N = ${p.spec.n}.`
            }
          />
        )}
      </div>
      <div className="results-notes">
        <p className="scale-line" data-testid="results-scale">
          {p.scale}. |F| = {r.splits.forget.length}, |R| = {r.splits.retain.length}, |V| = {r.splits.validation.length}.
        </p>
        {p.datasetNote && (
          <p className="warning" data-testid="results-dataset-note">
            {p.datasetNote}
          </p>
        )}
        {p.full?.notes.map((n) => (
          <p key={n} className="warning">
            {n}
          </p>
        ))}
      </div>
      {warnings.length > 0 && (
        <div className="result-warnings" role="note" aria-label="Warnings" data-testid="result-warnings">
          <h3>Warnings</h3>
          <ul>
            {warnings.map((w) => (
              <li key={`${w.key}-${w.warning}`}>
                <span aria-hidden="true">⚠ </span>
                <strong>{w.label}</strong> {w.warning}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="chart-grid">
        {small ? (
          <>
            <GklChart
              result={r}
              scale={p.scale}
              fileStem={p.fileStem}
              subtitle={`Every split. Below N ≈ ${GKL_FIRST_BELOW_N} KLoM’s histograms saturate, while this distance still ranks methods (N = ${p.spec.n}).`}
            />
            <KlomChart
              result={r}
              scale={p.scale}
              fileStem={p.fileStem}
              subtitle={`The paper’s metric; ranks methods from N ≈ ${GKL_FIRST_BELOW_N} (forget split). This run has N = ${p.spec.n}.`}
            />
          </>
        ) : (
          <>
            <KlomChart result={r} scale={p.scale} fileStem={p.fileStem} />
            {r.noiseFloor.gkl && <GklChart result={r} scale={p.scale} fileStem={p.fileStem} />}
          </>
        )}
        <ExampleMargins
          result={r}
          spec={p.spec}
          scale={p.scale}
          fileStem={p.fileStem}
          example={p.example}
          onExample={p.onExample}
          loadImage={p.loadImage}
          classNames={p.classNames}
        />
        <SplitDistributions result={r} scale={p.scale} fileStem={p.fileStem} />
        {r.attribution && <AttributionScatter result={r} scale={p.scale} fileStem={p.fileStem} onExample={p.onExample} />}
        {r.attribution && <DmmVsSkillChart result={r} spec={p.spec} scale={p.scale} fileStem={p.fileStem} />}
        <AccuracyChart result={r} scale={p.scale} fileStem={p.fileStem} />
        <CostChart result={r} scale={p.scale} fileStem={p.fileStem} />
      </div>
      <MembershipTable result={r} />
    </div>
  );
}
