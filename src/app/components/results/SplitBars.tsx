import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../ChartBox';
import type { SplitKey } from '../../../engine/experiment/result';
import { SPLIT_COLOURS } from '../../lib/palette';
import { SPLITS, SPLIT_LABELS } from '../../lib/resultViews';

export interface SplitBarRow {
  key: string;
  label: string;
  forget: number;
  retain: number;
  validation: number;
}

/** Horizontal grouped bars: one row per group, one bar per split. */
export function SplitBars({
  rows,
  domain,
  ticks,
  format,
  highlight,
}: {
  rows: SplitBarRow[];
  domain: [number, number];
  ticks?: number[];
  format: (v: number) => string;
  highlight?: string;
}) {
  const data = rows.map((r) => ({ ...r, name: r.label }));
  return (
    <ChartBox height={44 + rows.length * 46}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }} barCategoryGap={8} barGap={1}>
        <CartesianGrid stroke="#e5e5e5" horizontal={false} />
        <XAxis type="number" domain={ticks ? [ticks[0], ticks[ticks.length - 1]] : domain} ticks={ticks} tickFormatter={format} />
        <YAxis
          type="category"
          dataKey="name"
          width={215}
          tick={({ x, y, payload }) => (
            <text x={x} y={y} dy={4} textAnchor="end" fontSize={12} fontWeight={payload.value === highlight ? 700 : 400} fill="#222">
              {String(payload.value).length > 32 ? `${String(payload.value).slice(0, 31)}…` : payload.value}
            </text>
          )}
        />
        <Tooltip formatter={(v, name) => [typeof v === 'number' ? format(v) : String(v), SPLIT_LABELS[name as SplitKey] ?? String(name)]} />
        {SPLITS.map((s) => (
          <Bar key={s} dataKey={s} name={s} fill={SPLIT_COLOURS[s]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartBox>
  );
}

export const splitLegend = SPLITS.map((s) => ({ label: SPLIT_LABELS[s], colour: SPLIT_COLOURS[s] }));
