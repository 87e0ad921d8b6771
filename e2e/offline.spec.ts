import { expect, test } from './fixtures/fixtures';

/** What the service worker keeps, without its revision parameter. */
const precached = (urls: string[]) => urls.map((u) => new URL(u).pathname);

test('after one visit the app, its dataset, the shipped study and opened packs load offline; never visited, nothing does', async ({
  playground,
  context,
  browser,
  baseURL,
}) => {
  const { page, setup, forgetPicker } = playground;

  // The control: offline before any visit, the app cannot load at all.
  const stranger = await browser.newContext({ baseURL });
  await stranger.setOffline(true);
  await expect((await stranger.newPage()).goto('/')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  await stranger.close();

  // First visit, online: the service worker installs the build and takes control.
  await playground.open('?backend=wasm');
  await expect(playground.datasetSummary).toContainText('shipped with the app');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none')).toBe('activated');
  // A pack opened online (served here by the test: this build may ship none) is kept; one never opened is not.
  await context.route('**/packs/opened.bin', (route) => route.fulfill({ body: 'pack bytes' }));
  const fetchText = (url: string) => page.evaluate((u) => fetch(u).then((r) => (r.ok ? r.text() : `HTTP ${r.status}`)), url);
  expect(await fetchText('packs/opened.bin')).toBe('pack bytes');
  await context.unrouteAll();

  // The network fails: the app, its workers, the WASM backend and the dataset still load.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('backend-name')).toContainText(/wasm/i, { timeout: 180_000 });
  await expect(playground.datasetSummary).toContainText('shipped with the app', { timeout: 120_000 });
  await expect(setup.preset(/^Quick demo/)).toBeVisible();
  await setup.pickPreset(/^Quick demo/);
  await forgetPicker.clearSelection();
  await forgetPicker.toggleImages([3, 7]);
  await expect(forgetPicker.size).toContainText('2 of');
  await playground.shot('offline-forget-set', forgetPicker.section);

  // Every file the worker keeps answers offline, the pool's worker and the study among them.
  const kept = await page.evaluate(() => caches.open('playground-precache').then((c) => c.keys().then((k) => k.map((r) => r.url))));
  const paths = precached(kept);
  expect(paths).toEqual(
    expect.arrayContaining(['/index.html', '/data/cifar10-embedded.json', '/data/cifar10-embedded.bin.gz', '/studies/dmm-vs-skill.json']),
  );
  expect(paths.some((p) => /\/assets\/job\.worker-.*\.js$/.test(p))).toBe(true);
  expect(paths.filter((p) => p.endsWith('.wasm'))).toHaveLength(3);
  expect(paths).not.toContain('/harness.html');
  const answers = await page.evaluate(
    (ps) =>
      Promise.all(
        ps.map((p) =>
          fetch(p).then(
            (r) => r.status,
            () => 'failed',
          ),
        ),
      ),
    paths,
  );
  expect(answers).toEqual(paths.map(() => 200));
  const study = JSON.parse(await fetchText('studies/dmm-vs-skill.json'));
  expect(study.points.length).toBeGreaterThan(0);
  expect(await fetchText('packs/opened.bin')).toBe('pack bytes');
  await expect(page.evaluate(() => fetch('packs/never-opened.bin'))).rejects.toThrow(/Failed to fetch/);
  // A page opened before an update still gets its own build's files (as the precache keeps them for one more build).
  await page.evaluate(() =>
    caches.open('playground-precache').then((c) => c.put('assets/job.worker-olderbuild.js?__rev=0', new Response('older build'))),
  );
  expect(await fetchText('assets/job.worker-olderbuild.js')).toBe('older build');

  // A new tab of the same browser opens offline too.
  const tab = await playground.newTab('/?backend=wasm');
  await expect(tab.datasetSummary).toContainText('shipped with the app');
});
