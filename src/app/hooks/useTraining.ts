import { useCallback, useMemo, useState } from 'react';
import type { DatasetSummary, TrainOutcome, TrainProgress } from '../../worker/protocol';
import type { Engine } from '../lib/engineClient';
import { checkForm, DEFAULT_FORM, toRequest, type TrainForm } from '../lib/trainConfig';
import type { JobWords } from './jobState';
import { useEngineJob } from './useEngineJob';

const TRAIN_WORDS: JobWords = {
  cancelled: 'Training cancelled. The model was discarded.',
  failed: (message) => `Training failed: ${message}`,
};

/**
 * The "Train one model" tab: its form, the training job and what it reported. `blocked`: another job
 * (an experiment) holds the engine. `onEnded` runs after every training job, finished or not.
 */
export function useTraining(engine: Engine | undefined, dataset: DatasetSummary | undefined, blocked: boolean, onEnded: () => void) {
  const job = useEngineJob(engine, TRAIN_WORDS);
  const [form, setForm] = useState<TrainForm>(DEFAULT_FORM);
  const [events, setEvents] = useState<TrainProgress[]>([]);
  const [outcome, setOutcome] = useState<TrainOutcome>();
  const formError = useMemo(() => checkForm(form, dataset?.counts.train ?? 0), [form, dataset]);

  const { start } = job;
  const train = useCallback(async () => {
    if (!engine || formError || blocked) return;
    setEvents([]);
    setOutcome(undefined);
    const end = await start(({ trailing }) =>
      engine.train(
        toRequest(form),
        trailing((p: TrainProgress) => setEvents((prev) => [...prev, p])),
      ),
    );
    if (end.kind === 'done') setOutcome(end.value);
    onEnded();
  }, [engine, form, formError, blocked, start, onEnded]);

  return { job, form, setForm, formError, events, outcome, train };
}
