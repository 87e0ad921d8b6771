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

/** Height of one group: its name above three bars. */
const ROW = 56;
const BAR = 9;
const NAME_CHARS = 44;
const LEFT = 12;

/** Horizontal grouped bars: one row per group, one bar per split, the group's name above its bars (readable on a phone). */
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
    <ChartBox height={40 + rows.length * ROW}>
      <BarChart data={data} layout="vertical" margin={{ top: 10, right: 16, bottom: 4, left: LEFT }} barSize={BAR} barGap={1}>
        <CartesianGrid stroke="#e5e5e5" horizontal={false} />
        <XAxis type="number" domain={ticks ? [ticks[0], ticks[ticks.length - 1]] : domain} ticks={ticks} tickFormatter={format} />
        {/* Each group's name sits above its bars (drawn as the axis tick, so a bar of 0 keeps its name). */}
        <YAxis
          type="category"
          dataKey="name"
          width={1}
          interval={0}
          axisLine={false}
          tickLine={false}
          tick={({ y, payload }) => {
            const name = String(payload.value);
            return (
              <text
                x={LEFT}
                y={Number(y) - (3 * BAR + 2) / 2 - 4}
                fontSize={12}
                fontWeight={name === highlight ? 700 : 400}
                fill="#222"
                stroke="#fff"
                strokeWidth={3}
                paintOrder="stroke"
              >
                {name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name}
              </text>
            );
          }}
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
