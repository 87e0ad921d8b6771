import { useEffect, useRef } from 'react';
import type { DatasetSummary } from '../../worker/protocol';
import type { DatasetSource } from './useEngine';

interface Options {
  /** The dataset the experiment being edited names (`spec.dataset.source`). */
  source: DatasetSource;
  dataset?: DatasetSummary;
  /** Whether the engine is free to load another dataset now. */
  canSwitch: boolean;
  /** A full CIFAR-10 is saved in this browser, so switching away from it loses nothing. */
  fullSaved: boolean;
  switchToEmbedded: () => void;
  /** The dataset the user last picked in the Dataset panel (`n` counts the picks). */
  chosen?: { source: DatasetSource; n: number };
  setSource: (source: DatasetSource) => void;
}

/**
 * Keeps the loaded dataset and the experiment's `dataset.source` together, so a saved full CIFAR-10 never
 * blocks a preset, a link or a lesson made for the embedded subset. When the spec comes to need the
 * embedded subset (on opening, from a preset, an imported result or the Dataset field) while a full
 * CIFAR-10 is loaded and saved, the embedded subset is loaded; the full one stays saved, one click away
 * (loading 150 MB is the user's call, so the other direction is offered, not done). When the user picks a
 * dataset in the Dataset panel, the spec follows the pick.
 */
export function useDatasetFollowsSpec({ source, dataset, canSwitch, fullSaved, switchToEmbedded, chosen, setSource }: Options): void {
  const pending = useRef(false);
  useEffect(() => {
    pending.current = source === 'embedded';
  }, [source]);
  useEffect(() => {
    if (!pending.current || !dataset || !canSwitch) return;
    pending.current = false;
    if (dataset.source !== 'embedded' && fullSaved) switchToEmbedded();
  });

  const lastPick = useRef(chosen?.n);
  useEffect(() => {
    if (!chosen || chosen.n === lastPick.current) return;
    lastPick.current = chosen.n;
    setSource(chosen.source);
  }, [chosen, setSource]);
}
