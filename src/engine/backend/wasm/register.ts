/**
 * Registers the training kernels for 'wasm' (see README.md): each tries its fast path and falls back to the stock
 * kernel it replaced for the arguments the fast path does not cover.
 */
import {
  backend_util,
  BatchMatMul,
  Cast,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  Tile,
  unregisterKernel,
} from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { wasmConv2DBackpropFilter } from './conv2dBackpropFilter';
import { conv2DBackpropInputByPhases, conv2DBackpropInputViaConv } from './conv2dBackpropInput';
import { maxPoolGradNonOverlapping } from './maxPoolGrad';
import { aliasSameDtype, batchMatMulWithoutTransposes, reduceOverSpatialAxes, tileByBroadcast } from './reductions';
import { BACKEND, replacedKernels, wasmKernel, type KernelArgs } from './scratch';

let registered = false;

/**
 * Kernel names this module registers for 'wasm': the missing Conv2DBackpropFilter, and faster (MaxPoolGrad: also
 * correct) versions of stock kernels, which still handle the cases the fast paths do not cover.
 */
export const WASM_TRAINING_KERNELS = [
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  MaxPoolGrad,
  Sum,
  Mean,
  Tile,
  Identity,
  Cast,
  BatchMatMul,
] as const;

const FAST_PATHS: Record<(typeof WASM_TRAINING_KERNELS)[number], (args: KernelArgs) => TensorInfo | undefined> = {
  [Conv2DBackpropFilter]: (args) => {
    const { dataFormat } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    // NCHW: delegate to a previously registered kernel if there is one, else wasmConv2DBackpropFilter throws.
    const other = replacedKernels.has(Conv2DBackpropFilter);
    if (other && backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') return undefined;
    return wasmConv2DBackpropFilter(args);
  },
  [Conv2DBackpropInput]: (args) => conv2DBackpropInputByPhases(args) ?? conv2DBackpropInputViaConv(args),
  [MaxPoolGrad]: maxPoolGradNonOverlapping,
  [Sum]: reduceOverSpatialAxes('Sum'),
  [Mean]: reduceOverSpatialAxes('Mean'),
  [Tile]: tileByBroadcast,
  [Identity]: aliasSameDtype,
  [Cast]: aliasSameDtype,
  [BatchMatMul]: batchMatMulWithoutTransposes,
};

/**
 * Registers the training kernels for the 'wasm' backend (idempotent; call any time after
 * '@tensorflow/tfjs-backend-wasm' was imported, before or after tf.setBackend('wasm')).
 * Returns the names of the kernels now provided by this module.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  if (registered) return WASM_TRAINING_KERNELS;
  wasmKernel('Conv2D'); // throws a clear error when the wasm backend's kernels are not loaded
  const replaced = new Map<string, KernelConfig>();
  for (const name of WASM_TRAINING_KERNELS) {
    const builtin = getKernel(name, BACKEND) as KernelConfig | undefined;
    if (builtin !== undefined) {
      replaced.set(name, builtin);
      unregisterKernel(name, BACKEND); // re-registering an existing kernel would only log a warning
    }
    const fast = FAST_PATHS[name];
    registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: (args) => {
        const out = fast(args);
        if (out !== undefined) return out;
        if (builtin === undefined) throw new Error(`wasm ${name} (wasmTrainingKernels): unsupported arguments`);
        return builtin.kernelFunc(args);
      },
    });
  }
  for (const [name, config] of replaced) replacedKernels.set(name, config);
  registered = true;
  return WASM_TRAINING_KERNELS;
}

/** Undoes registerWasmTrainingKernels: removes its kernels and restores the built-in ones it replaced. */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const name of WASM_TRAINING_KERNELS) {
    unregisterKernel(name, BACKEND);
    const builtin = replacedKernels.get(name);
    if (builtin !== undefined) registerKernel(builtin);
  }
  replacedKernels.clear();
  registered = false;
}
