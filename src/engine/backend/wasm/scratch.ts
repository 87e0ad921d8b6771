/**
 * The machinery every kernel here shares: calling the wasm backend's own kernels (the stock ones, also after
 * register.ts replaced some of them) and disposing every intermediate, also on exceptions.
 */
import { getKernel } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

export const BACKEND = 'wasm';

export type KernelArgs = Parameters<KernelFunc>[0];

/** Stock wasm kernels that register.ts replaced, by name; empty while nothing is registered. */
export const replacedKernels = new Map<string, KernelConfig>();

export function wasmKernel(name: string): KernelFunc {
  const config = (replacedKernels.get(name) ?? getKernel(name, BACKEND)) as KernelConfig | undefined;
  if (config === undefined) {
    throw new Error(
      `wasmTrainingKernels: kernel '${name}' is not registered for backend 'wasm'. ` +
        `Import '@tensorflow/tfjs-backend-wasm' before registering the training kernels.`,
    );
  }
  return config.kernelFunc;
}

function single(out: TensorInfo | TensorInfo[], name: string): TensorInfo {
  if (Array.isArray(out)) throw new Error(`wasmTrainingKernels: kernel '${name}' returned several outputs`);
  return out;
}

/** Runs wasm kernels on one backend and disposes every intermediate it made, except the returned one. */
export class Scratch {
  private readonly made: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const out = single(wasmKernel(name)({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap }), name);
    this.made.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  constant(values: number[] | Float32Array, shape: number[]): TensorInfo {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const dataId = this.backend.write(data, shape, 'float32');
    const info: TensorInfo = { dataId, shape, dtype: 'float32' };
    this.made.push(info);
    return info;
  }

  disposeAllBut(keep: TensorInfo | undefined): void {
    for (const info of this.made) if (info !== keep) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

export function withScratch(backend: unknown, body: (s: Scratch) => TensorInfo): TensorInfo {
  const s = new Scratch(backend as KernelBackend);
  let out: TensorInfo | undefined;
  try {
    out = body(s);
    return out;
  } finally {
    s.disposeAllBut(out);
  }
}

/** Padding of the two spatial axes of an NHWC convolution; a negative bottom or right is cropped afterwards. */
export interface SpatialPad {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * A stride-1 NHWC Conv2D with explicit padding, cropped to `crop` = [height, width] when the padding made it larger:
 * the transposed convolutions here compute a few extra rows/columns rather than pad unevenly.
 */
export function convThenCrop(
  s: Scratch,
  x: TensorInfo,
  filter: TensorInfo,
  pad: SpatialPad,
  options: { dilations?: [number, number]; crop?: [number, number] } = {},
): TensorInfo {
  const out = s.run(
    'Conv2D',
    { x, filter },
    {
      strides: [1, 1],
      dilations: options.dilations ?? [1, 1],
      pad: [
        [0, 0],
        [pad.top, Math.max(0, pad.bottom)],
        [pad.left, Math.max(0, pad.right)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  const crop = options.crop;
  if (crop === undefined || (out.shape[1] === crop[0] && out.shape[2] === crop[1])) return out;
  return s.run('Slice', { x: out }, { begin: [0, 0, 0, 0], size: [out.shape[0], crop[0], crop[1], out.shape[3]] });
}
