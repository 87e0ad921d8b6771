import * as Comlink from 'comlink';
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import {
  errorMessage,
  isCancelled,
  type BackendChoice,
  type DataProgress,
  type DatasetSummary,
  type MemoryReport,
  type TrainOutcome,
  type TrainProgress,
} from '../worker/protocol';
import { BackendBadge } from './components/BackendBadge';
import { DatasetPanel } from './components/DatasetPanel';
import { ImageGrid, type GridImage } from './components/ImageGrid';
import { TrainPanel, type RunState } from './components/TrainPanel';
import { Playground } from './components/playground/Playground';
import { forcedBackend, rememberChoice, rememberedChoice, startEngine, type Engine } from './lib/engineClient';
import { loadLastSpec } from './lib/savedState';
import { startingPoint } from './lib/startingPoint';
import { checkForm, DEFAULT_FORM, toRequest, type TrainForm } from './lib/trainConfig';

type Tab = 'playground' | 'train';

const GRID_IMAGES = 120;

export function App() {
  const [engine, setEngine] = useState<Engine>();
  const [choice, setChoice] = useState<BackendChoice>();
  const [engineError, setEngineError] = useState<string>();
  const [dataset, setDataset] = useState<DatasetSummary>();
  const [dataProgress, setDataProgress] = useState<DataProgress>();
  const [dataError, setDataError] = useState<string>();
  const [dataBusy, setDataBusy] = useState(false);
  const [grid, setGrid] = useState<GridImage[]>([]);
  const [form, setForm] = useState<TrainForm>(DEFAULT_FORM);
  const [runState, setRunState] = useState<RunState>('idle');
  const [events, setEvents] = useState<TrainProgress[]>([]);
  const [outcome, setOutcome] = useState<TrainOutcome>();
  const [runMessage, setRunMessage] = useState<string>();
  const [memory, setMemory] = useState<MemoryReport>();
  const [start] = useState(() => startingPoint(location.hash, loadLastSpec()));
  const [tab, setTab] = useState<Tab>('playground');
  const [experimentRunning, setExperimentRunning] = useState(false);
  const hide = start.options.hide;
  const embed = start.options.embed;

  const withDataProgress = (job: (onProgress: (p: DataProgress) => void) => Promise<DatasetSummary | undefined>) => {
    setDataBusy(true);
    setDataError(undefined);
    let done = false; // progress callbacks can arrive after the job settled: ignore those
    return job(Comlink.proxy((p: DataProgress) => !done && setDataProgress(p)))
      .then((summary) => {
        if (summary) setDataset(summary);
        return summary;
      })
      .finally(() => {
        done = true;
        setDataBusy(false);
        setDataProgress(undefined);
      });
  };

  // A new link pasted into the address bar changes only the hash (no reload): start again from it.
  useEffect(() => {
    const reload = () => location.reload();
    window.addEventListener('hashchange', reload);
    return () => window.removeEventListener('hashchange', reload);
  }, []);

  // Start the worker, pick the backend, then load data: a dataset saved from the user's files, or the embedded one.
  useEffect(() => {
    const { engine: e, terminate } = startEngine();
    let live = true;
    const { force, error } = forcedBackend(location.search);
    if (error) setEngineError(error);
    (async () => {
      const picked = await e.init({ force, remembered: rememberedChoice() });
      if (!live) return;
      rememberChoice(picked);
      setChoice(picked);
      setEngine(() => e);
      const base = new URL(import.meta.env.BASE_URL, location.href).href;
      let saved: DatasetSummary | undefined;
      try {
        saved = await withDataProgress(() => e.loadSavedDataset());
      } catch (err) {
        setDataError(`The dataset saved in this browser could not be read (${errorMessage(err)}); using the embedded subset.`);
      }
      if (!saved && live) await withDataProgress((onProgress) => e.loadEmbeddedDataset(base, onProgress));
    })().catch((err) => live && setEngineError(errorMessage(err)));
    return () => {
      live = false;
      terminate();
    };
  }, []);

  // The image grid shows the first training images of whatever dataset is loaded.
  useEffect(() => {
    if (!engine || !dataset) return;
    let live = true;
    engine.getImages('train', 0, GRID_IMAGES).then(({ images, labels }) => {
      if (!live) return;
      setGrid(
        Array.from(labels, (label, i) => ({ index: i, label, pixels: images.subarray(i * 3072, (i + 1) * 3072) })),
      );
    });
    return () => {
      live = false;
    };
  }, [engine, dataset]);

  const formError = useMemo(() => checkForm(form, dataset?.counts.train ?? 0), [form, dataset]);

  const train = useCallback(async () => {
    if (!engine || formError || experimentRunning) return;
    setEvents([]);
    setOutcome(undefined);
    setRunMessage(undefined);
    setRunState('running');
    try {
      const result = await engine.train(
        toRequest(form),
        Comlink.proxy((p: TrainProgress) => setEvents((prev) => [...prev, p])),
      );
      setOutcome(result);
    } catch (err) {
      setRunMessage(isCancelled(err) ? 'Training cancelled. The model was discarded.' : `Training failed: ${errorMessage(err)}`);
    } finally {
      setRunState('idle');
      setMemory(await engine.memory());
    }
  }, [engine, form, formError, experimentRunning]);

  useEffect(() => {
    if (engine && dataset) engine.memory().then(setMemory);
  }, [engine, dataset]);

  const loadFiles = (files: File[]) => {
    if (!engine) return;
    // Ask the browser not to evict the ~150 MB we are about to keep (only the page can ask, not the worker).
    navigator.storage?.persist?.().catch(() => undefined);
    withDataProgress((onProgress) => engine.loadDatasetFiles(files, onProgress)).catch((err) =>
      setDataError(`${errorMessage(err).replace(/\.*$/, '')}. The dataset in use was kept.`),
    );
  };

  const tabs: { id: Tab; label: string }[] = [
    { id: 'playground', label: 'Unlearning playground' },
    ...(hide.includes('train') ? [] : [{ id: 'train' as const, label: 'Train one model' }]),
  ];
  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabs.findIndex((t) => t.id === tab);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <div className={`app${embed ? ' embed' : ''}`}>
      <header className="app-header">
        <h1>Unlearning Playground</h1>
        {!embed && <p className="tagline">Train CIFAR-10 classifiers in your browser, then make them forget — and check against retraining.</p>}
        <BackendBadge choice={choice} error={engineError} />
      </header>
      {!hide.includes('dataset') && (
        <DatasetPanel
          dataset={dataset}
          progress={dataProgress}
          error={dataError}
          busy={dataBusy || runState !== 'idle' || experimentRunning || !engine}
          onFiles={loadFiles}
          onUseEmbedded={() =>
            engine &&
            withDataProgress((onProgress) =>
              engine.loadEmbeddedDataset(new URL(import.meta.env.BASE_URL, location.href).href, onProgress),
            ).catch((err) => setDataError(errorMessage(err)))
          }
          onForgetSaved={() => engine?.forgetSavedDataset().catch((err) => setDataError(errorMessage(err)))}
        />
      )}
      {tabs.length > 1 && (
        <div className="tabs" role="tablist" aria-label="Pages" onKeyDown={onTabKey}>
          {tabs.map((t) => (
            <button
              key={t.id}
              id={`tab-${t.id}`}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={`tab${tab === t.id ? ' active' : ''}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      )}
      <main>
        <div id="panel-playground" role="tabpanel" aria-labelledby="tab-playground" hidden={tab !== 'playground'}>
          <Playground
            engine={engine}
            dataset={dataset}
            choice={choice}
            engineBusy={dataBusy || runState !== 'idle'}
            initialSpec={start.spec}
            linkOptions={start.options}
            linkNotice={start.notice}
            onRunState={setExperimentRunning}
          />
        </div>
        {!hide.includes('train') && (
          <div id="panel-train" role="tabpanel" aria-labelledby="tab-train" hidden={tab !== 'train'} className="layout">
            <TrainPanel
              form={form}
              onForm={setForm}
              formError={dataset ? formError : undefined}
              state={runState}
              canTrain={!!engine && !!dataset && !dataBusy && !experimentRunning}
              events={events}
              outcome={outcome}
              message={runMessage}
              onTrain={train}
              onPause={() => {
                engine?.pause();
                setRunState('paused');
              }}
              onResume={() => {
                engine?.resume();
                setRunState('running');
              }}
              onCancel={() => engine?.cancel()}
            />
            <section className="panel" aria-labelledby="grid-heading">
              <h2 id="grid-heading">The data</h2>
              <p className="hint">The first {grid.length} images of the training split, with their labels.</p>
              {dataset && <ImageGrid images={grid} classNames={dataset.classNames} />}
            </section>
          </div>
        )}
      </main>
      <footer className="app-footer">
        {memory && (
          <span data-testid="engine-memory">
            Engine memory: <span data-testid="tensor-count">{memory.numTensors}</span> tensors (
            {(memory.numBytes / 1e6).toFixed(1)} MB), dataset {(memory.datasetBytes / 1e6).toFixed(1)} MB of uint8 pixels.
          </span>
        )}
      </footer>
    </div>
  );
}
