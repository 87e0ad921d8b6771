#!/usr/bin/env node
/**
 * npm run build:packs [-- --port 4176]
 *
 * Trains, with the app's own engine in headless Chromium (WASM backend), the models of every preset and lesson
 * that no method depends on (originals, oracles, independent oracles, subset models) and writes them as packs:
 * public/packs/<id>.bin (the format: src/engine/packs/packFile.ts) and public/packs/manifest.json (each file's
 * SHA-256, size, keys and the spec it was built for). Smaller experiments go first, and each file holds only the
 * models the earlier files lack, so a lesson loads a few MB and a preset the rest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openHarness, parseArgs, root } from './lib/harness.mjs';

const { opt } = parseArgs(process.argv.slice(2));
const log = (...a) => console.error('[packs]', ...a);
const outDir = path.join(root, 'public/packs');

async function main() {
  const harness = await openHarness({
    port: Number(opt('port', 4176)),
    log: (line) => {
      if (line.startsWith('progress: ')) process.stderr.write(`\r[packs] ${line.slice(10).padEnd(100).slice(0, 100)}`);
      else if (!line.includes('Failed to load resource')) log(line);
    },
  });
  try {
    const { page } = harness;
    const choice = await page.evaluate(() => window.harness.init('wasm'));
    log(`backend ${choice.name}, ${choice.pool.size} workers`);
    await page.evaluate(() => window.harness.loadEmbedded());
    const specs = await page.evaluate(() => window.harness.packSpecs());
    const size = (s) => s.modelsSpec.n * 1000 + (s.modelsSpec.attribution?.models ?? 0);
    specs.sort((a, b) => size(a) - size(b));
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const files = [];
    const built = [];
    const shipped = [];
    for (const { id, modelsSpec } of specs) {
      const started = Date.now();
      const result = await page.evaluate((s) => window.harness.runExperiment(s), modelsSpec);
      process.stderr.write('\n');
      const { keys, base64 } = await page.evaluate((exclude) => window.harness.exportPack(exclude), shipped);
      const seconds = (Date.now() - started) / 1000;
      log(`${id}: ${result.timing.modelsTrained} models trained in ${seconds.toFixed(0)} s, ${keys.length} new`);
      built.push({ id, specHash: result.specHash });
      if (keys.length === 0) continue;
      const bytes = Buffer.from(base64, 'base64');
      const file = `${id}.bin`;
      fs.writeFileSync(path.join(outDir, file), bytes);
      files.push({
        file,
        builtFor: id,
        bytes: bytes.length,
        sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
        keys,
      });
      shipped.push(...keys);
      log(`wrote ${file}: ${(bytes.length / 1e6).toFixed(2)} MB`);
    }
    const manifest = { format: 'unlearning-playground packs v1', backend: choice.name, specs: built, files };
    fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    const total = files.reduce((a, f) => a + f.bytes, 0);
    log(`${files.length} packs, ${shipped.length} models, ${(total / 1e6).toFixed(1)} MB in all`);
  } finally {
    await harness.close();
  }
}

main().catch((e) => {
  console.error(`\n${e.message ?? e}`);
  process.exit(1);
});
