import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../ChartBox';
import { ORACLE_COLOUR } from '../../lib/palette';
import { niceDomain } from '../../lib/niceScale';
import type { Bin } from '../../lib/resultViews';

/** One small histogram: a group's values over the oracle's (drawn behind, shaded), on shared bins. */
export function SmallHistogram({
  title,
  bins,
  values,
  oracle,
  colour,
  yMax,
  format,
  height = 150,
  integer = false,
}: {
  title: string;
  bins: Bin[];
  values: number[];
  oracle?: number[];
  colour: string;
  yMax: number;
  format: (v: number) => string;
  height?: number;
  /** Counts: whole-number ticks. */
  integer?: boolean;
}) {
  const y = niceDomain(0, yMax, 3, integer);
  const data = bins.map((b, k) => ({ x: b.centre.toFixed(1), group: values[k], oracle: oracle?.[k] }));
  return (
    <div className="small-multiple">
      <div className="small-title" data-export-label>
        {title}
      </div>
      <ChartBox height={height}>
        <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -18 }} barGap="-100%" barCategoryGap={1}>
          <CartesianGrid stroke="#eee" vertical={false} />
          <XAxis dataKey="x" interval={Math.max(0, Math.floor(bins.length / 4) - 1)} fontSize={10} />
          <YAxis domain={y.domain} ticks={y.ticks} tickFormatter={format} fontSize={10} interval={0} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(l) => `margin ≈ ${l}`} />
          {oracle && <Bar dataKey="oracle" name="oracle" fill={ORACLE_COLOUR} fillOpacity={0.28} isAnimationActive={false} />}
          <Bar dataKey="group" name={title} fill={colour} fillOpacity={oracle ? 0.8 : 1} isAnimationActive={false} />
        </BarChart>
      </ChartBox>
    </div>
  );
}
