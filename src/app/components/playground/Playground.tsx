import * as Comlink from 'comlink';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { planExperiment } from '../../../engine/experiment/plan';
import { canonicalJson, specHash, type ExperimentSpec, type ForgetGenerator, type MethodName, type PresetId } from '../../../engine/experiment/spec';
import {
  errorMessage,
  isCancelled,
  isDeviceLost,
  type BackendChoice,
  type DatasetSummary,
  type ExperimentProgress,
  type ExperimentResult,
  type RequestResult,
} from '../../../worker/protocol';
import type { Engine } from '../../lib/engineClient';
import { previewForget } from '../../lib/forgetPreview';
import { ImageStore } from '../../lib/imageStore';
import { parseResultFile, ResultFileError } from '../../lib/importResults';
import { shortHash } from '../../lib/exportResults';
import { scaleOf } from '../../lib/resultViews';
import { findResult, loadLastSpec, saveLastSpec, storeResult } from '../../lib/savedState';
import { buildHash, type LinkOptions } from '../../lib/shareLink';
import {
  addMethod,
  checkDraft,
  datasetMismatch,
  estimateSeconds,
  matchingPreset,
  presetSpec,
  removeMethod,
  resetMethodParams,
  setIn,
  type Draft,
} from '../../lib/specEdit';
import { ResultsView, type ResultSource } from '../results/ResultsView';
import type { LoadImage } from '../results/ExampleMargins';
import { Tour } from '../Tour';
import { AttributionSettings } from './AttributionSettings';
import { ExperimentSetup } from './ExperimentSetup';
import { ForgetSetPicker } from './ForgetSetPicker';
import { MethodList } from './MethodList';
import { PresetBar } from './PresetBar';
import { RunPanel, type ExperimentRunState } from './RunPanel';
import { CachePanel } from './CachePanel';
import { SharePanel } from './SharePanel';

export interface LinkNotice {
  kind: 'error' | 'opened' | 'migrated';
  message: string;
}

interface Props {
  engine?: Engine;
  dataset?: DatasetSummary;
  choice?: BackendChoice;
  /** Another job (training, dataset loading) holds the engine. */
  engineBusy: boolean;
  initialSpec: ExperimentSpec;
  linkOptions: LinkOptions;
  linkNotice?: LinkNotice;
  onRunState: (running: boolean) => void;
}

interface Shown {
  result: RequestResult;
  full?: ExperimentResult;
  spec: ExperimentSpec;
  source: ResultSource;
}

/** The experiment page: set up, pick the forget set, run and watch, read the results, share. */
export function Playground({ engine, dataset, choice, engineBusy, initialSpec, linkOptions, linkNotice, onRunState }: Props) {
  const [draft, setDraft] = useState<Draft>(initialSpec);
  const [edited, setEdited] = useState(false);
  // A lesson embedding the page does not need to be told it opened a link.
  const [notice, setNotice] = useState(linkOptions.embed && linkNotice?.kind === 'opened' ? undefined : linkNotice);
  const [runState, setRunState] = useState<ExperimentRunState>('idle');
  const [progress, setProgress] = useState<ExperimentProgress>();
  const [partial, setPartial] = useState<RequestResult[]>([]);
  const [shown, setShown] = useState<Shown>();
  const [runMessage, setRunMessage] = useState<string>();
  /** The last run stopped in a way that running again resumes (a lost GPU device): offer "Run again". */
  const [resumable, setResumable] = useState(false);
  /** Bumped when a run ends, so the cache panel reloads its numbers. */
  const [runsEnded, setRunsEnded] = useState(0);
  const [example, setExample] = useState(0);
  const [importError, setImportError] = useState<string>();
  const [touring, setTouring] = useState(false);
  const [lastSaved] = useState(() => loadLastSpec());
  const autoran = useRef(false);
  /** Progress and partial results are delivered on their own channel and may trail the result: tag them by run. */
  const runId = useRef(0);
  const [finished, setFinished] = useState<ExperimentResult['timing']>();
  const hidden = (s: LinkOptions['hide'][number]) => linkOptions.hide.includes(s);

  const checked = useMemo(() => checkDraft(draft), [draft]);
  const spec = checked.ok ? checked.spec : undefined;
  const specText = useMemo(() => (spec ? canonicalJson(spec) : undefined), [spec]);

  const edit = (next: Draft) => {
    setDraft(next);
    setEdited(true);
  };
  const change = (path: (string | number)[], value: unknown) => edit(setIn(draft, path, value));

  // The URL hash follows the spec (replaceState: no history entry per keystroke); the spec is kept for the next visit.
  useEffect(() => {
    if (!spec) return;
    if (notice?.kind === 'error' && !edited) return; // keep a broken link visible until the user changes something
    const hash = buildHash(spec, { embed: linkOptions.embed, hide: linkOptions.hide });
    if (location.hash !== hash) history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
    saveLastSpec(spec);
  }, [spec, edited, notice, linkOptions]);

  // Images of S for the grid and the previews.
  const store = useMemo(
    () => (engine && dataset ? new ImageStore((start, n) => engine.getImages('train', start, n), dataset.counts.train ?? 0) : undefined),
    [engine, dataset],
  );
  useEffect(() => {
    if (!store) return;
    void store.loadAllLabels().catch(() => undefined);
    return () => store.dispose();
  }, [store]);
  const noStore = useCallback(() => () => undefined, []);
  const storeVersion = useSyncExternalStore(store?.subscribe ?? noStore, store?.getVersion ?? (() => 0));
  const labelsReady = !!store?.labelsComplete;

  const preview = useMemo(
    () => previewForget(draft.forget, labelsReady ? store!.labels : undefined, Number.isFinite(draft.dataset.trainSize) ? draft.dataset.trainSize : 0),
    // storeVersion: labels arrive over time
    [draft.forget, draft.dataset.trainSize, labelsReady, store, storeVersion],
  );

  const plan = useMemo(() => (spec ? planExperiment(spec, preview.kind === 'known' ? preview.cumulative.map((c) => c.length) : undefined) : undefined), [spec, preview]);
  const speed = choice?.probes.find((p) => p.name === choice.name)?.trainImagesPerSec;
  const estimate = plan && spec?.model.arch === 'tiny-cnn' ? estimateSeconds(plan.totalExamples, speed) : undefined;

  const mismatch = spec ? datasetMismatch(spec, dataset) : undefined;
  const blocker = !engine
    ? 'Starting the engine…'
    : !checked.ok
      ? `Fix the settings first: ${checked.message}`
      : (mismatch ?? (engineBusy && runState === 'idle' ? 'The engine is busy (training a model or loading data).' : undefined));

  // Results kept from an earlier run of this exact experiment show at once.
  useEffect(() => {
    if (!spec || !dataset || runState !== 'idle') return;
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
  }, [specText, dataset, runState]);

  const run = useCallback(async () => {
    if (!engine || !spec || mismatch) return;
    setRunState('running');
    onRunState(true);
    setProgress(undefined);
    setPartial([]);
    setRunMessage(undefined);
    setResumable(false);
    setFinished(undefined);
    const id = ++runId.current;
    let done = false;
    try {
      const result = await engine.runExperiment(
        spec,
        Comlink.proxy((p: ExperimentProgress) => id === runId.current && setProgress(p)),
        Comlink.proxy((r: RequestResult) => {
          if (done || id !== runId.current) return;
          setPartial((prev) => [...prev.filter((x) => x.request !== r.request), r]); // one entry per request, the latest
          setShown({ result: r, spec, source: 'partial' });
        }),
      );
      setFinished(result.timing);
      setShown({ result, full: result, spec: result.spec, source: 'run' });
      setExample((e) => (e < result.splits.forget.length + result.splits.retain.length + result.splits.validation.length ? e : result.splits.forget[0] ?? 0));
      void storeResult(result);
    } catch (e) {
      setResumable(isDeviceLost(e));
      setRunMessage(
        isCancelled(e)
          ? 'Cancelled. Every model finished so far stays in the cache, so running again continues from there.'
          : isDeviceLost(e)
            ? errorMessage(e)
            : `The experiment failed: ${errorMessage(e)}`,
      );
    } finally {
      done = true;
      setRunsEnded((n) => n + 1);
      setRunState('idle');
      onRunState(false);
    }
  }, [engine, spec, mismatch, onRunState]);

  // `autorun=1`: run once, as soon as everything is ready.
  useEffect(() => {
    if (!linkOptions.autorun || autoran.current || !engine || !dataset || !spec || mismatch || engineBusy || notice?.kind === 'error') return;
    autoran.current = true;
    void run();
  }, [linkOptions.autorun, engine, dataset, spec, mismatch, engineBusy, notice, run]);

  const loadImage: LoadImage = useCallback(
    async (set, index) => {
      if (!engine) return undefined;
      if (set === 'train' && store && index < store.total) {
        await store.ensure(index, index + 1);
        const pixels = store.pixels(index);
        return pixels ? { pixels, label: store.labels[index] } : undefined;
      }
      const { images, labels } = await engine.getImages(set, index, 1);
      return images.length ? { pixels: images, label: labels[0] } : undefined;
    },
    [engine, store],
  );

  const importFile = async (file: File) => {
    setImportError(undefined);
    try {
      const result = parseResultFile(await file.text(), file.name);
      setDraft(result.spec);
      setEdited(true);
      setShown({ result, full: result, spec: result.spec, source: 'imported' });
      setExample(result.splits.forget[0] ?? 0);
    } catch (e) {
      setImportError(e instanceof ResultFileError ? `${e.message}. Nothing was changed.` : `Could not import ${file.name}: ${errorMessage(e)}`);
    }
  };

  const pickPreset = (id: PresetId) => edit(presetSpec(id));
  const locked = runState !== 'idle';
  const classNames = dataset?.classNames ?? ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  const stale = !!shown && !!specText && canonicalJson(shown.spec) !== specText;
  // Each request's own points (the result's forget splits are cumulative).
  const ranForget = useMemo(() => {
    if (!shown || stale) return undefined;
    const cumulative = [...(shown.full?.earlierRequests ?? []), shown.result].map((r) => r.splits.forget);
    return cumulative.map((f, r) => {
      if (r === 0) return f;
      const before = new Set(cumulative[r - 1]);
      return f.filter((i) => !before.has(i));
    });
  }, [shown, stale]);
  const fileStem = `unlearning-${shortHash(specText ?? '')}`;

  return (
    <div className="playground">
      {notice && (
        <div className={notice.kind === 'error' ? 'error link-notice' : 'banner link-notice'} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="link-notice">
          <p>{notice.message}</p>
          {notice.kind === 'error' && (
            <p>
              Showing a working default experiment instead; your own setup was not changed.{' '}
              {lastSaved && canonicalJson(lastSaved) !== specText && (
                <button
                  type="button"
                  className="small"
                  onClick={() => {
                    edit(lastSaved);
                    setNotice(undefined);
                  }}
                >
                  Restore my last experiment
                </button>
              )}
            </p>
          )}
          <button type="button" className="small" onClick={() => setNotice(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {!hidden('tour') && (
        <p className="tour-launch">
          New here?{' '}
          <button type="button" onClick={() => setTouring(true)} data-testid="start-tour">
            Take the 6-step tour
          </button>
        </p>
      )}

      {(!hidden('presets') || !hidden('setup') || !hidden('methods')) && (
        <section className="panel step" aria-labelledby="setup-heading">
          <h2 id="setup-heading">1 · Set up the experiment</h2>
          {!hidden('presets') && <PresetBar current={spec ? matchingPreset(spec) : undefined} disabled={locked} onPick={pickPreset} />}
          {!hidden('setup') && <ExperimentSetup draft={draft} errors={checked.errors} disabled={locked} onChange={change} />}
          {!hidden('methods') && (
            <div className="methods-row">
              <div>
                <h3>Methods to compare</h3>
                <MethodList
                  draft={draft}
                  errors={checked.errors}
                  disabled={locked}
                  onChange={change}
                  onAdd={(m: MethodName) => edit(addMethod(draft, m))}
                  onRemove={(i) => edit(removeMethod(draft, i))}
                  onReset={(i) => edit(resetMethodParams(draft, i))}
                />
              </div>
              <AttributionSettings draft={draft} errors={checked.errors} disabled={locked} onChange={change} />
            </div>
          )}
        </section>
      )}

      {!hidden('forget') && (
        <section className="panel step" aria-labelledby="forget-heading">
          <h2 id="forget-heading">2 · Pick the forget set</h2>
          <ForgetSetPicker
            draft={draft}
            errors={checked.errors}
            disabled={locked}
            store={store}
            storeVersion={storeVersion}
            classNames={classNames}
            preview={preview}
            ranForget={ranForget}
            current={example}
            onInspect={setExample}
            onForget={(forget: ForgetGenerator[]) => edit({ ...draft, forget })}
          />
        </section>
      )}

      {!hidden('run') && (
        <section className="panel step" aria-labelledby="run-heading" data-tour="run">
          <h2 id="run-heading">3 · Run and watch</h2>
          <RunPanel
            plan={plan}
            progress={progress}
            finished={finished}
            state={runState}
            canRun={!!engine && !!spec && !mismatch && !engineBusy}
            blocker={blocker}
            estimate={estimate}
            message={runMessage}
            onRunAgain={resumable ? run : undefined}
            onRun={run}
            onPause={() => {
              engine?.pause();
              setRunState('paused');
            }}
            onResume={() => {
              engine?.resume();
              setRunState('running');
            }}
            onCancel={() => {
              engine?.cancel();
              setRunState('cancelling');
            }}
          />
          {engine && <CachePanel engine={engine} busy={locked || engineBusy} refreshKey={runsEnded} />}
        </section>
      )}

      {!hidden('results') && (
        <section className="panel step" aria-labelledby="results-heading">
          <h2 id="results-heading">4 · Results</h2>
          {shown ? (
            <ResultsView
              result={shown.result}
              full={shown.full}
              spec={shown.spec}
              scale={shown.full?.scale ?? scaleOf(shown.spec)}
              source={shown.source}
              stale={stale}
              example={example}
              onExample={setExample}
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
              {partial.length === 0 && runState !== 'idle'
                ? 'Results appear here when the first deletion request is measured.'
                : 'No results yet: press Run (or import a results file below).'}
            </p>
          )}
        </section>
      )}

      {!hidden('share') && (
        <section className="panel step" aria-labelledby="share-heading">
          <h2 id="share-heading">Share, export, import</h2>
          <SharePanel spec={spec} result={shown?.full} onImport={importFile} importError={importError} />
        </section>
      )}
      {touring && <Tour onClose={() => setTouring(false)} />}
    </div>
  );
}
