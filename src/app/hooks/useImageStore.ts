import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { DatasetSummary } from '../../worker/protocol';
import type { LoadImage } from '../components/results/ExampleMargins';
import type { Engine } from '../lib/engineClient';
import { ImageStore } from '../lib/imageStore';

/** The training images for the grid and the previews, fetched from the engine as needed; their labels load in the background. */
export function useImageStore(engine: Engine | undefined, dataset: DatasetSummary | undefined) {
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
  /** Changes as images and labels arrive. */
  const version = useSyncExternalStore(store?.subscribe ?? noStore, store?.getVersion ?? (() => 0));

  /** One image of any split, for the results' example views: from the store when it holds it. */
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

  return { store, version, labelsReady: !!store?.labelsComplete, loadImage };
}
