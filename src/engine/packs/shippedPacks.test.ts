import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelsOnly } from '../experiment/plan';
import { LESSONS, parseSpec, PRESETS, specHash } from '../experiment/spec';
import { decodePack } from './packFile';
import { parseManifest } from './packSource';

// The packs the app ships (npm run build:packs): they must match the presets and lessons as they are now.
const dir = new URL('../../../public/packs/', import.meta.url);
const manifest = parseManifest(JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')));

describe('shipped packs', () => {
  it('were built for every preset and lesson as they are now', async () => {
    const built = new Map(manifest.specs.map((s) => [s.id, s.specHash]));
    const experiments = [
      ...PRESETS.map((p) => [`preset-${p.id}`, p.spec] as const),
      ...LESSONS.map((l) => [`lesson-${l.id}`, l.spec] as const),
    ];
    for (const [id, spec] of experiments) {
      expect(built.get(id), `${id}: rebuild the packs with npm run build:packs`).toBe(
        await specHash(parseSpec(modelsOnly(parseSpec(spec)))),
      );
    }
  });

  it('hold what the manifest says, checksums included, in 40 MB at most', () => {
    let total = 0;
    const seen = new Set<string>();
    for (const f of manifest.files) {
      const bytes = readFileSync(new URL(f.file, dir));
      total += bytes.length;
      expect(bytes.length).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      const entries = decodePack(bytes);
      expect(entries.map((e) => e.key)).toEqual(f.keys);
      for (const e of entries) {
        expect(seen.has(e.key), `${e.key} is in two packs`).toBe(false);
        seen.add(e.key);
        // Originals carry weights (methods start from them); oracles and subset models only their outputs.
        expect(e.weights !== undefined).toBe(e.kind === 'original');
      }
    }
    expect(total).toBeLessThanOrEqual(40e6);
  });
});
