#!/usr/bin/env node
/**
 * Builds the small real CIFAR-10 fixture the tests read (test/fixtures/cifar10/), so that the tests
 * need nothing outside the repository:
 *   train-00000.bin   records 0..159 of train.bin       (start of data_batch_1)
 *   train-45000.bin   records 45,000..45,029 of train.bin (start of the validation range; all 10 classes)
 *   test-00000.bin    records 0..29 of test.bin         (start of test_batch)
 * Each file is a plain slice in the official binary layout: 3,073-byte records, 1 label byte then the
 * R, G and B planes, 32×32 bytes each. README.md there lists the slices and their SHA-256.
 *
 * Usage: npm run build:fixture [-- path/to/cifar10-folder]
 * Default input: ../shared/data/cifar10/ relative to the repository root (train.bin, test.bin).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const R = 3073;
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const inputDir = resolve(process.argv[2] ?? join(repoRoot, '../shared/data/cifar10'));
const outDir = join(repoRoot, 'test/fixtures/cifar10');

// Keep in step with test/support/cifar.ts, which reads these slices.
const SLICES = [
  { file: 'train-00000.bin', source: 'train.bin', first: 0, count: 160 },
  { file: 'train-45000.bin', source: 'train.bin', first: 45_000, count: 30 },
  { file: 'test-00000.bin', source: 'test.bin', first: 0, count: 30 },
];

function readRecords(path, first, count) {
  const out = Buffer.alloc(count * R);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, out, 0, out.length, first * R);
    if (n !== out.length) throw new Error(`${path}: short read (${n} of ${out.length} bytes at record ${first})`);
  } finally {
    closeSync(fd);
  }
  for (let r = 0; r < count; r++) {
    if (out[r * R] > 9) throw new Error(`${path}: record ${first + r} has label ${out[r * R]}; is this the CIFAR-10 binary layout?`);
  }
  return out;
}

mkdirSync(outDir, { recursive: true });
const rows = [];
for (const s of SLICES) {
  const data = readRecords(join(inputDir, s.source), s.first, s.count);
  const classes = new Set(Array.from({ length: s.count }, (_, r) => data[r * R]));
  if (classes.size !== 10) throw new Error(`${s.file}: holds ${classes.size} classes; the tests need all 10`);
  writeFileSync(join(outDir, s.file), data);
  const sha = createHash('sha256').update(data).digest('hex');
  rows.push(
    `| ${s.file} | ${s.source} | ${s.first.toLocaleString('en')}..${(s.first + s.count - 1).toLocaleString('en')} | ${data.length.toLocaleString('en')} | ${sha} |`,
  );
  console.log(`${s.file}: ${s.count} records from ${s.source} starting at ${s.first}, sha256 ${sha}`);
}

writeFileSync(
  join(outDir, 'README.md'),
  `# CIFAR-10 test fixture

Real CIFAR-10 records for the unit and browser tests, built by \`npm run build:fixture\`
(scripts/build-test-fixture.mjs). Each file is an exact slice of the official binary data, in its layout:
3,073-byte records, 1 label byte (0..9) then the R, G and B planes, 32×32 bytes each, row-major.
\`train.bin\` is data_batch_1..5 concatenated (50,000 records); \`test.bin\` is the start of test_batch.

| file | from | records | bytes | sha256 |
|---|---|---|---|---|
${rows.join('\n')}

CIFAR-10: Alex Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009.
`,
);
