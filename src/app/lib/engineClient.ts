import { MAX_WORKERS } from '../../worker/poolSize';
import * as Comlink from 'comlink';
import type { BackendChoice, BackendName, EngineApi, RememberedChoice } from '../../worker/protocol';

export type Engine = Comlink.Remote<EngineApi>;

/** Starts the engine worker (a module worker, so tfjs loads only there, never in the page). */
export function startEngine(): { engine: Engine; terminate: () => void } {
  const worker = new Worker(new URL('../../worker/engine.worker.ts', import.meta.url), { type: 'module' });
  return { engine: Comlink.wrap<EngineApi>(worker), terminate: () => worker.terminate() };
}

const BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const REMEMBER_KEY = 'unlearning-playground.backend';

/** `?backend=` forces a backend; anything else in it is an error the page reports. */
/** `?workers=N` forces the experiment pool size (a whole number from 1 to MAX_WORKERS). */
export function forcedWorkers(search: string): { workers?: number; error?: string } {
  const value = new URLSearchParams(search).get('workers');
  if (value === null || value === '' || value === 'auto') return {};
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS) return { workers: n };
  return { error: `?workers=${value} is not a pool size; use a whole number from 1 to ${MAX_WORKERS}, or auto` };
}

export function forcedBackend(search: string): { force?: BackendName; error?: string } {
  const value = new URLSearchParams(search).get('backend');
  if (value === null || value === '' || value === 'auto') return {};
  if ((BACKENDS as string[]).includes(value)) return { force: value as BackendName };
  return { error: `?backend=${value} is not a backend; use one of ${BACKENDS.join(', ')} or auto` };
}

export function rememberedChoice(): RememberedChoice | undefined {
  try {
    const raw = localStorage.getItem(REMEMBER_KEY);
    return raw ? (JSON.parse(raw) as RememberedChoice) : undefined;
  } catch {
    return undefined;
  }
}

export function rememberChoice(choice: BackendChoice): void {
  if (choice.forced) return;
  try {
    const remembered: RememberedChoice = { name: choice.name, fingerprint: choice.fingerprint, probes: choice.probes };
    localStorage.setItem(REMEMBER_KEY, JSON.stringify(remembered));
  } catch {
    // Storage full or disabled: we will simply measure again next time.
  }
}

export function forgetChoice(): void {
  try {
    localStorage.removeItem(REMEMBER_KEY);
  } catch {
    // ignore
  }
}
