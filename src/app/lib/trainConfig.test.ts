import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, withArch } from './trainConfig';

describe('withArch', () => {
  it("moves a default peak learning rate to the new model's default", () => {
    expect(withArch(DEFAULT_FORM, 'resnet9').peakLr).toBe(0.15);
    expect(withArch(withArch(DEFAULT_FORM, 'resnet9'), 'tiny-cnn').peakLr).toBe(0.05);
  });
  it('keeps a learning rate the user chose', () => {
    expect(withArch({ ...DEFAULT_FORM, peakLr: 0.02 }, 'resnet9').peakLr).toBe(0.02);
  });
});
