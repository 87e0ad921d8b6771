import { describe, expect, it } from 'vitest';
import { ImageStore, PIXELS } from './imageStore';

function fakeFetch(total: number) {
  const calls: [number, number][] = [];
  const fetch = async (start: number, count: number) => {
    calls.push([start, count]);
    const n = Math.min(count, total - start);
    const images = new Uint8Array(n * PIXELS);
    for (let i = 0; i < n; i++) images[i * PIXELS] = (start + i) & 255;
    return { images, labels: Uint8Array.from({ length: n }, (_, i) => (start + i) % 10) };
  };
  return { fetch, calls };
}

describe('ImageStore', () => {
  it('fetches the chunks covering a range once and serves pixels from them', async () => {
    const { fetch, calls } = fakeFetch(1050);
    const store = new ImageStore(fetch, 1050, 100);
    expect(store.pixels(5)).toBeUndefined();
    await Promise.all([store.ensure(150, 320), store.ensure(190, 210)]);
    expect(calls).toEqual([
      [100, 100],
      [200, 100],
      [300, 100],
    ]);
    expect(store.pixels(250)![0]).toBe(250);
    expect(store.pixels(250)!.length).toBe(PIXELS);
    expect(store.labels[251]).toBe(1);
    await store.ensure(1000, 1050);
    expect(calls[calls.length - 1]).toEqual([1000, 50]);
  });

  it('keeps a bounded number of chunks but every label', async () => {
    const { fetch } = fakeFetch(1000);
    const store = new ImageStore(fetch, 1000, 100, 3);
    let progress = 0;
    await store.loadAllLabels((f) => (progress = f));
    expect(progress).toBe(1);
    expect(store.labelsComplete).toBe(true);
    expect(store.labels[999]).toBe(9);
    expect(store.pixels(0)).toBeUndefined();
    expect(store.pixels(999)).toBeDefined();
  });

  it('notifies subscribers when images arrive', async () => {
    const { fetch } = fakeFetch(200);
    const store = new ImageStore(fetch, 200, 100);
    let calls = 0;
    store.subscribe(() => calls++);
    const v = store.getVersion();
    await store.ensure(0, 10);
    expect(calls).toBe(1);
    expect(store.getVersion()).toBe(v + 1);
  });
});
