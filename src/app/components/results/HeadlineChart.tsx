import { Bar, BarChart, CartesianGrid, Cell, ReferenceArea, ReferenceLine, XAxis, YAxis } from 'recharts';
import { ChartBox } from '../ChartBox';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { FLOOR_COLOUR, groupColour, ORIGINAL_COLOUR } from '../../lib/palette';
import { percent, readingPhrase, type Headline, type HeadlineRow } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';

/** Height of one method's row: two label lines (name and value, cost) above a bar. */
const ROW = 60;
const BAR = 14;
const NAME_CHARS = 36;
const LEFT = 12;
/** Recharts draws reference lines and areas above the axis ticks that carry the labels; these go beneath them. */
const BEHIND_LABELS = -10;

const costText = (row: HeadlineRow) =>
  row.cost === undefined
    ? 'cost not measured'
    : `cost ${percent(row.cost)} of retraining${row.costWithAttribution === undefined ? '' : ` (${percent(row.costWithAttribution)} with attribution)`}`;

/**
 * The forget-split distance of every method, best first, against the noise floor's band and the do-nothing line,
 * with each method's cost on its label line (labels sit above the bars, so the chart reads on a phone).
 */
export function HeadlineChart({
  headline: h,
  result,
  scale,
  fileStem,
  subtitle,
}: {
  headline: Headline;
  result: RequestResult;
  scale: string;
  fileStem: string;
  subtitle?: string;
}) {
  const order = Object.keys(result.groups);
  const max = Math.max(h.nothing, h.floor.hi, ...h.rows.map((r) => r.value).filter(Number.isFinite));
  const x = niceDomain(0, Number.isFinite(max) ? max : 1, 3);
  const data = h.rows.map((r) => ({ ...r, bar: Number.isFinite(r.value) ? r.value : 0 }));
  const title = `${h.distance === 'gkl' ? 'Small-N distance' : 'KLoM'} on the forget split, best first`;
  return (
    <ChartFigure
      title={title}
      fileStem={`${fileStem}-headline`}
      testId="headline-chart"
      subtitle={subtitle}
      legend={[
        { label: `noise floor ${h.floor.lo === h.floor.hi ? '' : '(forget–validation band)'}`.trim(), colour: FLOOR_COLOUR },
        { label: 'do nothing', colour: ORIGINAL_COLOUR, dashed: true },
      ]}
      tip={
        <>
          {h.distance === 'gkl' ? FORMULAS.gkl : FORMULAS.klom} {FORMULAS.floor} {FORMULAS.cost}
        </>
      }
      scale={scale}
      caption={
        <>
          Lower is better: each bar is a method’s {h.statName} on the forget split. The grey band is the noise floor — two groups of
          retrained models against each other — on the forget ({fmt(h.floor.value, 3)}) and validation examples, which no oracle trained on;
          a bar inside it is at the floor. The dashed line is doing nothing ({fmt(h.nothing, 3)}). Cost: the method’s compute as a share of
          retraining’s.
        </>
      }
      table={
        <table data-testid="headline-table">
          <caption>
            {h.statName} on the forget split, best first; noise floor {fmt(h.floor.value, 3)} (band {fmt(h.floor.lo, 3)}–
            {fmt(h.floor.hi, 3)}
            ), doing nothing {fmt(h.nothing, 3)}
          </caption>
          <thead>
            <tr>
              <th scope="col">method</th>
              <th scope="col">{h.statName}</th>
              <th scope="col">cost (× retraining)</th>
              <th scope="col">reading</th>
            </tr>
          </thead>
          <tbody>
            {h.rows.map((r) => (
              <tr key={r.key} data-group={r.key}>
                <th scope="row">{r.label}</th>
                <td data-testid={`headline-${r.key}-value`}>{fmt(r.value, 3)}</td>
                <td data-testid={`headline-${r.key}-cost`}>
                  {fmt(r.cost, 3)}
                  {r.costWithAttribution === undefined ? '' : ` (${fmt(r.costWithAttribution, 3)} with attribution)`}
                </td>
                <td>{r.reading ? readingPhrase(r.reading) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div data-testid="headline-plot">
        <ChartBox height={40 + h.rows.length * ROW}>
          <BarChart data={data} layout="vertical" margin={{ top: 10, right: 12, bottom: 4, left: LEFT }} barSize={BAR}>
            <CartesianGrid stroke="#e5e5e5" horizontal={false} />
            <XAxis type="number" domain={x.domain} ticks={x.ticks} tickFormatter={(v: number) => fmt(v, x.ticks[1] < 1 ? 1 : 0)} />
            {/* Each method's name, number and cost sit above its bar (drawn as the axis tick, so a bar of 0 keeps its label). */}
            <YAxis
              type="category"
              dataKey="key"
              width={1}
              interval={0}
              axisLine={false}
              tickLine={false}
              tick={({ y, payload }) => {
                const row = data.find((r) => r.key === payload.value);
                if (!row) return <g />;
                const name = row.label.length > NAME_CHARS ? `${row.label.slice(0, NAME_CHARS - 1)}…` : row.label;
                const top = Number(y) - BAR / 2;
                return (
                  // A white halo keeps the lines behind the labels from striking through them.
                  <g stroke="#fff" strokeWidth={3} paintOrder="stroke" strokeLinejoin="round">
                    <text x={LEFT} y={top - 19} fontSize={12} fill="#222">
                      <tspan fontWeight={700}>{name}</tspan>
                      <tspan> {fmt(row.value, 3)}</tspan>
                    </text>
                    <text x={LEFT} y={top - 5} fontSize={11} fill="#555">
                      {costText(row)}
                    </text>
                  </g>
                );
              }}
            />
            <ReferenceArea
              x1={h.floor.lo}
              x2={h.floor.hi}
              ifOverflow="extendDomain"
              zIndex={BEHIND_LABELS}
              shape={(p: { x: number; y: number; width: number; height: number }) => (
                <rect
                  x={p.x}
                  y={p.y}
                  width={Math.max(2, p.width)}
                  height={p.height}
                  fill={FLOOR_COLOUR}
                  fillOpacity={0.35}
                  data-testid="headline-floor-band"
                  data-lo={h.floor.lo}
                  data-hi={h.floor.hi}
                  aria-label={`noise floor ${fmt(h.floor.lo, 3)} to ${fmt(h.floor.hi, 3)}`}
                />
              )}
            />
            <Bar dataKey="bar" isAnimationActive={false}>
              {data.map((r) => (
                <Cell key={r.key} fill={groupColour(r.key, order)} data-testid={`headline-bar-${r.key}`} data-value={r.value} />
              ))}
            </Bar>
            <ReferenceLine
              x={h.nothing}
              ifOverflow="extendDomain"
              zIndex={BEHIND_LABELS}
              shape={(p: { x1: number; y1: number; x2: number; y2: number }) => (
                <line
                  x1={p.x1}
                  y1={p.y1}
                  x2={p.x2}
                  y2={p.y2}
                  stroke={ORIGINAL_COLOUR}
                  strokeWidth={2}
                  strokeDasharray="5 3"
                  data-testid="headline-nothing-line"
                  data-value={h.nothing}
                  aria-label={`do nothing ${fmt(h.nothing, 3)}`}
                />
              )}
            />
          </BarChart>
        </ChartBox>
      </div>
    </ChartFigure>
  );
}
