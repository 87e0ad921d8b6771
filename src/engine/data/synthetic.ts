import { PIXELS_PER_IMAGE, type ImageSet } from './types';
import { createRng } from '../rng';

/**
 * A learnable toy image set for fast unit tests: each class has its own mean colour and a bright
 * square at a class-specific position, plus noise. A working training loop must reduce the loss on it.
 */
export function syntheticImageSet(count: number, seed = 0): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    const base = [(label * 25) % 256, (label * 70) % 256, (255 - label * 25) % 256];
    const sq = { r: (label % 5) * 6, c: Math.floor(label / 5) * 16 };
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inSquare = y >= sq.r && y < sq.r + 8 && x >= sq.c && x < sq.c + 8;
        for (let ch = 0; ch < 3; ch++) {
          const v = (inSquare ? 255 : base[ch]) + rng.normal() * 30;
          images[i * PIXELS_PER_IMAGE + (y * 32 + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
  }
  return { images, labels, count, sourceIndex: Uint32Array.from({ length: count }, (_, i) => i) };
}
