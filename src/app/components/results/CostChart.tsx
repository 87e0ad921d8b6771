import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { ChartBox } from '../ChartBox';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { groupColour, groupShape, FLOOR_COLOUR } from '../../lib/palette';
import { costPoints } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';

/** Forget-split KLoM against cost (fraction of retraining) per method. */
export function CostChart({ result, scale, fileStem }: { result: RequestResult; scale: string; fileStem: string }) {
  const points = costPoints(result);
  const order = Object.keys(result.groups);
  const floor = result.noiseFloor.klom.forget.p95;
  const maxX = Math.max(1, ...points.map((p) => p.cost).filter(Number.isFinite)) * 1.3;
  const maxY = Math.max(1, floor, ...points.map((p) => p.klomForget).filter(Number.isFinite));
  const x = niceDomain(0, maxX, 4);
  const y = niceDomain(0, maxY, 4);
  return (
    <ChartFigure
      title="KLoM against cost"
      fileStem={`${fileStem}-cost`}
      testId="cost-chart"
      legend={[
        ...points.map((p) => ({ label: p.label, colour: groupColour(p.key, order), shape: groupShape(p.key, order) })),
        { label: 'noise floor (forget)', colour: FLOOR_COLOUR, dashed: true },
      ]}
      tip={FORMULAS.cost}
      scale={scale}
      caption={
        <>
          Each method is one marker (see the legend; exact values in the table). Bottom left is best: forgetting as well as retraining (low
          KLoM on F) for a small share of its compute. Retraining sits at cost 1 by definition; doing nothing costs 0 and forgets nothing.
        </>
      }
      table={
        <table data-testid="cost-table">
          <thead>
            <tr>
              <th scope="col">method</th>
              <th scope="col">cost (× retraining, examples)</th>
              <th scope="col">with attribution</th>
              <th scope="col">time (× retraining)</th>
              <th scope="col">KLoM p95 forget</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.key}>
                <th scope="row">{p.label}</th>
                <td>{fmt(p.cost, 3)}</td>
                <td>{p.costWithAttribution === undefined ? '' : fmt(p.costWithAttribution, 3)}</td>
                <td>{fmt(p.timeFraction, 3)}</td>
                <td>{fmt(p.klomForget, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ChartBox height={300}>
        <ScatterChart margin={{ top: 16, right: 32, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="#e5e5e5" />
          <XAxis
            type="number"
            dataKey="cost"
            name="cost"
            domain={x.domain}
            ticks={x.ticks}
            label={{ value: 'cost (fraction of retraining)', position: 'insideBottom', offset: -12 }}
          />
          <YAxis
            type="number"
            dataKey="klomForget"
            name="KLoM p95 forget"
            domain={y.domain}
            ticks={y.ticks}
            label={{ value: 'KLoM p95 (F)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <ZAxis range={[90, 90]} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v, 3) : String(v))} />
          <ReferenceLine y={floor} stroke={FLOOR_COLOUR} strokeDasharray="5 3" ifOverflow="extendDomain" />
          {points.map((p) => (
            <Scatter
              key={p.key}
              name={p.label}
              data={[p]}
              fill={groupColour(p.key, order)}
              shape={groupShape(p.key, order)}
              fillOpacity={0.85}
              isAnimationActive={false}
            />
          ))}
        </ScatterChart>
      </ChartBox>
    </ChartFigure>
  );
}
