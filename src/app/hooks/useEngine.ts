import * as Comlink from 'comlink';
import { useCallback, useEffect, useState } from 'react';
import {
  errorMessage,
  type BackendChoice,
  type DataProgress,
  type DatasetSummary,
  type MemoryReport,
  type SavedDatasetInfo,
} from '../../worker/protocol';
import { forcedBackend, forcedWorkers, rememberChoice, rememberedChoice, startEngine, type Engine } from '../lib/engineClient';
import { createJobGuard } from './jobState';

export interface EngineState {
  /** Set once the worker has picked a backend. */
  engine?: Engine;
  choice?: BackendChoice;
  dataset?: DatasetSummary;
  /** The full CIFAR-10 kept in this browser (IndexedDB), loaded or not. */
  saved?: SavedDatasetInfo;
  /** A dataset is loading; `dataProgress` says how far. */
  dataBusy: boolean;
  dataProgress?: DataProgress;
  errors: { engine?: string; data?: string };
  memory?: MemoryReport;
  refreshMemory: () => void;
  /** Each load resolves with the dataset now in use, or undefined when it failed (`errors.data` says why). */
  loadFiles: (files: File[]) => Promise<DatasetSummary | undefined>;
  loadEmbedded: () => Promise<DatasetSummary | undefined>;
  loadSaved: () => Promise<DatasetSummary | undefined>;
  forgetSaved: () => void;
}

export type DatasetSource = 'embedded' | 'full';

const embeddedBase = () => new URL(import.meta.env.BASE_URL, location.href).href;

/**
 * Starts the engine worker, picks the backend, then loads the data the first experiment needs: the full
 * CIFAR-10 saved from the user's files when `initialSource` is 'full' (the embedded subset when none is
 * saved), else the embedded subset, without reading the saved one. Owns which dataset is loaded, what is
 * saved, and the engine's memory report.
 */
export function useEngine(initialSource: DatasetSource): EngineState {
  const [engine, setEngine] = useState<Engine>();
  const [choice, setChoice] = useState<BackendChoice>();
  const [engineError, setEngineError] = useState<string>();
  const [dataset, setDataset] = useState<DatasetSummary>();
  const [saved, setSaved] = useState<SavedDatasetInfo>();
  const [dataProgress, setDataProgress] = useState<DataProgress>();
  const [dataError, setDataError] = useState<string>();
  const [dataBusy, setDataBusy] = useState(false);
  const [memory, setMemory] = useState<MemoryReport>();
  const [guard] = useState(createJobGuard);
  // The first experiment's dataset only: later experiments switch through the actions below.
  const [firstSource] = useState(initialSource);

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
      let loaded: DatasetSummary | undefined;
      if (firstSource === 'full') {
        try {
          loaded = await withDataProgress(() => e.loadSavedDataset());
        } catch (err) {
          setDataError(`The dataset saved in this browser could not be read (${errorMessage(err)}); using the embedded subset.`);
        }
      }
      if (!loaded && live) await withDataProgress((onProgress) => e.loadEmbeddedDataset(embeddedBase(), onProgress));
      if (live) setSaved(await e.savedDataset());
    })().catch((err) => live && setEngineError(errorMessage(err)));
    return () => {
      live = false;
      terminate();
    };
  }, [withDataProgress, firstSource]);

  const refreshMemory = useCallback(() => {
    engine?.memory().then(setMemory);
  }, [engine]);
  useEffect(() => {
    if (dataset) refreshMemory();
  }, [dataset, refreshMemory]);

  const loadFiles = useCallback(
    (files: File[]) => {
      if (!engine) return Promise.resolve(undefined);
      // Ask the browser not to evict the ~150 MB we are about to keep (only the page can ask, not the worker).
      navigator.storage?.persist?.().catch(() => undefined);
      return withDataProgress((onProgress) => engine.loadDatasetFiles(files, onProgress))
        .then(async (summary) => {
          setSaved(await engine.savedDataset());
          return summary;
        })
        .catch((err) => {
          setDataError(`${errorMessage(err).replace(/\.*$/, '')}. The dataset in use was kept.`);
          return undefined;
        });
    },
    [engine, withDataProgress],
  );
  const loadEmbedded = useCallback(() => {
    if (!engine) return Promise.resolve(undefined);
    return withDataProgress((onProgress) => engine.loadEmbeddedDataset(embeddedBase(), onProgress)).catch((err) => {
      setDataError(errorMessage(err));
      return undefined;
    });
  }, [engine, withDataProgress]);
  const loadSaved = useCallback(() => {
    if (!engine) return Promise.resolve(undefined);
    return withDataProgress(() => engine.loadSavedDataset()).catch((err) => {
      setDataError(`The dataset saved in this browser could not be read (${errorMessage(err)}).`);
      return undefined;
    });
  }, [engine, withDataProgress]);
  const forgetSaved = () => {
    engine
      ?.forgetSavedDataset()
      .then(() => setSaved(undefined))
      .catch((err) => setDataError(errorMessage(err)));
  };

  return {
    engine,
    choice,
    dataset,
    saved,
    dataBusy,
    dataProgress,
    errors: { engine: engineError, data: dataError },
    memory,
    refreshMemory,
    loadFiles,
    loadEmbedded,
    loadSaved,
    forgetSaved,
  };
}
