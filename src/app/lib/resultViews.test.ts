import { describe, expect, it } from 'vitest';
import { klom } from '../../engine/metrics/klom';
import { makeFixtureResult } from './resultFixture';
import {
  accuracyRows,
  attributionScatter,
  binEdges,
  costPoints,
  exampleHistograms,
  exampleIdentity,
  FLOOR_KEY,
  histogram,
  distanceRows,
  gklFirst,
  scaleOf,
  splitDistributions,
  splitOf,
  verdict,
  gapClosed,
  floorBand,
  headline,
  readForget,
  storySentences,
  worstExamples,
  allWarnings,
} from './resultViews';

const result = makeFixtureResult();

describe('histogram', () => {
  it('puts the top edge in the last bin and clamps outliers into the end bins', () => {
    expect(histogram([0, 0.5, 1, 1, 2, -5, 7], 0, 2, 4)).toEqual([2, 1, 2, 2]);
    expect(histogram([0, 0.5, 1, 1.99, 2], 0, 2, 2)).toEqual([2, 3]);
    expect(histogram([NaN, 1], 0, 2, 2)).toEqual([0, 1]);
  });
  it('clips margins to ±100 like KLoM', () => {
    expect(histogram([1e9, -1e9], -100, 100, 2)).toEqual([1, 1]);
  });
  it('bin edges are equal and contiguous', () => {
    const bins = binEdges(-1, 1, 4);
    expect(bins.map((b) => b.lo)).toEqual([-1, -0.5, 0, 0.5]);
    expect(bins[3].hi).toBe(1);
    expect(bins[0].centre).toBe(-0.75);
  });
});

describe('distanceRows', () => {
  it('lists every group but the oracle, then the noise floor, with the engine numbers', () => {
    const rows = distanceRows(result, 'klom');
    expect(rows.map((r) => r.key)).toEqual(['original', 'do-nothing', 'retrain', 'dmm', 'gradient-ascent', FLOOR_KEY]);
    expect(rows[3].forget).toBe(result.groups.dmm.klom!.forget.p95);
    expect(rows[5].retain).toBe(result.noiseFloor.klom.retain.p95);
    expect(rows[0].counts).toEqual({ forget: 5, retain: 35, validation: 20 });
    expect(distanceRows(result, 'klom', 'mean')[3].forget).toBe(result.groups.dmm.klom!.forget.mean);
    expect(rows[5].label).toBe('Noise floor (oracle vs oracle)');
    expect(rows[5].detail).toBe('two independent oracle groups, 3 models per side');
  });
  it('GKL: the same rows from the GKL fields, its own floor; none for a file without a GKL floor', () => {
    const rows = distanceRows(result, 'gkl', 'mean');
    expect(rows.map((r) => r.key)).toEqual(['original', 'do-nothing', 'retrain', 'dmm', 'gradient-ascent', FLOOR_KEY]);
    expect(rows[3].forget).toBe(result.groups.dmm.gkl!.forget.mean);
    expect(rows[5].validation).toBe(result.noiseFloor.gkl!.validation.mean);
    expect(distanceRows(result, 'gkl', 'p95')[4].retain).toBe(result.groups['gradient-ascent'].gkl!.retain.p95);
    const old = { ...result, noiseFloor: { ...result.noiseFloor, gkl: undefined } };
    expect(distanceRows(old, 'gkl').map((r) => r.key)).not.toContain(FLOOR_KEY);
  });
  it('shows GKL first below N = 32, and only with its floor', () => {
    expect(gklFirst(result, 8)).toBe(true);
    expect(gklFirst(result, 31)).toBe(true);
    expect(gklFirst(result, 32)).toBe(false);
    expect(gklFirst({ ...result, noiseFloor: { ...result.noiseFloor, gkl: undefined } }, 8)).toBe(false);
  });
  const row = (key: string, kind: 'original' | 'method' | 'floor', forget: number, validation = 0) => ({
    key,
    label: key,
    kind,
    forget,
    retain: 0,
    validation,
    counts: { forget: 1, retain: 1, validation: 1 },
    warnings: [],
  });
  it('reads a distance as the share of the gap from doing nothing to the floor, never as indistinguishable', () => {
    const rows = [row('original', 'original', 2.2), row('dmm', 'method', 0.38), row('floor', 'floor', 0.11)];
    expect(gapClosed(0.38, 2.2, 0.11)).toBeCloseTo(0.871, 3);
    expect(verdict(rows[1], rows)).toBe('closes 87 % of the gap from doing nothing to the floor');
    expect(verdict(row('x', 'method', 0.2), rows)).toMatch(/^closes 96 % .*close to retraining$/);
    expect(verdict(row('x', 'method', 1.83), rows)).toBe('closes only 18 % of the gap from doing nothing to the floor');
    expect(verdict(row('x', 'method', 2.23), rows)).toBe('is no closer to retraining than doing nothing');
    expect(verdict(row('x', 'method', 3.0), rows)).toBe('ends further from retraining than doing nothing');
    expect(verdict(rows[0], rows)).toBe('the starting point: doing nothing');
    // KLoM p95 at small N: doing nothing 10.02 against a floor of 8.64 cannot rank, whatever the method scores.
    const saturated = [row('original', 'original', 10.02), row('x', 'method', 8.64), row('floor', 'floor', 8.64)];
    expect(verdict(saturated[1], saturated)).toMatch(/cannot rank at this N/);
    expect(rows.map((r) => verdict(r, rows)).join(' ')).not.toMatch(/indistinguishable|at the noise floor/);
  });
  it('the floor’s band spans its forget and validation values; only inside it is a method at the floor', () => {
    // The floor: 0.40 on F, 0.50 on V; doing nothing 2.0.
    const band = floorBand(row('floor', 'floor', 0.4, 0.5));
    expect(band).toEqual({ value: 0.4, lo: 0.4, hi: 0.5 });
    expect(floorBand(row('floor', 'floor', 0.4, 0.3))).toEqual({ value: 0.4, lo: 0.3, hi: 0.4 });
    expect(floorBand(row('floor', 'floor', 0.4, Number.NaN))).toEqual({ value: 0.4, lo: 0.4, hi: 0.4 });
    expect(readForget(0.45, 2, band).kind).toBe('at-floor');
    expect(readForget(0.5, 2, band).kind).toBe('at-floor');
    expect(readForget(0.3, 2, band).kind).toBe('below-floor');
    // Just above the band is not "at the floor", however close: it closes a share of the gap.
    expect(readForget(0.52, 2, band)).toEqual({ kind: 'closes', gap: (2 - 0.52) / (2 - 0.4) });
    expect(readForget(1.2, 2, band).kind).toBe('closes');
    expect(readForget(2.1, 2, band).kind).toBe('no-closer');
    expect(readForget(3, 2, band).kind).toBe('worse');
    const rows = [row('original', 'original', 2), row('floor', 'floor', 0.4, 0.5)];
    expect(verdict(row('x', 'method', 0.45), rows)).toBe('lands at the noise floor');
    expect(verdict(row('x', 'method', 0.3), rows)).toMatch(/^lands below the noise floor/);
    expect(verdict(row('x', 'method', 0.55), rows)).toBe('closes 91 % of the gap from doing nothing to the floor: close to retraining');
  });
  it('the headline: the statistic that ranks at this N, forget split, best first, with each method’s cost', () => {
    const h = headline(result, 3)!;
    const floor = result.noiseFloor.gkl!;
    expect(h.distance).toBe('gkl');
    expect(h.stat).toBe('mean');
    expect(h.floor).toEqual({
      value: floor.forget.mean,
      lo: Math.min(floor.forget.mean, floor.validation.mean),
      hi: Math.max(floor.forget.mean, floor.validation.mean),
    });
    expect(h.nothing).toBe(result.groups.original.gkl!.forget.mean);
    // Doing nothing is the line, not a row; the rest sorted by their engine number.
    expect(h.rows.map((x) => x.key)).not.toContain('do-nothing');
    const values = h.rows.map((x) => x.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    const dmm = h.rows.find((x) => x.key === 'dmm')!;
    expect(dmm.value).toBe(result.groups.dmm.gkl!.forget.mean);
    expect(dmm.cost).toBe(result.groups.dmm.cost!.fractionOfRetraining);
    expect(dmm.costWithAttribution).toBe(result.groups.dmm.cost!.fractionWithAttribution);
    expect(h.rows.find((x) => x.key === 'gradient-ascent')!.reading!.kind).toBe('worse');
    // From N = 32: KLoM's p95.
    const big = headline(result, 32)!;
    expect([big.distance, big.stat, big.nothing]).toEqual(['klom', 'p95', result.groups.original.klom!.forget.p95]);
  });
  it('tells the story in sentences generated from the headline’s numbers', () => {
    const h = headline(result, 3)!;
    const text = storySentences(result, h);
    const dmm = h.rows.find((r) => r.key === 'dmm')!;
    expect(text).toMatch(new RegExp(`^On the forget split, Datamodel Matching .* \\(GKL mean ${dmm.value.toFixed(3)};`));
    expect(text).toContain(`doing nothing ${h.nothing.toFixed(3)}`);
    expect(text).toContain(`noise floor ${h.floor.lo.toFixed(3)}–${h.floor.hi.toFixed(3)}`);
    expect(text).toContain('at 12 % of retraining’s cost (50 % counting its attribution)');
    expect(text).toMatch(/\. Gradient ascent ends further from retraining than doing nothing\.$/);
    expect(text).not.toMatch(/Retrain|DM-Direct|Do nothing/);
    const flat = { ...h, canRank: false, nothing: h.floor.value * 1.2 };
    expect(storySentences(result, flat)).toMatch(/^At this N the GKL mean cannot tell the methods apart/);
  });
  it('words each hand-made reading honestly: at the floor, in between, worse than doing nothing, cost missing', () => {
    const band = { value: 0.4, lo: 0.4, hi: 0.5 };
    const method = (key: string, label: string, value: number, cost?: number) => ({
      key,
      label,
      value,
      cost,
      reading: readForget(value, 2, band),
    });
    const h = {
      distance: 'gkl' as const,
      stat: 'mean' as const,
      statName: 'GKL mean',
      floor: band,
      nothing: 2,
      canRank: true,
      rows: [method('a', 'At floor', 0.45, 0.2), method('b', 'Between', 1.2), method('c', 'Worse', 3, 0.01)],
    };
    const groups = { a: { method: 'dmm' }, b: { method: 'scrub' }, c: { method: 'gradient-ascent' } };
    const text = storySentences({ ...result, groups: groups as unknown as typeof result.groups }, h);
    expect(text).toBe(
      'On the forget split, At floor lands at the noise floor (GKL mean 0.450; noise floor 0.400–0.500; doing nothing 2.000), at 20 % of retraining’s cost. ' +
        'Between closes 50 % of the gap; Worse ends further from retraining than doing nothing.',
    );
    // Many methods: grouped by reading, at most three named per group, so it stays two sentences.
    const many = ['p', 'q', 'r', 's', 't'].map((k, i) => method(k, k.toUpperCase(), 1 + i * 0.1));
    const manyGroups = Object.fromEntries([...many, h.rows[2]].map((m) => [m.key, { method: 'scrub' }]));
    const manyText = storySentences(
      { ...result, groups: manyGroups as unknown as typeof result.groups },
      { ...h, rows: [...many, method('u', 'U', 2.05), method('v', 'V', 2.1), h.rows[2]] },
    );
    expect(manyText).toMatch(/^On the forget split, P closes 63 % of the gap from doing nothing to the floor \(GKL mean 1\.000;/);
    expect(manyText).toMatch(
      /\. Q closes 56 % of the gap, R 50 %, S 44 % and 1 more; U and V are no closer to retraining than doing nothing; Worse ends further from retraining than doing nothing\.$/,
    );
    // Cost missing: no cost clause rather than a made-up one.
    const noCost = storySentences({ ...result, groups: groups as unknown as typeof result.groups }, { ...h, rows: [h.rows[1]] });
    expect(noCost).toBe(
      'On the forget split, Between closes 50 % of the gap from doing nothing to the floor (GKL mean 1.200; noise floor 0.400–0.500; doing nothing 2.000).',
    );
  });
});

describe('accuracy, cost and warnings', () => {
  it('accuracy rows include the oracle', () => {
    const rows = accuracyRows(result);
    expect(rows[1]).toEqual({ key: 'oracle', label: result.groups.oracle.label, ...result.groups.oracle.accuracy });
  });
  it('cost points pair the cost fraction with the forget KLoM', () => {
    const points = costPoints(result);
    const dmm = points.find((p) => p.key === 'dmm')!;
    expect(dmm.cost).toBe(0.12);
    expect(dmm.costWithAttribution).toBe(0.5);
    expect(dmm.klomForget).toBe(result.groups.dmm.klom!.forget.p95);
    expect(points.some((p) => p.key === 'original')).toBe(false);
  });
  it('collects warnings with their group', () => {
    expect(allWarnings(result)).toEqual([
      { key: 'gradient-ascent', label: 'Gradient ascent', warning: expect.stringMatching(/retain accuracy/) },
    ]);
  });
});

describe('examples', () => {
  it('knows each example’s split and image', () => {
    expect(splitOf(result, 4)).toBe('forget');
    expect(splitOf(result, 5)).toBe('retain');
    expect(splitOf(result, 45)).toBe('validation');
    expect(splitOf(result, 999)).toBeUndefined();
    expect(exampleIdentity(result.spec, 3)).toEqual({ set: 'train', index: 3 });
    expect(exampleIdentity(result.spec, 45)).toEqual({ set: 'validation', index: 5 });
  });

  it('histograms one example’s margins per group on shared bins, with its KLoM', () => {
    const h = exampleHistograms(result, 9);
    expect(h.split).toBe('forget');
    expect(h.bins).toHaveLength(20);
    for (const g of h.groups) expect(g.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(h.margins.dmm).toEqual(result.groups.dmm.margins.map((row) => row[9]));
    // The shared bins span the pooled margins, as KLoM's do.
    const pooled = Object.values(h.margins).flat();
    expect(h.bins[0].lo).toBeCloseTo(Math.min(...pooled));
    expect(h.bins[19].hi).toBeCloseTo(Math.max(...pooled));
    expect(h.klom.dmm).toBeCloseTo(klom(h.margins.dmm, h.margins.oracle));
    expect(h.klom.oracle).toBeUndefined();
  });

  it('ranks the worst examples of a split by KLoM', () => {
    const worst = worstExamples(result, 'do-nothing', 'forget', 3);
    expect(worst).toHaveLength(3);
    const per = result.groups['do-nothing'].klomPerExample!;
    expect(worst[0].klom).toBe(Math.max(...result.splits.forget.map((j) => per[j])));
    expect(worst[0].klom).toBeGreaterThanOrEqual(worst[1].klom);
  });
});

describe('splitDistributions', () => {
  it('gives each group fractions that sum to 1 over shared bins', () => {
    const d = splitDistributions(result, 'retain', 25);
    expect(d.examples).toBe(35);
    expect(d.bins).toHaveLength(25);
    for (const g of d.groups) {
      expect(g.count).toBe(3 * 35);
      expect(g.fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    }
  });
});

describe('attributionScatter', () => {
  it('keeps every forget point and samples the rest within the budget', () => {
    const points = attributionScatter(result, 20);
    expect(points.filter((p) => p.split === 'forget')).toHaveLength(5);
    expect(points.length).toBeLessThanOrEqual(5 + 20);
    const p = points[0];
    const a = result.attribution!;
    expect(p.trueShift).toBe(a.oracleMeanMargins[p.example] - a.originalMeanMargins[p.example]);
    expect(p.predictedShift).toBe(a.predictedMargins[p.example] - a.originalMeanMargins[p.example]);
    // The fixture's forget points move (the oracles forget them), so the shifts are not all zero.
    expect(points.filter((q) => q.split === 'forget').every((q) => q.trueShift < 0)).toBe(true);
    expect(attributionScatter({ ...result, attribution: undefined })).toEqual([]);
  });
});

describe('helpers', () => {
  it('scaleOf words the scale like the engine', () => {
    expect(scaleOf(result.spec)).toBe(result.scale);
  });
});
