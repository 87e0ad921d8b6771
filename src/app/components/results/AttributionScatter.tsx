import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { ChartBox } from '../ChartBox';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { attributionName } from '../../lib/skillStudy';
import { SPLIT_COLOURS } from '../../lib/palette';
import { attributionScatter, SPLITS, SPLIT_LABELS, type ScatterPoint } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';

const SPLIT_SHAPES = { forget: 'diamond', retain: 'circle', validation: 'triangle' } as const;

/** DM-Direct's predicted shift of the mean margins against the true shift (oracles − originals), with the attribution skill. */
export function AttributionScatter({
  result,
  scale,
  fileStem,
  onExample,
}: {
  result: RequestResult;
  scale: string;
  fileStem: string;
  onExample: (e: number) => void;
}) {
  const a = result.attribution;
  if (!a) return null;
  const points = attributionScatter(result, 1500);
  const values = points.flatMap((p) => [p.predictedShift, p.trueShift]);
  const axis = niceDomain(Math.min(-1, ...values), Math.max(1, ...values), 5);
  const sk = a.skill;
  const [lo, hi] = axis.domain;
  const pick = (d: unknown) => {
    const p = (d as { payload?: ScatterPoint } & Partial<ScatterPoint>) ?? {};
    const example = p.example ?? p.payload?.example;
    if (example !== undefined) onExample(example);
  };
  return (
    <ChartFigure
      title="Attribution: predicted vs true shift"
      fileStem={`${fileStem}-attribution`}
      testId="attribution-chart"
      legend={SPLITS.map((s) => ({
        label: `${SPLIT_LABELS[s]}: skill ${fmt(sk[s].skill, 2)}`,
        colour: SPLIT_COLOURS[s],
        shape: SPLIT_SHAPES[s],
      }))}
      tip={FORMULAS.attribution}
      scale={`${scale}; ${attributionName(a)}`}
      caption={
        <>
          Each point is an example: the change of its mean margin DM-Direct predicts (up) against the change retraining made (across:
          oracles minus originals). On the line y = x the prediction is perfect; on the horizontal axis it predicts no change, as doing
          nothing does. Forget split: skill <strong data-testid="attribution-skill-forget">{fmt(sk.forget.skill, 3)}</strong>
          {sk.forget.ceiling !== undefined ? <> (ceiling {fmt(sk.forget.ceiling, 3)})</> : null}, shift r{' '}
          <span data-testid="attribution-shift-r-forget">{fmt(sk.forget.shiftR, 3)}</span>, slope {fmt(sk.forget.shiftSlope, 2)}. Skill
          above 0 means DMM’s targets are closer to retraining than the original model; below 0 they would damage it. Click a point to
          inspect it.
        </>
      }
      table={
        <table data-testid="attribution-table">
          <caption>Attribution skill (predicted vs true shift of the mean margins) from {a.models} models</caption>
          <thead>
            <tr>
              <th scope="col">split</th>
              <th scope="col">skill</th>
              <th scope="col">ceiling</th>
              <th scope="col">shift r</th>
              <th scope="col">shift slope</th>
              <th scope="col">examples</th>
            </tr>
          </thead>
          <tbody>
            {SPLITS.map((s) => (
              <tr key={s}>
                <th scope="row">{SPLIT_LABELS[s]}</th>
                <td>{fmt(sk[s].skill, 3)}</td>
                <td>{fmt(sk[s].ceiling, 3)}</td>
                <td>{fmt(sk[s].shiftR, 3)}</td>
                <td>{fmt(sk[s].shiftSlope, 2)}</td>
                <td>{result.splits[s].length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ChartBox height={320}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="#e5e5e5" />
          <XAxis
            type="number"
            dataKey="trueShift"
            name="true shift (oracles − originals)"
            domain={axis.domain}
            ticks={axis.ticks}
            label={{ value: 'true shift of the mean margin', position: 'insideBottom', offset: -12 }}
          />
          <YAxis
            type="number"
            dataKey="predictedShift"
            name="DM-Direct predicted shift"
            domain={axis.domain}
            ticks={axis.ticks}
            label={{ value: 'predicted shift', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <ZAxis range={[28, 28]} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v, 2) : String(v))} />
          <ReferenceLine y={0} stroke="#bbb" />
          <ReferenceLine
            segment={[
              { x: lo, y: lo },
              { x: hi, y: hi },
            ]}
            stroke="#777"
            strokeDasharray="4 3"
          />
          {(['retain', 'validation', 'forget'] as const).map((s) => (
            <Scatter
              key={s}
              name={SPLIT_LABELS[s]}
              data={points.filter((p) => p.split === s)}
              fill={SPLIT_COLOURS[s]}
              fillOpacity={s === 'forget' ? 0.9 : 0.45}
              shape={SPLIT_SHAPES[s]}
              isAnimationActive={false}
              onClick={pick}
              cursor="pointer"
            />
          ))}
        </ScatterChart>
      </ChartBox>
    </ChartFigure>
  );
}
