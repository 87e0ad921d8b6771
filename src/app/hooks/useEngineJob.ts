import * as Comlink from 'comlink';
import { useCallback, useReducer, useState } from 'react';
import type { Engine } from '../lib/engineClient';
import { createJobGuard, endMessage, jobFailure, jobReducer, type JobEnd, type JobState, type JobWords } from './jobState';

/** Wraps the callbacks a job hands to the engine, so ones that arrive too late are dropped. */
export interface JobCallbacks {
  /** Called only while this job runs. */
  live<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void;
  /** Also called after this job settled (its last progress may trail its result), until another job starts. */
  trailing<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void;
}

/** What a panel needs to show and steer a job: its state and the Pause / Resume / Cancel actions. */
export interface JobHandle {
  state: JobState;
  pause: () => void;
  resume: () => void;
  cancel: () => void;
}

export interface EngineJob extends JobHandle {
  /** Why the last job ended without a result, in words; cleared when the next one starts. */
  message?: string;
  /** How the last job ended; undefined while none has. */
  ended?: JobEnd<unknown>['kind'];
  start<T>(job: (callbacks: JobCallbacks) => Promise<T>): Promise<JobEnd<T>>;
}

/**
 * One long engine call at a time (training, an experiment) with pause, resume and cancel. The engine's
 * controls are global to the worker, so the page keeps the state and drops callbacks of earlier jobs.
 * `words` should be a constant: `start` changes with it.
 */
export function useEngineJob(engine: Engine | undefined, words: JobWords): EngineJob {
  const [state, dispatch] = useReducer(jobReducer, 'idle');
  const [last, setLast] = useState<{ kind: JobEnd<unknown>['kind']; message?: string }>();
  const [guard] = useState(createJobGuard);

  const start = useCallback(
    async <T>(job: (callbacks: JobCallbacks) => Promise<T>): Promise<JobEnd<T>> => {
      const ticket = guard.begin();
      dispatch('start');
      setLast(undefined);
      const callbacks: JobCallbacks = {
        live: (callback) => Comlink.proxy((...args) => guard.isOpen(ticket) && callback(...args)),
        trailing: (callback) => Comlink.proxy((...args) => guard.isLatest(ticket) && callback(...args)),
      };
      let end: JobEnd<T>;
      try {
        end = { kind: 'done', value: await job(callbacks) };
      } catch (e) {
        end = jobFailure(e);
      }
      guard.settle(ticket);
      setLast({ kind: end.kind, message: endMessage(end, words) });
      dispatch('settle');
      return end;
    },
    [guard, words],
  );

  const pause = useCallback(() => {
    engine?.pause();
    dispatch('pause');
  }, [engine]);
  const resume = useCallback(() => {
    engine?.resume();
    dispatch('resume');
  }, [engine]);
  const cancel = useCallback(() => {
    engine?.cancel();
    dispatch('cancel');
  }, [engine]);

  return { state, message: last?.message, ended: last?.kind, start, pause, resume, cancel };
}
