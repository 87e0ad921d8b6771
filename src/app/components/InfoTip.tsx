import { useId, useState, type ReactNode } from 'react';

/**
 * A small "?" button that shows a definition (a formula, a caveat) on hover, focus or click; the text is
 * also the button's accessible description, so screen readers get it without opening anything.
 */
export function InfoTip({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <span className="infotip" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        type="button"
        className="infotip-button"
        aria-label={`About ${label}`}
        aria-describedby={id}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      >
        ?
      </button>
      <span id={id} role="tooltip" className={`infotip-body${open ? ' open' : ''}`}>
        {children}
      </span>
    </span>
  );
}
