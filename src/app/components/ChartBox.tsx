import { useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A chart's box: full width, `height` tall, with recharts' ResponsiveContainer inside only while the box has
 * a size. A chart in a hidden tab or a closed <details> is 0 × 0; drawn there, recharts warns on every render
 * (thousands of warnings while a model trains on the other tab), so it is not drawn until it shows.
 */
export function ChartBox({ height, children }: { height: number; children: ReactElement }) {
  const box = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(false);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const check = () => setShown(el.clientWidth > 0 && el.clientHeight > 0);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={box} style={{ width: '100%', height }}>
      {shown && <ResponsiveContainer>{children}</ResponsiveContainer>}
    </div>
  );
}
