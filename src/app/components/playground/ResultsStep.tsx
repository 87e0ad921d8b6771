import type { DatasetSummary } from '../../../worker/protocol';
import type { Shown } from '../../hooks/useExperimentRun';
import { scaleOf } from '../../lib/resultViews';
import type { LoadImage } from '../results/ExampleMargins';
import { ResultsView } from '../results/ResultsView';

interface Props {
  shown?: Shown;
  /** The shown results belong to another spec than the one being edited. */
  stale: boolean;
  /** A run is going and has not measured its first request yet. */
  waiting: boolean;
  dataset?: DatasetSummary;
  classNames: string[];
  /** File name stem for exports when the shown results have no spec hash of their own. */
  fileStem: string;
  example: number;
  onExample: (index: number) => void;
  loadImage: LoadImage;
}

/** Step 4: the results on show, or what to do to get some. */
export function ResultsStep({ shown, stale, waiting, dataset, classNames, fileStem, example, onExample, loadImage }: Props) {
  return (
    <section className="panel step" aria-labelledby="results-heading">
      <h2 id="results-heading" tabIndex={-1}>
        4 · Results
      </h2>
      {shown ? (
        <ResultsView
          result={shown.result}
          full={shown.full}
          spec={shown.spec}
          scale={shown.full?.scale ?? scaleOf(shown.spec)}
          source={shown.source}
          stale={stale}
          example={example}
          onExample={onExample}
          loadImage={loadImage}
          classNames={classNames}
          fileStem={shown.full ? `unlearning-${shown.full.specHash.slice(0, 8)}` : fileStem}
          datasetNote={
            shown.full && dataset && shown.full.environment.datasetId !== dataset.id
              ? `These results were computed on “${shown.full.environment.datasetName}”; the images shown come from the dataset loaded here (${dataset.name}).`
              : undefined
          }
        />
      ) : (
        <p className="hint" data-testid="no-results">
          {waiting
            ? 'Results appear here when the first deletion request is measured.'
            : 'No results yet: press Run (or import a results file below).'}
        </p>
      )}
    </section>
  );
}
