import * as Comlink from 'comlink';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, type BackendChoice, type DataProgress, type DatasetSummary, type MemoryReport } from '../../worker/protocol';
import { forcedBackend, forcedWorkers, rememberChoice, rememberedChoice, startEngine, type Engine } from '../lib/engineClient';
import { createJobGuard } from './jobState';

export interface EngineState {
  /** Set once the worker has picked a backend. */
  engine?: Engine;
  choice?: BackendChoice;
  dataset?: DatasetSummary;
  /** A dataset is loading; `dataProgress` says how far. */
  dataBusy: boolean;
  dataProgress?: DataProgress;
  errors: { engine?: string; data?: string };
  memory?: MemoryReport;
  refreshMemory: () => void;
  loadFiles: (files: File[]) => void;
  loadEmbedded: () => void;
  forgetSaved: () => void;
}

const embeddedBase = () => new URL(import.meta.env.BASE_URL, location.href).href;

/**
 * Starts the engine worker, picks the backend, then loads data: a dataset saved from the user's files,
 * or the embedded one. Owns which dataset is loaded and the engine's memory report.
 */
export function useEngine(): EngineState {
  const [engine, setEngine] = useState<Engine>();
  const [choice, setChoice] = useState<BackendChoice>();
  const [engineError, setEngineError] = useState<string>();
  const [dataset, setDataset] = useState<DatasetSummary>();
  const [dataProgress, setDataProgress] = useState<DataProgress>();
  const [dataError, setDataError] = useState<string>();
  const [dataBusy, setDataBusy] = useState(false);
  const [memory, setMemory] = useState<MemoryReport>();
  const [guard] = useState(createJobGuard);

  const withDataProgress = useCallback(
    (job: (onProgress: (p: DataProgress) => void) => Promise<DatasetSummary | undefined>) => {
      setDataBusy(true);
      setDataError(undefined);
      const ticket = guard.begin();
      return job(Comlink.proxy((p: DataProgress) => guard.isOpen(ticket) && setDataProgress(p)))
        .then((summary) => {
          if (summary) setDataset(summary);
          return summary;
        })
        .finally(() => {
          guard.settle(ticket);
          setDataBusy(false);
          setDataProgress(undefined);
        });
    },
    [guard],
  );

  useEffect(() => {
    const { engine: e, terminate } = startEngine();
    let live = true;
    const { force, error } = forcedBackend(location.search);
    const { workers, error: workersError } = forcedWorkers(location.search);
    if (error ?? workersError) setEngineError([error, workersError].filter(Boolean).join('; '));
    (async () => {
      const picked = await e.init({ force, workers, remembered: rememberedChoice() });
      if (!live) return;
      rememberChoice(picked);
      setChoice(picked);
      setEngine(() => e);
      let saved: DatasetSummary | undefined;
      try {
        saved = await withDataProgress(() => e.loadSavedDataset());
      } catch (err) {
        setDataError(`The dataset saved in this browser could not be read (${errorMessage(err)}); using the embedded subset.`);
      }
      if (!saved && live) await withDataProgress((onProgress) => e.loadEmbeddedDataset(embeddedBase(), onProgress));
    })().catch((err) => live && setEngineError(errorMessage(err)));
    return () => {
      live = false;
      terminate();
    };
  }, [withDataProgress]);

  const refreshMemory = useCallback(() => {
    engine?.memory().then(setMemory);
  }, [engine]);
  useEffect(() => {
    if (dataset) refreshMemory();
  }, [dataset, refreshMemory]);

  const loadFiles = (files: File[]) => {
    if (!engine) return;
    // Ask the browser not to evict the ~150 MB we are about to keep (only the page can ask, not the worker).
    navigator.storage?.persist?.().catch(() => undefined);
    withDataProgress((onProgress) => engine.loadDatasetFiles(files, onProgress)).catch((err) =>
      setDataError(`${errorMessage(err).replace(/\.*$/, '')}. The dataset in use was kept.`),
    );
  };
  const loadEmbedded = () => {
    if (!engine) return;
    withDataProgress((onProgress) => engine.loadEmbeddedDataset(embeddedBase(), onProgress)).catch((err) =>
      setDataError(errorMessage(err)),
    );
  };
  const forgetSaved = () => {
    engine?.forgetSavedDataset().catch((err) => setDataError(errorMessage(err)));
  };

  return {
    engine,
    choice,
    dataset,
    dataBusy,
    dataProgress,
    errors: { engine: engineError, data: dataError },
    memory,
    refreshMemory,
    loadFiles,
    loadEmbedded,
    forgetSaved,
  };
}
