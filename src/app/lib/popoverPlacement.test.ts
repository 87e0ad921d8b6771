import { describe, expect, it } from 'vitest';
import { placePopover } from './popoverPlacement';

const viewport = { width: 1280, height: 900 };
const popover = { width: 360, height: 200 };
const inside = (p: { top: number; left: number }) =>
  p.top >= 0 && p.left >= 0 && p.top + popover.height <= viewport.height && p.left + popover.width <= viewport.width;

describe('placePopover', () => {
  it('goes below the target when it fits, aligned with its left edge', () => {
    expect(placePopover({ top: 100, left: 40, width: 300, height: 50 }, popover, viewport)).toEqual({ top: 162, left: 40 });
  });
  it('goes above a target near the bottom', () => {
    expect(placePopover({ top: 700, left: 40, width: 300, height: 150 }, popover, viewport)).toEqual({ top: 488, left: 40 });
  });
  it('stays inside the viewport for a target taller than it, off its edges or off screen', () => {
    const targets = [
      { top: -300, left: 40, width: 1200, height: 1600 },
      { top: 100, left: 1200, width: 300, height: 50 },
      { top: 100, left: -50, width: 300, height: 50 },
      { top: -2000, left: 40, width: 300, height: 50 },
      { top: 5000, left: 40, width: 300, height: 50 },
    ];
    for (const t of targets) expect(inside(placePopover(t, popover, viewport)), JSON.stringify(t)).toBe(true);
  });
});
