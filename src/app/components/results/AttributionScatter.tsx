import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { SPLIT_COLOURS } from '../../lib/palette';
import { attributionScatter, SPLITS, SPLIT_LABELS, type ScatterPoint } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';

const SPLIT_SHAPES = { forget: 'diamond', retain: 'circle', validation: 'triangle' } as const;

/** DM-Direct's predicted mean margins against the oracles' mean margins, with the attribution quality. */
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
  const values = points.flatMap((p) => [p.predicted, p.oracle]);
  const axis = niceDomain(Math.min(0, ...values), Math.max(1, ...values), 5);
  const [lo, hi] = axis.domain;
  const pick = (d: unknown) => {
    const p = (d as { payload?: ScatterPoint } & Partial<ScatterPoint>) ?? {};
    const example = p.example ?? p.payload?.example;
    if (example !== undefined) onExample(example);
  };
  return (
    <ChartFigure
      title="Attribution: DM-Direct vs oracle"
      fileStem={`${fileStem}-attribution`}
      testId="attribution-chart"
      legend={SPLITS.map((s) => ({
        label: `${SPLIT_LABELS[s]}: r = ${fmt(a.quality[s], 2)}`,
        colour: SPLIT_COLOURS[s],
        shape: SPLIT_SHAPES[s],
      }))}
      tip={FORMULAS.attribution}
      scale={`${scale}; ${a.estimator === 'datamodels' ? `${a.models} subset models` : `TRAK, ${a.models} models`}`}
      caption={
        <>
          Each point is an example: the margin DM-Direct predicts the oracle will have (up) against the oracles’ actual mean margin
          (across). On the diagonal the prediction is perfect. Attribution quality (Pearson r): forget{' '}
          <strong data-testid="attribution-quality-forget">{fmt(a.quality.forget, 3)}</strong>, retain {fmt(a.quality.retain, 3)},
          validation {fmt(a.quality.validation, 3)}. With few subset models the estimate is noisy; more models give better DMM targets.
          Click a point to inspect it.
        </>
      }
      table={
        <table>
          <caption>Attribution quality (Pearson r of predicted vs oracle mean margins) from {a.models} models</caption>
          <thead>
            <tr>
              <th scope="col">split</th>
              <th scope="col">r</th>
              <th scope="col">examples</th>
            </tr>
          </thead>
          <tbody>
            {SPLITS.map((s) => (
              <tr key={s}>
                <th scope="row">{SPLIT_LABELS[s]}</th>
                <td>{fmt(a.quality[s], 3)}</td>
                <td>{result.splits[s].length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div style={{ width: '100%', height: 320 }}>
        <ResponsiveContainer>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
            <CartesianGrid stroke="#e5e5e5" />
            <XAxis
              type="number"
              dataKey="oracle"
              name="oracle mean margin"
              domain={axis.domain}
              ticks={axis.ticks}
              label={{ value: 'oracle mean margin', position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              type="number"
              dataKey="predicted"
              name="DM-Direct predicted margin"
              domain={axis.domain}
              ticks={axis.ticks}
              label={{ value: 'predicted', angle: -90, position: 'insideLeft' }}
            />
            <ZAxis range={[28, 28]} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v, 2) : String(v))} />
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
        </ResponsiveContainer>
      </div>
    </ChartFigure>
  );
}
