/** Where a popover goes beside the element it points at: viewport coordinates, always inside the viewport. */

export interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
}

const GAP = 12; // between the target and the popover
const MARGIN = 8; // between the popover and the viewport's edges

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(x, Math.max(lo, hi)));

/**
 * Below the target when it fits, else above it, else over the bottom of the viewport (a target taller than
 * the screen); aligned with the target's left edge as far as the viewport allows.
 */
export function placePopover(
  target: Box,
  popover: { width: number; height: number },
  viewport: { width: number; height: number },
): { top: number; left: number } {
  const below = target.top + target.height + GAP;
  const above = target.top - GAP - popover.height;
  const lowest = viewport.height - MARGIN - popover.height;
  const top = below <= lowest ? below : above >= MARGIN ? above : lowest;
  return {
    top: clamp(top, MARGIN, lowest),
    left: clamp(target.left, MARGIN, viewport.width - MARGIN - popover.width),
  };
}
