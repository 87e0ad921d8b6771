import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import { BackendBadge } from './components/BackendBadge';
import { DatasetPanel } from './components/DatasetPanel';
import { SkipLinks } from './components/SkipLinks';
import { ImageGrid, type GridImage } from './components/ImageGrid';
import { TrainPanel } from './components/TrainPanel';
import { Playground } from './components/playground/Playground';
import { useEngine, type DatasetSource } from './hooks/useEngine';
import type { DatasetSummary } from '../worker/protocol';
import { useTraining } from './hooks/useTraining';
import { loadLastSpec, ownHash } from './lib/savedState';
import { startingPoint } from './lib/startingPoint';

type Tab = 'playground' | 'train';

const GRID_IMAGES = 120;

export function App() {
  const [start] = useState(() => startingPoint(location.hash, loadLastSpec(), ownHash()));
  const { engine, choice, dataset, saved, dataBusy, dataProgress, errors, memory, refreshMemory, ...data } = useEngine(
    start.spec.dataset.source,
  );
  const [experimentRunning, setExperimentRunning] = useState(false);
  const training = useTraining(engine, dataset, experimentRunning, refreshMemory);
  const [grid, setGrid] = useState<GridImage[]>([]);
  // The dataset the user picked in the Dataset panel (the experiment follows it), and a line saying why the page switched.
  const [chosen, setChosen] = useState<{ source: DatasetSource; n: number }>();
  const [datasetNote, setDatasetNote] = useState<string>();
  const [tab, setTab] = useState<Tab>('playground');
  const hide = start.options.hide;
  const embed = start.options.embed;

  // A new link pasted into the address bar changes only the hash (no reload): start again from it.
  useEffect(() => {
    const reload = () => location.reload();
    window.addEventListener('hashchange', reload);
    return () => window.removeEventListener('hashchange', reload);
  }, []);

  // The image grid shows the first training images of whatever dataset is loaded.
  useEffect(() => {
    if (!engine || !dataset) return;
    let live = true;
    engine.getImages('train', 0, GRID_IMAGES).then(({ images, labels }) => {
      if (!live) return;
      setGrid(Array.from(labels, (label, i) => ({ index: i, label, pixels: images.subarray(i * 3072, (i + 1) * 3072) })));
    });
    return () => {
      live = false;
    };
  }, [engine, dataset]);

  const pick = (source: DatasetSource) => (loaded: DatasetSummary | undefined) => {
    if (!loaded) return;
    setDatasetNote(undefined);
    setChosen((c) => ({ source, n: (c?.n ?? 0) + 1 }));
  };
  const { loadEmbedded } = data;
  const switchToEmbedded = useCallback(() => {
    void loadEmbedded().then(
      (loaded) =>
        loaded &&
        setDatasetNote(
          'This experiment uses the embedded subset, so the page switched to it; your full CIFAR-10 stays saved in this browser.',
        ),
    );
  }, [loadEmbedded]);

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

  const datasetPanel = !hide.includes('dataset') && (
    <DatasetPanel
      dataset={dataset}
      saved={saved}
      note={datasetNote}
      progress={dataProgress}
      error={errors.data}
      busy={dataBusy || training.job.state !== 'idle' || experimentRunning || !engine}
      onFiles={(files) => void data.loadFiles(files).then(pick('full'))}
      onUseEmbedded={() => void loadEmbedded().then(pick('embedded'))}
      onUseSaved={() => void data.loadSaved().then(pick('full'))}
      onForgetSaved={data.forgetSaved}
    />
  );

  return (
    <div className={`app${embed ? ' embed' : ''}`}>
      <SkipLinks shown={(section) => !hide.includes(section)} before={() => setTab('playground')} />
      <header className="app-header">
        <h1>Unlearning Playground</h1>
        {!embed && (
          <p className="tagline">Train CIFAR-10 classifiers in your browser, then make them forget — and check against retraining.</p>
        )}
        <BackendBadge choice={choice} error={errors.engine} compact={embed} />
      </header>
      <main>
        {!embed && datasetPanel}
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
        <div id="panel-playground" role="tabpanel" aria-labelledby="tab-playground" hidden={tab !== 'playground'}>
          <Playground
            engine={engine}
            dataset={dataset}
            fullSaved={!!saved}
            datasetChosen={chosen}
            onSwitchToEmbedded={switchToEmbedded}
            choice={choice}
            engineBusy={dataBusy || training.job.state !== 'idle'}
            initialSpec={start.spec}
            linkOptions={start.options}
            linkNotice={start.notice}
            onRunState={setExperimentRunning}
          />
        </div>
        {!hide.includes('train') && (
          <div id="panel-train" role="tabpanel" aria-labelledby="tab-train" hidden={tab !== 'train'} className="layout">
            <TrainPanel
              form={training.form}
              onForm={training.setForm}
              formError={dataset ? training.formError : undefined}
              job={training.job}
              canTrain={!!engine && !!dataset && !dataBusy && !experimentRunning}
              events={training.events}
              outcome={training.outcome}
              message={training.job.message}
              onTrain={training.train}
            />
            <section className="panel" aria-labelledby="grid-heading">
              <h2 id="grid-heading">The data</h2>
              <p className="hint">The first {grid.length} images of the training split, with their labels.</p>
              {dataset && <ImageGrid images={grid} classNames={dataset.classNames} />}
            </section>
          </div>
        )}
        {/* A lesson shows its experiment first; the dataset choice stays below it. */}
        {embed && datasetPanel}
      </main>
      <footer className="app-footer">
        {memory && (
          <span data-testid="engine-memory">
            Engine memory: <span data-testid="tensor-count">{memory.numTensors}</span> tensors ({(memory.numBytes / 1e6).toFixed(1)} MB),
            dataset {(memory.datasetBytes / 1e6).toFixed(1)} MB of uint8 pixels.
          </span>
        )}
      </footer>
    </div>
  );
}
