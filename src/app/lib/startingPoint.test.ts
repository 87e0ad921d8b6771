import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, PRESETS, parseSpec } from '../../engine/experiment/spec';
import { buildHash } from './shareLink';
import { startingPoint } from './startingPoint';

const last = parseSpec(PRESETS[1].spec);

describe('startingPoint', () => {
  it('opens the link’s spec', () => {
    const p = startingPoint(buildHash(last, { autorun: true }), undefined);
    expect(p.spec).toEqual(last);
    expect(p.options.autorun).toBe(true);
    expect(p.fromLink).toBe(true);
    expect(p.notice).toBeUndefined();
    expect(startingPoint(buildHash(last), undefined).notice?.kind).toBe('opened');
  });
  it('the hash this tab wrote itself (found again on a reload) is not greeted as an opened link', () => {
    const own = buildHash(last);
    const p = startingPoint(own, undefined, own);
    expect(p.spec).toEqual(last);
    expect(p.notice).toBeUndefined();
    expect(startingPoint(own, undefined, buildHash(DEFAULT_SPEC)).notice?.kind).toBe('opened');
  });
  it('without a link, the last experiment, else the default', () => {
    expect(startingPoint('', last).spec).toEqual(last);
    expect(startingPoint('', undefined).spec).toEqual(DEFAULT_SPEC);
  });
  it('a broken link gives the default and a message, and keeps embed options', () => {
    const p = startingPoint('#s=1.garbage!!&embed=1', last);
    expect(p.spec).toEqual(DEFAULT_SPEC);
    expect(p.notice?.kind).toBe('error');
    expect(p.notice?.message).toMatch(/could not be opened/);
    expect(p.options.embed).toBe(true);
  });
});
