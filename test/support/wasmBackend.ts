import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/engine/backend/wasm/register';

/**
 * Switches tfjs to the WASM backend in Node tests (≈10× faster than the pure-JS CPU backend), with the
 * training kernels the app registers in the browser.
 */
export async function useWasmBackend(): Promise<void> {
  setWasmPaths(decodeURIComponent(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname));
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start in Node');
  registerWasmTrainingKernels();
}
