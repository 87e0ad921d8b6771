import { useCallback, useEffect, useMemo, useState } from 'react';
import { canonicalJson, specHash, type ExperimentSpec } from '../../engine/experiment/spec';
import type { DatasetSummary, ExperimentProgress, ExperimentResult, RequestResult } from '../../worker/protocol';
import type { ResultSource } from '../components/results/ResultsView';
import type { Engine } from '../lib/engineClient';
import { findResult, storeResult } from '../lib/savedState';
import type { JobWords } from './jobState';
import { useEngineJob, type EngineJob } from './useEngineJob';

/** The results on screen: a request's (partial) result, the whole experiment's when known, and where they came from. */
export interface Shown {
  result: RequestResult;
  full?: ExperimentResult;
  spec: ExperimentSpec;
  source: ResultSource;
}

export interface ExperimentRun {
  job: EngineJob;
  progress?: ExperimentProgress;
  /** The latest result of each deletion request measured so far in this run. */
  partial: RequestResult[];
  shown?: Shown;
  show: (shown: Shown) => void;
  /** The shown results were computed for another spec than the one being edited. */
  stale: boolean;
  /** Each request's own forget points in the shown results (the result's forget splits are cumulative). */
  ranForget?: number[][];
  /** Totals of the run that just finished (progress events may trail the result). */
  finished?: ExperimentResult['timing'];
  /** The last run stopped in a way that running again resumes (a lost GPU device): offer "Run again". */
  resumable: boolean;
  /** Bumped when a run ends, so what reads the model cache reads it again. */
  runsEnded: number;
  /** Runs `spec`; resolves with the result, or undefined when the run did not finish (the job's message says why). */
  run: () => Promise<ExperimentResult | undefined>;
}

const EXPERIMENT_WORDS: JobWords = {
  cancelled: 'Cancelled. Every model finished so far stays in the cache, so running again continues from there.',
  failed: (message) => `The experiment failed: ${message}`,
  // The worker's message already says what happened and that running again resumes.
  deviceLost: (message) => message,
};

/** Running the experiment in the engine, and which results the page shows: stored, partial, computed or imported. */
export function useExperimentRun(
  engine: Engine | undefined,
  spec: ExperimentSpec | undefined,
  dataset: DatasetSummary | undefined,
): ExperimentRun {
  const job = useEngineJob(engine, EXPERIMENT_WORDS);
  const [progress, setProgress] = useState<ExperimentProgress>();
  const [partial, setPartial] = useState<RequestResult[]>([]);
  const [shown, setShown] = useState<Shown>();
  const [finished, setFinished] = useState<ExperimentResult['timing']>();
  const [runsEnded, setRunsEnded] = useState(0);
  const specText = useMemo(() => (spec ? canonicalJson(spec) : undefined), [spec]);

  // Results kept from an earlier run of this exact experiment show at once.
  useEffect(() => {
    if (!spec || !dataset || job.state !== 'idle') return;
    if (shown && canonicalJson(shown.spec) === specText) return;
    let live = true;
    specHash(spec).then(async (hash) => {
      const stored = await findResult(hash, dataset.id);
      if (live && stored) setShown({ result: stored, full: stored, spec: stored.spec, source: 'stored' });
    });
    return () => {
      live = false;
    };
    // Keyed by the spec's text: `spec` itself is a new object after every edit.
  }, [specText, dataset, job.state]);

  const { start } = job;
  const run = useCallback(async () => {
    if (!engine || !spec) return undefined;
    setProgress(undefined);
    setPartial([]);
    setFinished(undefined);
    const end = await start(({ live, trailing }) =>
      engine.runExperiment(
        spec,
        trailing((p: ExperimentProgress) => setProgress(p)),
        live((r: RequestResult) => {
          setPartial((prev) => [...prev.filter((x) => x.request !== r.request), r]); // one entry per request, the latest
          setShown({ result: r, spec, source: 'partial' });
        }),
      ),
    );
    setRunsEnded((n) => n + 1);
    if (end.kind !== 'done') return undefined;
    const result = end.value;
    setFinished(result.timing);
    setShown({ result, full: result, spec: result.spec, source: 'run' });
    void storeResult(result);
    return result;
  }, [engine, spec, start]);

  const stale = !!shown && !!specText && canonicalJson(shown.spec) !== specText;
  const ranForget = useMemo(() => {
    if (!shown || stale) return undefined;
    const cumulative = [...(shown.full?.earlierRequests ?? []), shown.result].map((r) => r.splits.forget);
    return cumulative.map((f, r) => {
      if (r === 0) return f;
      const before = new Set(cumulative[r - 1]);
      return f.filter((i) => !before.has(i));
    });
  }, [shown, stale]);

  return {
    job,
    progress,
    partial,
    shown,
    show: setShown,
    stale,
    ranForget,
    finished,
    resumable: job.ended === 'device-lost',
    runsEnded,
    run,
  };
}
