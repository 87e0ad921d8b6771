import { expect, test } from '@playwright/test';
import { lossesShown, openApp, screenshot, setTrainingConfig, tensorCount } from './support';

test.describe('training in the worker', () => {
  test('trains on WebGPU: progress arrives, loss falls, validation accuracy is shown', async ({ page }, testInfo) => {
    await openApp(page, '?backend=webgpu');
    await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
    // WebGPU on SwiftShader trains ≈5 images/s here: 3 epochs of 48 images.
    await setTrainingConfig(page, { trainCount: 48, epochs: 3, batchSize: 16, peakLr: 0.01, peakEpoch: 1 });
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('validation-accuracy')).toBeVisible({ timeout: 280_000 });
    await expect(page.getByTestId('validation-accuracy')).toContainText('on webgpu');
    const losses = await lossesShown(page);
    expect(losses.length).toBeGreaterThanOrEqual(2);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    await screenshot(page, testInfo, 'trained-webgpu');
  });

  test('trains on WASM, pauses, resumes and cancels without leaking tensors', async ({ page }, testInfo) => {
    await openApp(page, '?backend=wasm');
    await expect(page.getByTestId('backend-name')).toHaveText('wasm');
    const tensorsBefore = await tensorCount(page);

    await setTrainingConfig(page, { trainCount: 640, epochs: 3, batchSize: 64, peakLr: 0.05, peakEpoch: 1 });
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('validation-accuracy')).toBeVisible({ timeout: 200_000 });
    const accuracy = Number((await page.getByTestId('validation-accuracy').locator('strong').textContent())!.replace('%', ''));
    expect(accuracy).toBeGreaterThan(10); // better than chance after 30 steps on real CIFAR-10
    const losses = await lossesShown(page);
    expect(losses.length).toBeGreaterThanOrEqual(3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.95);
    await expect(page.getByTestId('step')).toHaveText('30 / 30');
    // The trained model is kept for evaluation; its variables are the only new tensors.
    const tensorsTrained = await tensorCount(page);
    await screenshot(page, testInfo, 'trained-wasm');

    // A longer run: pause stops the steps, resume continues, cancel discards the model.
    await setTrainingConfig(page, { trainCount: 2000, epochs: 20, batchSize: 64 });
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('step')).not.toHaveText(/^(0|1|2) \//, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('run-state')).toHaveText('paused');
    await page.waitForTimeout(1000); // the step in flight finishes and reports
    const pausedAt = await page.getByTestId('step').textContent();
    await page.waitForTimeout(1500);
    await expect(page.getByTestId('step')).toHaveText(pausedAt!);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('step')).not.toHaveText(pausedAt!, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('run-message')).toHaveText(/Training cancelled/);
    await expect(page.getByRole('button', { name: 'Train' })).toBeEnabled();
    await screenshot(page, testInfo, 'cancelled-wasm');
    // Cancel left exactly what was there before the run: the previous model, no stray tensors.
    await expect.poll(() => tensorCount(page)).toBe(tensorsTrained);
    expect(tensorsTrained).toBeGreaterThan(tensorsBefore);
  });

  test('an unknown ?backend= is reported by name', async ({ page }) => {
    await page.goto('/?backend=quantum');
    await expect(page.getByTestId('engine-error')).toContainText('?backend=quantum is not a backend');
  });
});
