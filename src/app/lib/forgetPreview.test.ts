import { describe, expect, it } from 'vitest';
import { generateForgetSet } from '../../engine/experiment/forgetSets';
import { previewForget } from './forgetPreview';

const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 10);

describe('previewForget', () => {
  it('computes random and class sets exactly as the engine will', () => {
    const p = previewForget([{ kind: 'random', k: 12, seed: 4 }], labels, 150);
    expect(p.kind).toBe('known');
    if (p.kind !== 'known') return;
    expect(p.requests[0]).toEqual(Array.from(generateForgetSet({ kind: 'random', k: 12, seed: 4 }, { labels: labels.subarray(0, 150) })));
    const c = previewForget([{ kind: 'class', classIndex: 3, seed: 0 }], labels, 150);
    expect(c.kind === 'known' && c.requests[0]).toEqual(Array.from({ length: 15 }, (_, i) => 3 + 10 * i));
  });

  it('continual requests accumulate', () => {
    const p = previewForget(
      [
        { kind: 'indices', indices: [1, 2] },
        { kind: 'indices', indices: [5] },
      ],
      undefined,
      10,
    );
    expect(p).toEqual({
      kind: 'known',
      requests: [[1, 2], [5]],
      cumulative: [
        [1, 2],
        [1, 2, 5],
      ],
    });
  });

  it('structured generators wait for the run', () => {
    const p = previewForget([{ kind: 'subpopulation', k: 10, component: 0, side: 'both', seed: 0, features: 'penultimate' }], labels, 100);
    expect(p).toEqual({ kind: 'needs-run', from: 0, requests: [] });
  });

  it('waits for labels, and reports impossible requests', () => {
    expect(previewForget([{ kind: 'random', k: 5, seed: 0 }], undefined, 100).kind).toBe('loading');
    const p = previewForget([{ kind: 'class', classIndex: 3, k: 50, seed: 0 }], labels, 100);
    expect(p.kind === 'error' && p.message).toMatch(/asks for 50 images of class 3 \(cat\), but the training subset has only 10/);
  });
});
