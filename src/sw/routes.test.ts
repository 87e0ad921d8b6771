import { describe, expect, it } from 'vitest';
import { cacheKey, precacheKeys, routeFor } from './routes';

const scope = 'https://example.org/app/';
const keys = precacheKeys(
  [
    { url: 'index.html', revision: 'r1' },
    { url: 'assets/main-abc.js', revision: 'r2' },
    { url: 'data/cifar10-embedded.bin.gz', revision: 'r3' },
  ],
  scope,
);
const get = (url: string, mode = 'cors') => routeFor({ url, method: 'GET', mode }, scope, keys);

describe('service worker routes', () => {
  it('answers the build’s files from the precache, whatever the query', () => {
    expect(get(`${scope}assets/main-abc.js`)).toEqual({ kind: 'precache', key: `${scope}assets/main-abc.js?__rev=r2` });
    expect(get(`${scope}data/cifar10-embedded.bin.gz?x=1`)).toEqual({
      kind: 'precache',
      key: `${scope}data/cifar10-embedded.bin.gz?__rev=r3`,
    });
  });

  it('serves the app’s page for its directory, with flags and a hash', () => {
    const shell = { kind: 'precache', key: `${scope}index.html?__rev=r1` };
    expect(get(`${scope}?backend=wasm#s=1.abc`, 'navigate')).toEqual(shell);
    expect(get(`${scope}index.html`, 'navigate')).toEqual(shell);
  });

  it('sends other pages to the network, with the app’s page as the offline answer', () => {
    expect(get(`${scope}harness.html`, 'navigate')).toEqual({ kind: 'page', shellKey: `${scope}index.html?__rev=r1` });
  });

  it('keeps pack files once fetched and revalidates the packs’ manifest', () => {
    expect(get(`${scope}packs/quick-demo.bin`)).toEqual({ kind: 'pack' });
    expect(get(`${scope}packs/manifest.json`)).toEqual({ kind: 'pack-manifest' });
  });

  it('looks for other files among an older build’s', () => {
    expect(get(`${scope}assets/job.worker-old.js`)).toEqual({ kind: 'older-build' });
  });

  it('leaves other origins, other paths and other methods to the browser', () => {
    expect(get('https://example.org/other/index.html', 'navigate')).toEqual({ kind: 'network' });
    expect(get('https://cdn.example.net/app/index.html', 'navigate')).toEqual({ kind: 'network' });
    expect(routeFor({ url: `${scope}assets/main-abc.js`, method: 'POST', mode: 'cors' }, scope, keys)).toEqual({ kind: 'network' });
  });

  it('gives a changed file a new key', () => {
    expect(cacheKey(`${scope}index.html`, 'r1')).not.toBe(cacheKey(`${scope}index.html`, 'r9'));
  });
});
