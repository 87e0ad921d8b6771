import { expect, test } from '@playwright/test';
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
