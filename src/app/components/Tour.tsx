import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { TOUR } from '../lib/teaching';

/**
 * The guided tour: a few steps, each pointing at a live part of the page (by its data-tour attribute).
 * Keyboard: the dialog takes focus; Escape closes; Back / Next / Done are buttons.
 */
export function Tour({ onClose }: { onClose: () => void }) {
  const steps = TOUR.filter((s) => document.querySelector(`[data-tour="${s.target}"]`));
  const [k, setK] = useState(0);
  const [pos, setPos] = useState<{ top: number; left: number }>({ top: 80, left: 24 });
  const dialog = useRef<HTMLDivElement>(null);
  const step = steps[Math.min(k, steps.length - 1)];

  useLayoutEffect(() => {
    if (!step) return;
    const target = document.querySelector<HTMLElement>(`[data-tour="${step.target}"]`);
    if (!target) return;
    target.scrollIntoView({ block: 'center', behavior: 'auto' });
    target.classList.add('tour-target');
    const r = target.getBoundingClientRect();
    const width = Math.min(360, window.innerWidth - 32);
    const below = r.bottom + 12 + 220 < window.innerHeight;
    setPos({
      top: window.scrollY + (below ? r.bottom + 12 : Math.max(12, r.top - 232)),
      left: window.scrollX + Math.max(16, Math.min(r.left, window.innerWidth - width - 16)),
    });
    return () => target.classList.remove('tour-target');
  }, [step]);

  useEffect(() => {
    dialog.current?.focus();
  }, [k]);

  if (!step) return null;
  return (
    <div
      ref={dialog}
      className="tour"
      role="dialog"
      aria-modal="false"
      aria-labelledby="tour-title"
      tabIndex={-1}
      style={{ top: pos.top, left: pos.left }}
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
