/** Where each skip link goes: the element that takes focus, else (still loading) the heading of its section. */
const TARGETS = [
  { label: 'Skip to forget set', focus: '[data-testid="image-grid"]', heading: 'forget-heading', section: 'forget' },
  { label: 'Skip to results', focus: '#results-heading', heading: 'results-heading', section: 'results' },
] as const;

export type SkipSection = (typeof TARGETS)[number]['section'];

/**
 * The first focusable elements of the page: links past the setup controls (some 70 Tab presses) to the image
 * grid and to the results. Hidden until focused. `before` runs first (it shows the playground tab).
 */
export function SkipLinks({ shown, before }: { shown: (s: SkipSection) => boolean; before: () => void }) {
  const go = (focus: string, heading: string) => {
    before();
    // After the tab switch has rendered.
    requestAnimationFrame(() => {
      const target = document.querySelector<HTMLElement>(focus) ?? document.getElementById(heading);
      target?.focus();
      target?.scrollIntoView({ block: 'start' });
    });
  };
  return (
    <nav className="skip-links" aria-label="Skip links">
      {TARGETS.filter((t) => shown(t.section)).map((t) => (
        <a
          key={t.section}
          href={`#${t.heading}`}
          onClick={(e) => {
            e.preventDefault(); // the hash holds the experiment
            go(t.focus, t.heading);
          }}
        >
          {t.label}
        </a>
      ))}
    </nav>
  );
}
