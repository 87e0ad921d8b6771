import { describe, expect, it } from 'vitest';
import { GRID, gridMethods, selectTuned, tuningSpec } from './tuning.mjs';

const group = (forget, retain, validation, cost) => ({
  gkl: { forget: { mean: forget } },
  accuracy: { forget: 0.5, retain, validation },
  cost: { fractionOfRetraining: cost },
});

function result(points) {
  return {
    spec: { methods: Object.keys(points).map((id) => ({ id, method: id.split('@')[0], params: {} })) },
    groups: { oracle: { accuracy: { forget: 0.4, retain: 0.8, validation: 0.5 } }, ...points },
  };
}

describe('tuning grid', () => {
  it('gives every point an id of its own, at the published values, on another forget set', () => {
    const ids = gridMethods().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(gridMethods().every((m) => m.settings === 'published')).toBe(true);
    const spec = tuningSpec({ forget: [{ kind: 'random', k: 50, seed: 0 }], methods: [] }, { forgetSeed: 1 });
    expect(spec.forget[0].seed).toBe(1);
    expect(spec.methods.length).toBeLessThanOrEqual(64);
  });
});

describe('selectTuned', () => {
  const grid = [
    { method: 'fine-tune', lr: [1], epochs: [1] },
    { method: 'dmm', lr: [1], epochs: [1], maxCost: 0.3 },
  ];
  it('keeps the lowest forget score whose accuracies stay within 5 points of the oracle', () => {
    const r = result({
      'fine-tune@a': group(0.5, 0.7, 0.5, 1), // retain 10 points off: not eligible despite the best score
      'fine-tune@b': group(0.9, 0.77, 0.52, 1),
      'fine-tune@c': group(1.2, 0.8, 0.5, 0.2),
      'dmm@a': group(0.3, 0.8, 0.5, 0.32), // over the cost cap
      'dmm@b': group(0.6, 0.8, 0.5, 0.24),
      'dmm@c': group('NaN', 0.8, 0.5, 0.1),
    });
    const { chosen, points } = selectTuned(r, grid);
    expect(chosen['fine-tune'].id).toBe('fine-tune@b');
    expect(chosen.dmm.id).toBe('dmm@b');
    expect(points.find((p) => p.id === 'fine-tune@a').problems[0]).toMatch(/retain accuracy 70.0 %/);
    expect(points.find((p) => p.id === 'dmm@a').problems[0]).toMatch(/costs 0.32 > 0.3/);
    expect(points.find((p) => p.id === 'dmm@c').problems).toEqual(['no score']);
    expect(points.filter((p) => p.chosen).map((p) => p.id)).toEqual(['fine-tune@b', 'dmm@b']);
  });
  it('chooses nothing for a method with no eligible point', () => {
    const r = result({ 'fine-tune@a': group(0.5, 0.5, 0.5, 1) });
    expect(selectTuned(r, grid).chosen['fine-tune']).toBeUndefined();
  });
  it('covers every method of the grid once', () => {
    expect(new Set(GRID.map((r) => r.method)).size).toBe(GRID.length);
  });
});
