import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ORACLE_COLOUR } from '../../lib/palette';
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
  const data = bins.map((b, k) => ({ x: b.centre.toFixed(1), group: values[k], oracle: oracle?.[k] }));
  return (
    <div className="small-multiple">
      <div className="small-title" data-export-label>
        {title}
      </div>
      <div style={{ width: '100%', height }}>
        <ResponsiveContainer>
          <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -18 }} barGap="-100%" barCategoryGap={1}>
            <CartesianGrid stroke="#eee" vertical={false} />
            <XAxis dataKey="x" interval={Math.max(0, Math.floor(bins.length / 4) - 1)} fontSize={10} />
            <YAxis domain={[0, yMax]} tickFormatter={format} fontSize={10} allowDecimals={!integer} tickCount={integer ? Math.min(yMax + 1, 5) : 5} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(l) => `margin ≈ ${l}`} />
            {oracle && <Bar dataKey="oracle" name="oracle" fill={ORACLE_COLOUR} fillOpacity={0.28} isAnimationActive={false} />}
            <Bar dataKey="group" name={title} fill={colour} fillOpacity={oracle ? 0.8 : 1} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
