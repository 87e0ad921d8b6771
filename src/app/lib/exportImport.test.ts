import { describe, expect, it } from 'vitest';
import { SPLIT_KEYS } from '../../engine/experiment/result';
import { shiftSkill } from '../../engine/metrics/attributionSkill';
import { gklPerExample, gklPrior } from '../../engine/metrics/gkl';
import { klomBySplit, klomPerExample } from '../../engine/metrics/klom';
import { noiseFloor } from '../../engine/metrics/noiseFloor';
import { csvCell, CSV_COLUMNS, exportName, metricsCsv, resultJson } from './exportResults';
import { parseResultFile, ResultFileError } from './importResults';
import { makeFixtureResult } from './resultFixture';

const result = makeFixtureResult();

/** A minimal RFC 4180 reader for the tests. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV export', () => {
  it('has one row per group and split, the noise floor and the attribution skill, with the engine numbers', () => {
    const rows = readCsv(metricsCsv(result));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const body = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])));
    expect(body).toHaveLength(6 * 3 + 3 + 3);
    const dmmForget = body.find((r) => r.group === 'dmm' && r.split === 'forget')!;
    expect(Number(dmmForget.klom_p95)).toBe(result.groups.dmm.klom!.forget.p95);
    expect(Number(dmmForget.accuracy)).toBe(result.groups.dmm.accuracy.forget);
    expect(Number(dmmForget.cost_fraction_of_retraining)).toBe(0.12);
    expect(dmmForget.examples).toBe('5');
    expect(dmmForget.n).toBe('3');
    expect(dmmForget.scale).toBe(result.scale);
    const oracleForget = body.find((r) => r.group === 'oracle' && r.split === 'forget')!;
    expect(oracleForget.klom_p95).toBe('');
    const floor = body.find((r) => r.group === 'noise-floor' && r.split === 'validation')!;
    expect(Number(floor.klom_p95)).toBe(result.noiseFloor.klom.validation.p95);
    expect(Number(floor.gkl_mean)).toBe(result.noiseFloor.gkl!.validation.mean);
    expect(Number(dmmForget.gkl_p95)).toBe(result.groups.dmm.gkl!.forget.p95);
    const attribution = body.find((r) => r.group === 'attribution' && r.split === 'retain')!;
    expect(Number(attribution.attribution_skill)).toBe(result.attribution!.skill.retain.skill);
    expect(Number(attribution.attribution_shift_r)).toBe(result.attribution!.skill.retain.shiftR);
    expect(Number(attribution.attribution_shift_slope)).toBe(result.attribution!.skill.retain.shiftSlope);
    expect(Number(attribution.attribution_skill_ceiling)).toBe(result.attribution!.skill.retain.ceiling);
    expect(body.find((r) => r.group === 'gradient-ascent')!.warnings).toMatch(/damages the model/);
  });

  it('quotes cells and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('names files after the spec hash', () => {
    expect(exportName(result, 'KLoM per split', 'svg')).toBe('unlearning-ffffffff-klom-per-split.svg');
  });
});

describe('results JSON round trip', () => {
  it('imports what it exports, NaN included', () => {
    const withNaN = makeFixtureResult();
    withNaN.groups.dmm.cost!.timeFractionOfRetraining = Number.NaN;
    const back = parseResultFile(resultJson(withNaN));
    expect(back.groups.dmm.cost!.timeFractionOfRetraining).toBeNaN();
    expect(back.groups.dmm.margins).toEqual(withNaN.groups.dmm.margins);
    expect(back.spec).toEqual(withNaN.spec);
    expect(back.noiseFloor).toEqual(withNaN.noiseFloor);
  });

  it('imports a file from before attribution skill: everything but its old correlation, with a note saying so', () => {
    const old = JSON.parse(resultJson(makeFixtureResult()));
    old.attribution = { ...old.attribution, quality: { forget: 0.5, retain: 0.9, validation: 0.9 } };
    delete old.attribution.skill;
    const back = parseResultFile(JSON.stringify(old));
    expect(back.attribution).toBeUndefined();
    expect(back.groups.dmm.margins).toEqual(result.groups.dmm.margins);
    expect(back.notes.at(-1)).toMatch(/before attribution skill was measured/);
  });

  it('round-trips NaN and ±Infinity as strings, and still reads null as NaN', () => {
    const r = makeFixtureResult();
    r.groups.dmm.margins[0][2] = Number.NaN;
    r.groups.dmm.margins[1][3] = Number.POSITIVE_INFINITY;
    r.groups.dmm.margins[2][4] = Number.NEGATIVE_INFINITY;
    const text = resultJson(r);
    expect(text).toContain('"Infinity"');
    expect(text).not.toContain('null');
    const back = parseResultFile(text);
    expect(back.groups.dmm.margins[0][2]).toBeNaN();
    expect(back.groups.dmm.margins[1][3]).toBe(Number.POSITIVE_INFINITY);
    expect(back.groups.dmm.margins[2][4]).toBe(Number.NEGATIVE_INFINITY);
    expect(back.groups.dmm.margins).toEqual(r.groups.dmm.margins);
    // Files written before the encoding hold null.
    expect(parseResultFile(JSON.stringify(r)).groups.dmm.margins[1][3]).toBeNaN();
    expect(() => parseResultFile(text.replace('"Infinity"', '"inf"'))).toThrow(ResultFileError);
    // An infinite margin read back is clipped to +100 by the metrics (as null it would be NaN and poison them).
    expect(gklPerExample(back.groups.dmm.margins, back.groups.oracle.margins, 1)[3]).toBeGreaterThan(100);
  });

  it('is self-contained: KLoM, GKL, the noise floor and the attribution skill recompute from the imported file', () => {
    const back = parseResultFile(resultJson(makeFixtureResult()));
    const oracle = back.groups.oracle.margins;
    const prior = gklPrior(oracle);
    const bySplit = (per: ArrayLike<number>) => klomBySplit(per, back.splits);
    for (const key of ['original', 'do-nothing', 'dmm', 'gradient-ascent']) {
      const g = back.groups[key];
      const klom = klomPerExample(g.margins, oracle);
      const gkl = gklPerExample(g.margins, oracle, prior);
      expect(Array.from(klom), key).toEqual(g.klomPerExample);
      expect(Array.from(gkl), key).toEqual(g.gklPerExample);
      expect(bySplit(klom)).toEqual(g.klom);
      expect(bySplit(gkl)).toEqual(g.gkl);
    }
    // The floor: the independent oracles against the oracles, from the file alone (no Retrain group needed).
    const independent = back.noiseFloor.independentMargins!;
    delete (back.groups as Record<string, unknown>).retrain;
    expect(bySplit(noiseFloor(independent, oracle).perExample)).toEqual(back.noiseFloor.klom);
    expect(bySplit(gklPerExample(independent, oracle, prior))).toEqual(back.noiseFloor.gkl);
    // The attribution skill, its ceiling from the independent oracles' mean.
    const a = back.attribution!;
    const mean = (rows: number[][]) => rows[0].map((_, j) => rows.reduce((t, row) => t + row[j], 0) / rows.length);
    const original = mean(back.groups.original.margins);
    const independentMean = mean(independent);
    expect(a.originalMeanMargins).toEqual(original);
    for (const k of SPLIT_KEYS) {
      const ids = back.splits[k];
      const at = (v: number[]) => ids.map((j) => v[j]);
      expect(shiftSkill(at(a.predictedMargins), at(original), at(a.oracleMeanMargins), at(independentMean))).toEqual(a.skill[k]);
    }
  });

  it('keeps fields a newer engine adds, and the noise floor’s ε', () => {
    const r = makeFixtureResult();
    r.noiseFloor.epsilon = { forgetScore: 0.5, finalScore: 0.4 };
    const extended = { ...r, futureField: 1, groups: { ...r.groups, dmm: { ...r.groups.dmm, futureGroupField: 'x' } } };
    const back = parseResultFile(JSON.stringify(extended)) as typeof extended;
    expect(back.noiseFloor.epsilon).toEqual({ forgetScore: 0.5, finalScore: 0.4 });
    expect(back.futureField).toBe(1);
    expect(back.groups.dmm.futureGroupField).toBe('x');
  });

  const refuse = (text: string) => {
    try {
      parseResultFile(text, 'r.json');
    } catch (e) {
      expect(e).toBeInstanceOf(ResultFileError);
      return (e as Error).message;
    }
    throw new Error('accepted a wrong file');
  };

  it('names what is wrong with a wrong file', () => {
    expect(refuse('PNG…')).toMatch(/r\.json is not a results file: it is not JSON/);
    expect(refuse('[]')).toMatch(/expected a JSON object/);
    expect(refuse(JSON.stringify(result.spec))).toMatch(/is an experiment spec, not results/);
    expect(refuse('{"hello":1}')).toMatch(/not a results file of the playground/);
    expect(refuse(JSON.stringify({ ...result, format: 7 }))).toMatch(
      /results format 7; this version reads format 1 \(it was written by a newer version\)/,
    );
    expect(refuse(JSON.stringify({ ...result, groups: { ...result.groups, dmm: { ...result.groups.dmm, accuracy: 'high' } } }))).toMatch(
      /groups\.dmm\.accuracy: /,
    );
    expect(refuse(JSON.stringify({ ...result, spec: { ...result.spec, n: 0 } }))).toMatch(
      /holds an experiment this version cannot read: n: must be ≥ 1/,
    );
  });

  it('refuses inconsistent arrays', () => {
    const short = makeFixtureResult();
    short.groups.dmm.margins[1] = short.groups.dmm.margins[1].slice(1);
    expect(refuse(resultJson(short))).toMatch(/groups\.dmm\.margins\[1\]: has 59 margins, expected one per example \(60\)/);
    const overlap = makeFixtureResult();
    overlap.splits.retain = [...overlap.splits.retain.slice(1), 1].sort((a, b) => a - b);
    expect(refuse(resultJson(overlap))).toMatch(/appears twice|should together be/);
    const noOracle = makeFixtureResult();
    delete (noOracle.groups as Record<string, unknown>).oracle;
    expect(refuse(resultJson(noOracle))).toMatch(/no "oracle" group/);
  });
});
