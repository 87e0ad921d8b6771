/** Which architecture to build. tf-free, so the page and experiment specs can import it without loading tfjs. */
export type ModelSpec = { arch: 'tiny-cnn' } | { arch: 'resnet9'; width: number };

export const DEFAULT_RESNET9_WIDTH = 0.25;

export function describeModel(spec: ModelSpec): string {
  return spec.arch === 'tiny-cnn' ? 'Tiny CNN' : `ResNet-9 (width ×${spec.width})`;
}
