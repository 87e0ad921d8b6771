/**
 * What the Node scripts share: serve the built app with `vite preview`, open harness.html in Debian's
 * headless Chromium, and print tables.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

// The flags that work on a machine without a GPU (WebGPU on SwiftShader needs the unsafe flag).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function parseArgs(argv) {
  const opt = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const flag = (name) => argv.includes(`--${name}`);
  return { opt, flag };
}

async function startServer(port) {
  const base = `http://localhost:${port}`;
  const taken = await fetch(base).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`port ${port} is already in use (another vite preview?); stop it or pass another --port`);
  // Node runs vite's own entry (not through npx), so killing `server` stops the server itself.
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  const server = spawn(process.execPath, [vite, 'preview', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
  let exited = false;
  server.on('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      if ((await fetch(base)).ok) return { server, base };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error(`vite preview did not start on ${base}${exited ? ' (it exited: is the port taken? use --port)' : ''}`);
}

/**
 * Serves dist/ and opens harness.html; returns the page (with `window.harness`) and a close function.
 * `log` receives the page's console lines and errors. With `profileDir` the browser keeps its storage
 * (the model cache in IndexedDB) there between runs; without, every run starts empty.
 */
export async function openHarness({ port, log, profileDir }) {
  const { server, base } = await startServer(port);
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let browser;
  try {
    let page;
    if (profileDir) {
      browser = await chromium.launchPersistentContext(profileDir, { executablePath, args: CHROMIUM_ARGS });
      page = browser.pages()[0] ?? (await browser.newPage());
    } else {
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      page = await browser.newPage();
    }
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('console', (m) => log(m.text()));
    await page.goto(`${base}/harness.html`);
    await page.waitForFunction(() => document.title === 'harness ready');
    return {
      browser,
      page,
      close: async () => {
        await browser.close();
        server.kill();
      },
    };
  } catch (e) {
    await browser?.close();
    server.kill();
    throw e;
  }
}

export function table(rows, columns) {
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((r) => String(get(r)).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [
    line(columns.map(([t]) => t)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map(([, get]) => get(r)))),
  ].join('\n');
}

// Results files write non-finite numbers as the strings "NaN", "Infinity", "-Infinity" (and older ones as null).
export const fmt = (x, digits = 0) => (x === undefined || x === null || !Number.isFinite(Number(x)) ? '—' : Number(x).toFixed(digits));
