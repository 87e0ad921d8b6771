import { useLayoutEffect, useRef, useState } from 'react';
import { placePopover } from '../lib/popoverPlacement';
import { TOUR } from '../lib/teaching';

const targetOf = (target: string) => document.querySelector<HTMLElement>(`[data-tour="${target}"]`);

/** The steps whose part of the page is on show now (the margins and KLoM steps need results). */
export const availableTourSteps = () => TOUR.filter((s) => targetOf(s.target));

/** How many steps the tour has right now, for the button that starts it (re-read after every render of the caller). */
export function useTourLength(): number {
  const [length, setLength] = useState(0);
  useLayoutEffect(() => setLength(availableTourSteps().length));
  return length;
}

/**
 * The guided tour: a few steps, each pointing at a live part of the page (by its data-tour attribute).
 * Each step scrolls its own target into view and places the popover beside it inside the viewport
 * (position: fixed, placed again on scroll and resize). Keyboard: the dialog takes focus without
 * scrolling; Escape closes; Back / Next / Done are buttons.
 */
export function Tour({ onClose }: { onClose: () => void }) {
  const steps = availableTourSteps();
  const [k, setK] = useState(0);
  const [pos, setPos] = useState<{ top: number; left: number }>();
  const dialog = useRef<HTMLDivElement>(null);
  const step = steps[Math.min(k, steps.length - 1)];

  useLayoutEffect(() => {
    const target = step && targetOf(step.target);
    if (!target) return;
    target.classList.add('tour-target');
    target.scrollIntoView({ block: 'center', behavior: 'instant' });
    const place = () => {
      const box = dialog.current?.getBoundingClientRect();
      if (!box) return;
      setPos(placePopover(target.getBoundingClientRect(), box, { width: window.innerWidth, height: window.innerHeight }));
    };
    place();
    // Focusing must not scroll: the page would jump back to where the popover was for the last step.
    dialog.current?.focus({ preventScroll: true });
    window.addEventListener('scroll', place, { passive: true });
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place);
      window.removeEventListener('resize', place);
      target.classList.remove('tour-target');
    };
  }, [step]);

  if (!step) return null;
  return (
    <div
      ref={dialog}
      className="tour"
      role="dialog"
      aria-modal="false"
      aria-labelledby="tour-title"
      tabIndex={-1}
      // Hidden until placed (its size is measured first).
      style={pos ? { top: pos.top, left: pos.left } : { top: 0, left: 0, visibility: 'hidden' }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
      data-testid="tour"
    >
      <p className="tour-count">
        Step {k + 1} of {steps.length}
      </p>
      <h2 id="tour-title">{step.title}</h2>
      <p>{step.body}</p>
      <div className="buttons">
        <button type="button" onClick={() => setK(k - 1)} disabled={k === 0}>
          Back
        </button>
        {k < steps.length - 1 ? (
          <button type="button" className="primary" onClick={() => setK(k + 1)}>
            Next
          </button>
        ) : (
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close tour
        </button>
      </div>
    </div>
  );
}
