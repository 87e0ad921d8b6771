import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../engine/experiment/spec';
import { makeFixtureResult } from './resultFixture';
import { attributionName, loadSkillStudy, resultPoint } from './skillStudy';

const study = {
  about: 'test',
  n: 16,
  points: [
    {
      name: 'dm-48-diagonal',
      attribution: { estimator: 'datamodels', models: 48, alpha: 0.5, terms: 'diagonal' },
      skill: { skill: 0.86, shiftR: 0.8, shiftSlope: 1.02, ceiling: 0.95 },
      attributionCost: 3.3,
      gklForget: { doNothing: 2.5, dmDirect: 0.9, dmm: 0.6, floor: 'NaN' },
    },
  ],
};
const respond = (body: unknown, status = 200) => (() => Promise.resolve(new Response(JSON.stringify(body), { status }))) as typeof fetch;

// Node's fs without Node's types in the app's tsconfig (as resultFixture.test.ts does).
const fs = (await import(/* @vite-ignore */ 'node:fs' as string)) as { readFileSync(p: URL, encoding: 'utf8'): string };
const shipped = fs.readFileSync(new URL('../../../public/studies/dmm-vs-skill.json', import.meta.url), 'utf8');

describe('the DMM-vs-skill study', () => {
  it('ships a study the page can read, with diagonal and full-sum datamodels and TRAK', async () => {
    const s = await loadSkillStudy(() => Promise.resolve(new Response(shipped)));
    const kinds = new Set(s.points.map((p) => p.attribution.terms ?? p.attribution.estimator));
    expect(kinds).toEqual(new Set(['diagonal', 'all', 'trak']));
    for (const p of s.points) expect(Number.isFinite(p.gklForget.dmm)).toBe(true);
  });
  it('loads the shipped study, reading encoded non-finite numbers', async () => {
    const s = await loadSkillStudy(respond(study));
    expect(s.points[0].gklForget.dmm).toBe(0.6);
    expect(s.points[0].gklForget.floor).toBeNaN();
  });
  it('names a missing or wrong file', async () => {
    await expect(loadSkillStudy(respond({}, 404))).rejects.toThrow(/could not be loaded \(HTTP 404\)/);
    await expect(loadSkillStudy(respond({ about: 'x' }))).rejects.toThrow(/is not a DMM-vs-skill study/);
  });
  it('names attributions', () => {
    expect(attributionName(study.points[0].attribution)).toBe('48 subset models, diagonal terms');
    expect(attributionName({ estimator: 'trak', models: 1 })).toBe('TRAK, 1 model');
    expect(attributionName({ estimator: 'datamodels', models: 100, kernel: { models: 4 } })).toBe('100 subset models + 4 gradient kernels');
    expect(attributionName({ estimator: 'datamodels', models: 100, terms: 'kernel' })).toBe('100 subset models + gradient kernels');
    expect(attributionName({ estimator: 'datamodels', models: 40 })).toBe('40 subset models');
  });
  it('places a result with DMM and an attribution, and no other', () => {
    const result = makeFixtureResult();
    const spec = parseSpec(result.spec);
    const point = resultPoint(result, spec);
    const dmm = spec.methods.find((m) => m.method === 'dmm');
    expect(dmm && result.attribution).toBeTruthy();
    expect(point?.skill).toBe(result.attribution?.skill.forget.skill);
    expect(point?.dmm).toBe(result.groups[dmm?.id ?? ''].gkl?.forget.mean);
    expect(point?.label).toMatch(/^this experiment/);
    expect(resultPoint({ ...result, attribution: undefined }, spec)).toBeUndefined();
  });
});
