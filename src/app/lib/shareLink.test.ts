import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { canonicalJson, DEFAULT_SPEC, LESSONS, PRESETS, parseSpec } from '../../engine/experiment/spec';
import {
  buildHash,
  buildLink,
  decodePayload,
  encodeSpec,
  fromBase64Url,
  inflateLimited,
  LinkError,
  MAX_HASH_CHARS,
  lessonHash,
  LESSON_HIDE,
  readHash,
  toBase64Url,
} from './shareLink';

const pack = (json: string) => `1.${toBase64Url(deflateSync(strToU8(json)))}`;

describe('base64url', () => {
  it('round-trips every byte value and uses no padding or + /', () => {
    const bytes = Uint8Array.from({ length: 256 * 3 + 1 }, (_, i) => (i * 7) & 255);
    const text = toBase64Url(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Array.from(fromBase64Url(text))).toEqual(Array.from(bytes));
  });
  it('names a character that cannot be in the data', () => {
    expect(() => fromBase64Url('abc$def')).toThrow(/"\$" at position 4/);
  });
});

describe('spec links', () => {
  it('round-trips every preset to the same canonical spec', () => {
    for (const preset of PRESETS) {
      const reading = readHash(buildHash(preset.spec));
      expect(reading.kind).toBe('spec');
      if (reading.kind === 'spec') expect(canonicalJson(reading.spec)).toBe(canonicalJson(preset.spec));
    }
  });

  it('is compact: the default spec fits in well under 1,000 characters', () => {
    expect(buildHash(DEFAULT_SPEC).length).toBeLessThan(1000);
  });

  it('keeps an explicit forget list of a few thousand indices within link limits', () => {
    const indices = Array.from({ length: 3000 }, (_, i) => i * 3);
    const spec = parseSpec({
      ...DEFAULT_SPEC,
      dataset: { source: 'full', trainSize: 10_000, validationSize: 500 },
      forget: [{ kind: 'indices', indices }],
    });
    const hash = buildHash(spec);
    expect(hash.length).toBeLessThan(20_000);
    const reading = readHash(hash);
    expect(reading.kind === 'spec' && reading.spec.forget[0].kind === 'indices' && reading.spec.forget[0].indices).toEqual(indices);
  });

  it('carries the autorun, embed and hide flags', () => {
    const hash = buildHash(DEFAULT_SPEC, { autorun: true, embed: true, hide: ['setup', 'methods'] });
    expect(hash).toMatch(/&autorun=1&embed=1&hide=setup,methods$/);
    const reading = readHash(hash);
    expect(reading.options).toEqual({ autorun: true, embed: true, hide: ['setup', 'methods'] });
    // Unknown section names are ignored; flags alone are not an error.
    expect(readHash('#embed=1&hide=setup,bogus')).toEqual({ kind: 'none', options: { autorun: false, embed: true, hide: ['setup'] } });
  });

  it('builds a link from the page address, replacing any old hash', () => {
    expect(buildLink('http://localhost:4173/app/?backend=wasm#s=old', DEFAULT_SPEC)).toMatch(
      /^http:\/\/localhost:4173\/app\/\?backend=wasm#s=1\./,
    );
  });

  it('reads a hand-written JSON spec from json=', () => {
    const reading = readHash(
      `#json=${encodeURIComponent(JSON.stringify({ v: 1, forget: [{ kind: 'class', classIndex: 3 }], methods: [{ id: 'x', method: 'do-nothing' }] }))}`,
    );
    expect(reading.kind).toBe('spec');
    if (reading.kind === 'spec') expect(reading.spec.forget[0]).toEqual({ kind: 'class', classIndex: 3, seed: 0 });
  });

  it('an empty hash holds no experiment', () => {
    expect(readHash('').kind).toBe('none');
    expect(readHash('#').kind).toBe('none');
  });
});

describe('broken and hostile links', () => {
  const message = (hash: string) => {
    const r = readHash(hash);
    expect(r.kind).toBe('error');
    return r.kind === 'error' ? r.message : '';
  };

  it('garbage', () => {
    expect(message('#s=1.!!!not*base64')).toMatch(/"!" at position 1/);
    expect(message('#s=hello')).toMatch(/no format number/);
    expect(message('#s=abc.def')).toMatch(/where a link format number was expected/);
    expect(message('#s=1.AAAA')).toMatch(/damaged and does not decompress/);
    expect(message('#s=1.')).toMatch(/empty/);
    expect(message('#foo=bar')).toMatch(/no experiment in it/);
  });

  it('a truncated link', () => {
    const hash = buildHash(DEFAULT_SPEC);
    expect(message(hash.slice(0, hash.length - 40))).toMatch(/cut off|damaged/);
  });

  it('compressed data that is not JSON, or JSON that is not a spec', () => {
    expect(message(`#s=${pack('hello world')}`)).toMatch(/not valid JSON/);
    expect(message(`#s=${pack('[1,2,3]')}`)).toMatch(/spec: must be an object, got an array/);
    expect(message(`#s=${pack('{"v":1,"methods":[],"forget":[]}')}`)).toMatch(/forget: needs at least 1 item/);
    expect(message(`#s=${pack(JSON.stringify({ ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, epochs: 1e9 } }))}`)).toMatch(
      /recipe\.epochs: must be ≤ 200/,
    );
    expect(message(`#s=${pack(JSON.stringify({ ...DEFAULT_SPEC, __proto__: { x: 1 }, hack: 1 }))}`)).toMatch(/hack: unknown field/);
  });

  it('a huge link is refused before it is decoded', () => {
    expect(message(`#s=1.${'A'.repeat(MAX_HASH_CHARS)}`)).toMatch(/too long/);
  });

  it('a decompression bomb stops at the size limit', () => {
    const bomb = deflateSync(new Uint8Array(5_000_000).fill(32), { level: 9 });
    expect(bomb.length).toBeLessThan(MAX_HASH_CHARS);
    const t0 = performance.now();
    expect(message(`#s=1.${toBase64Url(bomb)}`)).toMatch(/expands to more than/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(() => inflateLimited(deflateSync(new Uint8Array(2000)), 1000)).toThrow(LinkError);
  });

  it('another version: a newer link format, a newer or unknown spec version', () => {
    expect(message(`#s=2.${encodeSpec(DEFAULT_SPEC).slice(2)}`)).toMatch(/newer version of the playground \(link format 2\)/);
    expect(message(`#s=${pack(JSON.stringify({ ...DEFAULT_SPEC, v: 3 }))}`)).toMatch(/newer version of the playground \(spec version 3\)/);
    expect(message(`#s=${pack(JSON.stringify({ ...DEFAULT_SPEC, v: 0 }))}`)).toMatch(
      /spec version 0, which this version of the playground can no longer read/,
    );
    expect(message(`#s=${pack(JSON.stringify({ ...DEFAULT_SPEC, v: 'one' }))}`)).toMatch(/unsupported spec version "one"/);
  });
});

describe('decodePayload', () => {
  it('decodes what encodeSpec wrote', () => {
    expect(decodePayload(encodeSpec(DEFAULT_SPEC))).toEqual(JSON.parse(canonicalJson(DEFAULT_SPEC)));
  });
});

describe('lesson links', () => {
  it('open each lesson: its spec, run at once on a trimmed page', () => {
    for (const lesson of LESSONS) {
      const reading = readHash(lessonHash(lesson.id));
      expect(reading.kind).toBe('spec');
      if (reading.kind !== 'spec') continue;
      expect(canonicalJson(reading.spec)).toBe(canonicalJson(parseSpec(lesson.spec)));
      expect(reading.options).toEqual({ autorun: true, embed: true, hide: LESSON_HIDE });
    }
  });

  it('keep the flags the link sets itself', () => {
    const reading = readHash('#lesson=class&autorun=0&hide=results');
    expect(reading.kind === 'spec' && reading.options).toEqual({ autorun: false, embed: true, hide: ['results'] });
  });

  it('name the lessons there are when the link names another', () => {
    const reading = readHash('#lesson=quantum');
    expect(reading.kind).toBe('error');
    expect(reading.kind === 'error' && reading.message).toMatch(/lesson “quantum” .* \(lessons: dmm, class, subpopulation\)/);
  });
});
