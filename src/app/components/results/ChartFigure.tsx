import { useId, useRef, useState, type ReactNode } from 'react';
import { Symbols } from 'recharts';
import { download, figureSvg, svgToPng, type LegendItem } from '../../lib/chartExport';
import { errorMessage } from '../../../engine/errors';
import { InfoTip } from '../InfoTip';

interface Props {
  title: string;
  /** File name stem for exports. */
  fileStem: string;
  legend?: LegendItem[];
  /** Formula or definition, shown in a tooltip next to the title. */
  tip?: ReactNode;
  /** Plain-language reading of the chart. */
  caption: ReactNode;
  /** N and scale of the numbers. */
  scale: string;
  /** The same numbers as a table (the chart's text alternative). */
  table: ReactNode;
  controls?: ReactNode;
  /** A short line under the title: what the chart can and cannot tell at this N. */
  subtitle?: ReactNode;
  children: ReactNode;
  testId?: string;
  tour?: string;
}

/** A chart with its title, formula, legend, caption, scale, table view and PNG / SVG export. */
export function ChartFigure(p: Props) {
  const id = useId();
  const body = useRef<HTMLDivElement>(null);
  const legendRef = useRef<HTMLUListElement>(null);
  const [error, setError] = useState<string>();
  const save = async (kind: 'svg' | 'png') => {
    if (!body.current) return;
    setError(undefined);
    try {
      const swatches = Array.from(legendRef.current?.children ?? [], (li) => li.querySelector('svg'));
      const { markup, width, height } = figureSvg(body.current, { title: p.title, legend: p.legend ?? [], note: p.scale }, swatches);
      if (kind === 'svg') download(markup, `${p.fileStem}.svg`, 'image/svg+xml');
      else download(await svgToPng(markup, width, height), `${p.fileStem}.png`);
    } catch (e) {
      setError(`Could not save the chart: ${errorMessage(e)}`);
    }
  };
  return (
    <figure className="chart-card" aria-labelledby={`${id}-title`} data-testid={p.testId} {...(p.tour ? { 'data-tour': p.tour } : {})}>
      <div className="chart-head">
        <h3 id={`${id}-title`}>
          {p.title} {p.tip && <InfoTip label={p.title}>{p.tip}</InfoTip>}
        </h3>
        <div className="chart-actions" role="group" aria-label={`Save ${p.title}`}>
          <button type="button" className="small" onClick={() => save('png')} aria-label={`Save ${p.title} as PNG`}>
            PNG
          </button>
          <button type="button" className="small" onClick={() => save('svg')} aria-label={`Save ${p.title} as SVG`}>
            SVG
          </button>
        </div>
      </div>
      {p.subtitle && <p className="chart-subtitle">{p.subtitle}</p>}
      {p.controls}
      {p.legend && p.legend.length > 0 && (
        <ul className="chart-legend" aria-label="Legend" ref={legendRef}>
          {p.legend.map((l) => (
            <li key={l.label}>
              {l.shape ? (
                <svg width={14} height={14} viewBox="0 0 14 14" aria-hidden="true">
                  <Symbols cx={7} cy={7} type={l.shape} size={70} fill={l.colour} />
                </svg>
              ) : (
                <span
                  className={`swatch${l.dashed ? ' dashed' : ''}`}
                  style={l.dashed ? { borderColor: l.colour } : { background: l.colour }}
                  aria-hidden="true"
                />
              )}
              {l.label}
            </li>
          ))}
        </ul>
      )}
      <div ref={body} className="chart-body" role="img" aria-label={`${p.title}: chart; the same numbers are in the table below.`}>
        {p.children}
      </div>
      <figcaption>
        {p.caption} <span className="scale-note">{p.scale}</span>
      </figcaption>
      {error && <p className="error">{error}</p>}
      <details className="chart-table">
        <summary>Show as table</summary>
        {p.table}
      </details>
    </figure>
  );
}
