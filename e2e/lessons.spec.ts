import { expect, test } from './fixtures/fixtures';

test('a lesson link runs at once on a trimmed page, with the shipped models: only the methods train', async ({ page, playground }) => {
  const packs: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/packs/')) packs.push(new URL(r.url()).pathname);
  });
  await page.goto('/#lesson=dmm');
  await playground.results.waitFor();
  // 4 originals, 32 subset models and 8 oracles came from the pack the lesson needs; no other pack was fetched.
  await expect(playground.results.source).toContainText('0 models trained');
  await expect(playground.results.source).toContainText('(44 shipped with the app)');
  expect(packs.sort()).toEqual(['/packs/manifest.json', '/packs/preset-quick.bin']);
  await expect(page.getByRole('heading', { name: /Set up the experiment/ })).toHaveCount(0);
  await playground.shot('lesson-dmm');
});

test('a link to a lesson this version does not have names the lessons there are', async ({ page }) => {
  await page.goto('/#lesson=quantum');
  await expect(page.getByText(/lesson “quantum” this version does not have \(lessons: dmm, class, subpopulation\)/)).toBeVisible({
    timeout: 60_000,
  });
});
