import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CLASS_NAMES } from '../../../engine/data/types';
import { planExperiment } from '../../../engine/experiment/plan';
import { canonicalJson, type ExperimentSpec, type ForgetGenerator } from '../../../engine/experiment/spec';
import { errorMessage, type BackendChoice, type DatasetSummary } from '../../../worker/protocol';
import { useDatasetFollowsSpec } from '../../hooks/useDatasetFollowsSpec';
import type { DatasetSource } from '../../hooks/useEngine';
import { useExperimentRun } from '../../hooks/useExperimentRun';
import { useImageStore } from '../../hooks/useImageStore';
import { useSpecDraft } from '../../hooks/useSpecDraft';
import type { Engine } from '../../lib/engineClient';
import { shortHash } from '../../lib/exportResults';
import { previewForget } from '../../lib/forgetPreview';
import { parseResultFile, ResultFileError } from '../../lib/importResults';
import { loadLastSpec } from '../../lib/savedState';
import type { HideableSection, LinkOptions } from '../../lib/shareLink';
import { datasetMismatch, planSeconds } from '../../lib/specEdit';
import { Tour, useTourLength } from '../Tour';
import { CachePanel } from './CachePanel';
import { ForgetSetPicker } from './ForgetSetPicker';
import { LinkNoticeBanner, type LinkNotice } from './LinkNoticeBanner';
import { ResultsStep } from './ResultsStep';
import { RunPanel } from './RunPanel';
import { SetupStep } from './SetupStep';
import { SharePanel } from './SharePanel';

interface Props {
  engine?: Engine;
  dataset?: DatasetSummary;
  /** A full CIFAR-10 is saved in this browser. */
  fullSaved: boolean;
  /** The dataset the user last picked in the Dataset panel: the experiment follows it. */
  datasetChosen?: { source: DatasetSource; n: number };
  /** Loads the embedded subset, for an experiment that needs it while a saved full CIFAR-10 is loaded. */
  onSwitchToEmbedded: () => void;
  choice?: BackendChoice;
  /** Another job (training, dataset loading) holds the engine. */
  engineBusy: boolean;
  initialSpec: ExperimentSpec;
  linkOptions: LinkOptions;
  linkNotice?: LinkNotice;
  onRunState: (running: boolean) => void;
}

/** The experiment page: set up, pick the forget set, run and watch, read the results, share. */
export function Playground({
  engine,
  dataset,
  fullSaved,
  datasetChosen,
  onSwitchToEmbedded,
  choice,
  engineBusy,
  initialSpec,
  linkOptions,
  linkNotice,
  onRunState,
}: Props) {
  // A lesson embedding the page does not need to be told it opened a link.
  const [notice, setNotice] = useState(linkOptions.embed && linkNotice?.kind === 'opened' ? undefined : linkNotice);
  const specDraft = useSpecDraft(initialSpec, linkOptions, notice?.kind === 'error');
  const { draft, checked, spec, specText, edit, change } = specDraft;
  const experiment = useExperimentRun(engine, spec, dataset);
  const { job, shown } = experiment;
  const setSource = useCallback((source: DatasetSource) => change(['dataset', 'source'], source), [change]);
  useDatasetFollowsSpec({
    source: draft.dataset.source,
    dataset,
    canSwitch: !!engine && !engineBusy && job.state === 'idle',
    fullSaved,
    switchToEmbedded: onSwitchToEmbedded,
    chosen: datasetChosen,
    setSource,
  });
  const images = useImageStore(engine, dataset);
  const [example, setExample] = useState(0);
  const [importError, setImportError] = useState<string>();
  const [touring, setTouring] = useState(false);
  const [lastSaved] = useState(() => loadLastSpec());
  const autoran = useRef(false);
  const tourLength = useTourLength();
  const hidden = (s: HideableSection) => linkOptions.hide.includes(s);

  useEffect(() => {
    onRunState(job.state !== 'idle');
  }, [job.state, onRunState]);

  const preview = useMemo(
    () =>
      previewForget(
        draft.forget,
        images.labelsReady ? images.store!.labels : undefined,
        Number.isFinite(draft.dataset.trainSize) ? draft.dataset.trainSize : 0,
      ),
    // images.version: labels arrive over time
    [draft.forget, draft.dataset.trainSize, images.labelsReady, images.store, images.version],
  );
  const plan = useMemo(
    () => (spec ? planExperiment(spec, preview.kind === 'known' ? preview.cumulative.map((c) => c.length) : undefined) : undefined),
    [spec, preview],
  );
  // Training images/s of the whole pool: one model per worker at a time.
  const probed = choice?.probes.find((p) => p.name === choice.name)?.trainImagesPerSec;
  const speed = probed && probed * (choice?.pool?.size ?? 1);
  const estimate = plan && spec?.model.arch === 'tiny-cnn' ? planSeconds(plan, speed) : undefined;

  const mismatch = spec ? datasetMismatch(spec, dataset, fullSaved) : undefined;
  const blocker = !engine
    ? 'Starting the engine…'
    : !checked.ok
      ? `Fix the settings first: ${checked.message}`
      : (mismatch ?? (engineBusy && job.state === 'idle' ? 'The engine is busy (training a model or loading data).' : undefined));

  const { run: runExperiment } = experiment;
  const run = useCallback(async () => {
    if (mismatch) return;
    const result = await runExperiment();
    // Keep the inspected example if the new result has it.
    if (result)
      setExample((e) =>
        e < result.splits.forget.length + result.splits.retain.length + result.splits.validation.length
          ? e
          : (result.splits.forget[0] ?? 0),
      );
  }, [mismatch, runExperiment]);

  // `autorun=1`: run once, as soon as everything is ready.
  useEffect(() => {
    if (!linkOptions.autorun || autoran.current || !engine || !dataset || !spec || mismatch || engineBusy || notice?.kind === 'error')
      return;
    autoran.current = true;
    void run();
  }, [linkOptions.autorun, engine, dataset, spec, mismatch, engineBusy, notice, run]);

  const importFile = async (file: File) => {
    setImportError(undefined);
    try {
      const result = parseResultFile(await file.text(), file.name);
      edit(result.spec);
      experiment.show({ result, full: result, spec: result.spec, source: 'imported' });
      setExample(result.splits.forget[0] ?? 0);
    } catch (e) {
      setImportError(
        e instanceof ResultFileError ? `${e.message}. Nothing was changed.` : `Could not import ${file.name}: ${errorMessage(e)}`,
      );
    }
  };

  const locked = job.state !== 'idle';
  const classNames = dataset?.classNames ?? [...CLASS_NAMES];

  const embed = linkOptions.embed;
  const tourLaunch = !hidden('tour') && (
    <p className="tour-launch">
      New here?{' '}
      <button type="button" onClick={() => setTouring(true)} data-testid="start-tour">
        Take the {tourLength}-step tour
      </button>
    </p>
  );
  const setupStep = <SetupStep specDraft={specDraft} disabled={locked} hidden={hidden} imagesPerSec={speed} />;
  const forgetStep = !hidden('forget') && (
    <section className="panel step" aria-labelledby="forget-heading">
      <h2 id="forget-heading" tabIndex={-1}>
        2 · Pick the forget set
      </h2>
      <ForgetSetPicker
        draft={draft}
        errors={checked.errors}
        disabled={locked}
        store={images.store}
        storeVersion={images.version}
        classNames={classNames}
        preview={preview}
        ranForget={experiment.ranForget}
        current={example}
        onInspect={setExample}
        onForget={(forget: ForgetGenerator[]) => edit({ ...draft, forget })}
      />
    </section>
  );
  const runStep = !hidden('run') && (
    <section className="panel step" aria-labelledby="run-heading" data-tour="run">
      <h2 id="run-heading">3 · Run and watch</h2>
      <RunPanel
        plan={plan}
        progress={experiment.progress}
        finished={experiment.finished}
        job={job}
        canRun={!!engine && !!spec && !mismatch && !engineBusy}
        blocker={blocker}
        estimate={estimate}
        message={job.message}
        onRunAgain={experiment.resumable ? run : undefined}
        onRun={run}
        // In a lesson, once results show, the finished phases fold away so the results stay on the first screen.
        foldPhases={embed && !!shown && !locked}
      />
      {engine && !embed && <CachePanel engine={engine} busy={locked || engineBusy} refreshKey={experiment.runsEnded} />}
    </section>
  );
  const resultsStep = !hidden('results') && (
    <ResultsStep
      shown={shown}
      stale={experiment.stale}
      waiting={experiment.partial.length === 0 && job.state !== 'idle'}
      dataset={dataset}
      classNames={classNames}
      fileStem={`unlearning-${shortHash(specText ?? '')}`}
      example={example}
      onExample={setExample}
      loadImage={images.loadImage}
    />
  );

  return (
    <div className="playground">
      {notice && (
        <LinkNoticeBanner
          notice={notice}
          onRestore={
            lastSaved && canonicalJson(lastSaved) !== specText
              ? () => {
                  edit(lastSaved);
                  setNotice(undefined);
                }
              : undefined
          }
          onDismiss={() => setNotice(undefined)}
        />
      )}
      {!embed && tourLaunch}
      {embed ? (
        // A lesson: progress, then the results on the first screen; the controls below them.
        <>
          {runStep}
          {resultsStep}
          {setupStep}
          {forgetStep}
          {tourLaunch}
        </>
      ) : (
        <>
          {setupStep}
          {forgetStep}
          {runStep}
          {resultsStep}
        </>
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
