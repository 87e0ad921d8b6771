import * as tf from '@tensorflow/tfjs';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../engine/backend/wasm/register';
import { createModel } from '../engine/models/model';
import { trainModel } from '../engine/train/trainer';
import { syntheticImageSet } from '../engine/data/synthetic';
import { errorMessage } from '../engine/errors';

export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is or is not usable ("no WebGPU adapter", "SwiftShader software adapter", …). */
  note: string;
  /** Measured training images/s of the tiny CNN (batch 32), when measured. */
  trainImagesPerSec?: number;
}

export interface BackendChoice {
  name: BackendName;
  /** One sentence for the UI: which backend runs and why. */
  reason: string;
  /** GPU adapter description when WebGPU was found (vendor, architecture, description). */
  adapter?: string;
  softwareAdapter: boolean;
  probes: BackendProbe[];
  forced: boolean;
  /** Browser + adapter identity; a remembered measurement is reused only for the same one. */
  fingerprint: string;
  /** How many engine workers experiments use, and why (set by the engine worker's init from choosePoolSize). */
  pool?: { size: number; reason: string };
}

/** What a page may remember from an earlier measurement to skip re-measuring on the next visit. */
export interface RememberedChoice {
  name: BackendName;
  /** Identifies the browser + adapter the measurement was made on. */
  fingerprint: string;
  probes: BackendProbe[];
}

interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfo;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

async function describeWebGpu(): Promise<{ available: boolean; note: string; adapter?: string; software: boolean }> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { available: false, note: 'this browser has no WebGPU (navigator.gpu is missing)', software: false };
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { available: false, note: `requesting a WebGPU adapter failed: ${String(e)}`, software: false };
  }
  if (!adapter) return { available: false, note: 'WebGPU found no adapter (GPU blocked or absent)', software: false };
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown adapter';
  const software = info.architecture === 'swiftshader' || adapter.isFallbackAdapter === true || /swiftshader/i.test(description);
  return {
    available: true,
    note: software ? `software adapter (${description}): runs on the CPU` : `GPU adapter: ${description}`,
    adapter: description,
    software,
  };
}

/** WebGL 2 in the worker, and whether its renderer is a software one (SwiftShader, llvmpipe). */
function describeWebGl(): { available: boolean; note: string; software: boolean } {
  try {
    if (typeof OffscreenCanvas === 'undefined') return { available: false, note: 'no OffscreenCanvas in the worker', software: false };
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return { available: false, note: 'no WebGL 2 context in the worker', software: false };
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const software = /swiftshader|llvmpipe|software/i.test(renderer);
    return { available: true, note: `WebGL 2 (${renderer})${software ? ': software renderer, runs on the CPU' : ''}`, software };
  } catch (e) {
    return { available: false, note: `WebGL 2 failed: ${String(e)}`, software: false };
  }
}

const registered = new Set<BackendName>(['webgl', 'cpu']); // bundled with @tensorflow/tfjs

/** Imports a backend's module only once it is known to be usable, and prepares it for training. */
async function ensureRegistered(name: BackendName): Promise<void> {
  if (registered.has(name)) return;
  if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Serve the .wasm files from the app itself; without this tfjs fetches index.html and fails quietly.
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
  }
  registered.add(name);
}

/** Switches tfjs to `name`, checking that it really switched (setBackend fails silently otherwise). */
export async function activateBackend(name: BackendName): Promise<void> {
  await ensureRegistered(name);
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`the ${name} backend failed to initialise`);
  if (name === 'wasm') registerWasmTrainingKernels();
}

/**
 * Drops tfjs's instance of backend `name` (keeping its registration), so the next `activateBackend(name)`
 * builds a fresh one: after a lost GPU device or context the old instance can never work again.
 */
export function forgetBackendInstance(name: BackendName): void {
  const factory = tf.findBackendFactory(name);
  if (!factory) return;
  try {
    tf.removeBackend(name); // disposes the instance; a lost device may make that throw
  } catch {
    // Nothing more to free.
  }
  if (!tf.findBackendFactory(name)) tf.registerBackend(name, factory);
}

/** Training throughput of the tiny CNN on the active backend: one warm-up step, then timed steps. */
async function measureTraining(): Promise<number> {
  const set = syntheticImageSet(64, 0);
  const model = createModel({ arch: 'tiny-cnn' }, 0);
  const recipe = { epochs: 1, batchSize: 32, peakLr: 0.01, peakEpoch: 0, momentum: 0.9, weightDecay: 0, flip: false };
  const all = Array.from({ length: set.count }, (_, i) => i);
  try {
    await trainModel(model, set, all.slice(0, 32), recipe, { seed: 0 }); // warm-up: compiles shaders
    const start = performance.now();
    const summary = await trainModel(model, set, all, { ...recipe, epochs: 2 }, { seed: 1 });
    return (summary.examplesProcessed / (performance.now() - start)) * 1000;
  } finally {
    model.dispose();
  }
}

/**
 * Picks the backend: a forced one (`?backend=`), else a remembered measurement for this browser and
 * adapter, else the fastest of the usable backends by a short training measurement.
 */
export async function chooseBackend(options: { force?: BackendName; remembered?: RememberedChoice }): Promise<BackendChoice> {
  const gpu = await describeWebGpu();
  const gl = describeWebGl();
  const probes: BackendProbe[] = [
    { name: 'webgpu', available: gpu.available, note: gpu.note },
    { name: 'webgl', available: gl.available, note: gl.note },
    {
      name: 'wasm',
      available: typeof WebAssembly === 'object',
      note: typeof WebAssembly === 'object' ? 'WebAssembly with SIMD (XNNPACK)' : 'no WebAssembly',
    },
    { name: 'cpu', available: true, note: 'plain JavaScript, always available, slowest' },
  ];
  // Software GPU adapters run on the CPU and lose to WASM by an order of magnitude (measured on a 2-core
  // machine: WebGPU/SwiftShader 5 img/s, WebGL/SwiftShader 16 img/s, WASM 150+ img/s), and compiling their
  // shaders alone takes tens of seconds, so they are not worth measuring at start-up.
  const skip = new Set<BackendName>();
  if (gpu.software) skip.add('webgpu');
  if (gl.software) skip.add('webgl');
  const print = `${navigator.userAgent} | ${gpu.adapter ?? 'no WebGPU adapter'}`;
  const base = { adapter: gpu.adapter, softwareAdapter: gpu.software, fingerprint: print };

  if (options.force) {
    const probe = probes.find((p) => p.name === options.force)!;
    if (!probe.available) throw new Error(`backend "${options.force}" was asked for but is not available here: ${probe.note}`);
    await activateBackend(options.force);
    return { ...base, name: options.force, reason: `forced by ?backend=${options.force} (${probe.note})`, probes, forced: true };
  }

  const remembered = options.remembered;
  if (remembered && remembered.fingerprint === print && probes.find((p) => p.name === remembered.name)?.available) {
    try {
      await activateBackend(remembered.name);
      return {
        ...base,
        name: remembered.name,
        reason: `fastest when measured earlier in this browser (${rates(remembered.probes)})`,
        probes: remembered.probes,
        forced: false,
      };
    } catch {
      // Fall through and measure again.
    }
  }

  for (const probe of probes) {
    if (!probe.available) continue;
    if (skip.has(probe.name)) {
      probe.note += ' (not measured: software adapters lose to WASM)';
      continue;
    }
    try {
      await activateBackend(probe.name);
      probe.trainImagesPerSec = await measureTraining();
    } catch (e) {
      probe.available = false;
      probe.note = `failed to start: ${errorMessage(e)}`;
    }
    // On a CPU-only machine the pure-JS backend is never the answer once WASM works; skip its slow probe.
    if (probe.name === 'wasm' && probe.trainImagesPerSec) break;
  }
  const measured = probes.filter((p) => p.trainImagesPerSec !== undefined);
  if (measured.length === 0) throw new Error('no TensorFlow.js backend could train here');
  const best = measured.reduce((a, b) => (b.trainImagesPerSec! > a.trainImagesPerSec! ? b : a));
  await activateBackend(best.name);
  const why = skip.size > 0 ? ` — skipped ${[...skip].join(' and ')}: software adapter` : '';
  return { ...base, name: best.name, reason: `fastest by a short measurement (${rates(probes)})${why}`, probes, forced: false };
}

function rates(probes: BackendProbe[]): string {
  return probes
    .filter((p) => p.trainImagesPerSec !== undefined)
    .map((p) => `${p.name} ${Math.round(p.trainImagesPerSec!)} img/s`)
    .join(', ');
}
