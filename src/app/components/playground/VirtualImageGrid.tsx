import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
} from 'react';
import type { ImageStore } from '../../lib/imageStore';

const CELL = 52; // 46 px image + border + gap
const OVERSCAN_ROWS = 3;

interface Props {
  store: ImageStore;
  /** The store's version, so the grid redraws when images arrive. */
  version: number;
  /** Indices (into the training split) to show, in order. */
  items: number[];
  selected: ReadonlySet<number>;
  classNames: readonly string[];
  /** Whether the selection can change (not while a run holds the spec); inspecting always works. */
  selectable: boolean;
  /** The example being inspected (outlined). */
  current?: number;
  onSelect: (indices: number[], add: boolean) => void;
  onInspect: (index: number) => void;
  label: string;
  height?: number;
}

/** One 32×32 image drawn on a canvas (scaled up with CSS, pixelated); grey until its pixels arrive. */
const Thumb = memo(function Thumb({ store, index, loaded }: { store: ImageStore; index: number; loaded: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const pixels = loaded ? store.pixels(index) : undefined;
    if (!pixels) {
      ctx.fillStyle = '#d9dde2';
      ctx.fillRect(0, 0, 32, 32);
      return;
    }
    const data = ctx.createImageData(32, 32);
    for (let i = 0; i < 1024; i++) {
      data.data[i * 4] = pixels[i * 3];
      data.data[i * 4 + 1] = pixels[i * 3 + 1];
      data.data[i * 4 + 2] = pixels[i * 3 + 2];
      data.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
  }, [store, index, loaded]);
  return <canvas ref={ref} width={32} height={32} className="grid-thumb" aria-hidden="true" />;
});

/**
 * The training images as a virtualised grid (only the visible rows exist in the DOM, so 45,000 images
 * scroll smoothly). Inspecting and selecting are different gestures, so looking at an image never changes
 * the forget set: a click (or tap, or Enter) inspects; the tile's check box, Ctrl/⌘/Shift-click or Space
 * adds or removes; pressing on one image and dragging over others paints. A listbox: arrow keys, Page
 * Up/Down, Home/End move; Shift + arrows extend the selection.
 */
export function VirtualImageGrid({
  store,
  version,
  items,
  selected,
  classNames,
  selectable,
  current,
  onSelect,
  onInspect,
  label,
  height = 372,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  // A press on an image: it paints once it reaches a second image (or at once, from the check box or with a modifier).
  const drag = useRef<{ first: number; add: boolean; painting: boolean; seen: Set<number> } | undefined>(undefined);
  const lastPointer = useRef<string>('');

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const end = () => (drag.current = undefined);
    window.addEventListener('pointerup', end);
    window.addEventListener('pointercancel', end);
    return () => {
      window.removeEventListener('pointerup', end);
      window.removeEventListener('pointercancel', end);
    };
  }, []);

  const columns = Math.max(1, Math.floor((width - 8) / CELL));
  const rows = Math.ceil(items.length / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / CELL) - OVERSCAN_ROWS);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + height) / CELL) + OVERSCAN_ROWS);
  const from = firstRow * columns;
  const to = Math.min(items.length, (lastRow + 1) * columns);
  const activeIndex = Math.min(active, Math.max(0, items.length - 1));

  // Fetch the chunks covering what is on screen.
  useEffect(() => {
    if (to <= from) return;
    // A filtered view can spread over many chunks: fetch those that hold visible images only.
    const chunks = new Set<number>();
    for (let k = from; k < to; k++) chunks.add(Math.floor(items[k] / store.chunkSize));
    for (const c of chunks) void store.ensure(c * store.chunkSize, (c + 1) * store.chunkSize).catch(() => undefined);
  }, [store, items, from, to]);

  const scrollToItem = useCallback(
    (k: number) => {
      const el = scroller.current;
      if (!el) return;
      const top = Math.floor(k / columns) * CELL;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + CELL > el.scrollTop + height) el.scrollTop = top + CELL - height;
    },
    [columns, height],
  );

  const activate = (k: number) => {
    const clamped = Math.max(0, Math.min(items.length - 1, k));
    setActive(clamped);
    scrollToItem(clamped);
    return clamped;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (items.length === 0) return;
    const page = Math.max(1, Math.floor(height / CELL)) * columns;
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
      PageDown: page,
      PageUp: -page,
    };
    if (e.key in moves) {
      e.preventDefault();
      const k = activate(activeIndex + moves[e.key]);
      if (e.shiftKey && selectable) onSelect([items[k]], true);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      activate(e.key === 'Home' ? 0 : items.length - 1);
    } else if (e.key === ' ') {
      e.preventDefault();
      const i = items[activeIndex];
      if (selectable) onSelect([i], !selected.has(i));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onInspect(items[activeIndex]);
    }
  };

  /** The check box, or a modifier key: the gesture that selects. */
  const selects = (e: PointerEvent | MouseEvent) =>
    e.ctrlKey || e.metaKey || e.shiftKey || (e.target instanceof Element && !!e.target.closest('.grid-check'));

  const onPointerDown = (e: PointerEvent, k: number) => {
    lastPointer.current = e.pointerType;
    setActive(k);
    if (e.pointerType !== 'mouse' || e.button !== 0) return;
    e.preventDefault(); // no text selection while painting
    scroller.current?.focus({ preventScroll: true });
    const i = items[k];
    const painting = selects(e);
    if (!painting) onInspect(i);
    if (!selectable) return;
    drag.current = { first: i, add: !selected.has(i), painting, seen: new Set([i]) };
    if (painting) onSelect([i], drag.current.add);
  };

  const onPointerEnter = (e: PointerEvent, k: number) => {
    const d = drag.current;
    if (!d || !(e.buttons & 1)) return;
    const i = items[k];
    if (d.seen.has(i)) return;
    d.seen.add(i);
    // The press becomes a drag: the first image joins the paint.
    onSelect(d.painting ? [i] : [d.first, i], d.add);
    d.painting = true;
  };

  // Touch and pen: a tap inspects, a tap on the check box toggles (mouse presses were handled on pointer down).
  const onClick = (e: MouseEvent, k: number) => {
    if (lastPointer.current === 'mouse') return;
    const i = items[k];
    setActive(k);
    if (!selects(e)) onInspect(i);
    else if (selectable) onSelect([i], !selected.has(i));
  };

  const cells = [];
  for (let k = from; k < to; k++) {
    const i = items[k];
    const row = Math.floor(k / columns);
    const col = k % columns;
    const isSelected = selected.has(i);
    const label = store.hasLabel(i) ? classNames[store.labels[i]] : '';
    cells.push(
      <div
        key={i}
        id={`grid-image-${i}`}
        role="option"
        aria-selected={isSelected}
        aria-label={`Image ${i}${label ? `, ${label}` : ''}${isSelected ? ', in the forget set' : ''}`}
        className={`grid-cell${isSelected ? ' selected' : ''}${k === activeIndex ? ' active' : ''}${i === current ? ' current' : ''}`}
        style={{ transform: `translate(${col * CELL}px, ${row * CELL}px)` }}
        title={`#${i}${label ? ` · ${label}` : ''}`}
        data-index={i}
        onPointerDown={(e) => onPointerDown(e, k)}
        onPointerEnter={(e) => onPointerEnter(e, k)}
        onClick={(e) => onClick(e, k)}
      >
        <Thumb store={store} index={i} loaded={!!store.pixels(i)} />
        {(selectable || isSelected) && (
          <span className="grid-check" aria-hidden="true" title={isSelected ? 'Remove from the forget set' : 'Add to the forget set'}>
            {isSelected ? '✓' : ''}
          </span>
        )}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className="virtual-grid"
      style={{ height }}
      role="listbox"
      aria-label={label}
      aria-multiselectable={selectable}
      aria-activedescendant={items.length > 0 ? `grid-image-${items[activeIndex]}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-version={version}
      data-testid="image-grid"
    >
      <div className="virtual-grid-inner" style={{ height: rows * CELL }}>
        {cells}
      </div>
      {items.length === 0 && <p className="hint grid-empty">No images match.</p>}
    </div>
  );
}
