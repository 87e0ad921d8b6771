import { expect, test } from './fixtures/fixtures';
import { gzip, makeTar, testRecords, trainRecords } from '../test/support/cifar';
import { openApp, screenshot } from './support';

/** A cifar-10-binary.tar.gz in the official layout, with 30 real records per batch to keep it small. */
function smallOfficialArchive(): Buffer {
  const per = 30;
  const entries = [1, 2, 3, 4, 5].map((b) => ({
    name: `cifar-10-batches-bin/data_batch_${b}.bin`,
    data: trainRecords((b - 1) * per, per),
  }));
  entries.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: testRecords(30) });
  return Buffer.from(gzip(makeTar(entries)));
}

test('loads CIFAR-10 from the user’s tar.gz, keeps it for the next visit, and names a wrong file', async ({ page }, testInfo) => {
  await openApp(page, '?backend=wasm');
  await expect(page.getByTestId('dataset-summary')).toContainText('shipped with the app');

  // A wrong file: the message names it, and the dataset in use stays.
  await page.getByLabel('Load full CIFAR-10 files').setInputFiles({
    name: 'holiday.png',
    mimeType: 'image/png',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]),
  });
  await expect(page.getByTestId('dataset-error')).toContainText('holiday.png');
  await expect(page.getByTestId('dataset-summary')).toContainText('shipped with the app');
  await screenshot(page, testInfo, 'dataset-wrong-file');

  await page.getByLabel('Load full CIFAR-10 files').setInputFiles({
    name: 'cifar-10-binary.tar.gz',
    mimeType: 'application/gzip',
    buffer: smallOfficialArchive(),
  });
  await expect(page.getByTestId('dataset-summary')).not.toContainText('shipped with the app', { timeout: 60_000 });
  await expect(page.getByTestId('dataset-summary')).toContainText('30 test images');
  await expect(page.getByTestId('dataset-error')).toHaveCount(0);

  // Next visit: the saved dataset is used without asking for the files again.
  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toContainText('kept in this browser', { timeout: 120_000 });
  await screenshot(page, testInfo, 'dataset-saved');

  await page.getByRole('button', { name: 'Forget saved dataset' }).click();
  await page.getByRole('button', { name: 'Use embedded subset' }).click();
  await expect(page.getByTestId('dataset-summary')).toContainText('shipped with the app');
  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toContainText('shipped with the app', { timeout: 120_000 });
});

/** An experiment on the embedded subset small enough for a 2-core machine (about 15 s). */
const embeddedLesson = {
  v: 2,
  dataset: { source: 'embedded', trainSize: 150, validationSize: 50 },
  model: { arch: 'tiny-cnn' },
  recipe: { epochs: 1, batchSize: 50, peakLr: 0.05, peakEpoch: 0.5 },
  forget: [{ kind: 'random', k: 10, seed: 0 }],
  n: 2,
  extraOracles: 2,
  methods: [
    { id: 'do-nothing', method: 'do-nothing' },
    { id: 'retrain', method: 'retrain' },
  ],
  attribution: { estimator: 'datamodels', models: 4 },
  metrics: ['klom', 'accuracy'],
  seed: 0,
};

test('a saved full CIFAR-10 never blocks a link or a preset made for the embedded subset, and stays saved', async ({ playground }) => {
  const { page, setup, run, results } = playground;
  const datasetField = page.getByRole('combobox', { name: 'Dataset', exact: true });
  const savedLine = page.getByTestId('saved-dataset');
  await playground.open('?backend=wasm');
  await page.getByLabel('Load full CIFAR-10 files').setInputFiles({
    name: 'cifar-10-binary.tar.gz',
    mimeType: 'application/gzip',
    buffer: smallOfficialArchive(),
  });
  await expect(playground.datasetSummary).toContainText('30 test images', { timeout: 60_000 });
  // The experiment follows the dataset the user loaded.
  await expect(datasetField).toHaveValue('full');
  await expect(run.blocker).toContainText('but the loaded dataset has'); // the fixture's size, not its kind

  // A lesson link made for the embedded subset: it gets the embedded subset and runs by itself.
  const link = `/?backend=wasm#json=${encodeURIComponent(JSON.stringify(embeddedLesson))}`;
  await playground.openLink(`${link}&autorun=1`);
  await expect(playground.datasetSummary).toContainText('shipped with the app');
  await expect(savedLine).toContainText('is saved in this browser');
  await results.waitFor('computed just now');
  // Opened again, its results show from this browser's store.
  await playground.openLink(link);
  await results.waitFor('kept in this browser');
  await expect(run.button).toBeEnabled();

  // Back to the saved full CIFAR-10 in one click; then a preset made for the embedded subset switches, and says so.
  await page.getByRole('button', { name: 'Use the saved full CIFAR-10' }).click();
  await expect(playground.datasetSummary).toContainText('kept in this browser');
  await expect(datasetField).toHaveValue('full');
  await setup.pickPreset(/^Quick demo/);
  await expect(playground.datasetSummary).toContainText('shipped with the app');
  await expect(savedLine).toContainText('so the page switched to it; your full CIFAR-10 stays saved in this browser');
  await expect(run.button).toBeEnabled();
  await playground.shot('switched-to-embedded', page.locator('section', { has: page.locator('#dataset-heading') }));

  // The saved dataset survived all of it.
  await page.reload();
  await playground.waitForDataset();
  await expect(savedLine).toContainText('is saved in this browser');
  await page.getByRole('button', { name: 'Use the saved full CIFAR-10' }).click();
  await expect(playground.datasetSummary).toContainText('30 test images');
});
