import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartBox } from './ChartBox';
import type { TrainProgress } from '../../worker/protocol';

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
const LOSS_COLOUR = '#0072B2';
const ACC_COLOUR = '#D55E00';

/** Live training loss and accuracy, with the same numbers as a table for screen readers. */
export function TrainingChart({ events }: { events: TrainProgress[] }) {
  const data = events.map((e) => ({ step: e.step, loss: e.loss, accuracy: e.accuracy }));
  return (
    <figure className="chart">
      <ChartBox height={260}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#e5e5e5" />
          <XAxis
            dataKey="step"
            type="number"
            domain={[0, 'dataMax']}
            label={{ value: 'step', position: 'insideBottomRight', offset: -4 }}
          />
          <YAxis yAxisId="loss" domain={[0, 'auto']} stroke={LOSS_COLOUR} />
          <YAxis yAxisId="acc" orientation="right" domain={[0, 1]} stroke={ACC_COLOUR} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend />
          <Line yAxisId="loss" dataKey="loss" name="training loss" stroke={LOSS_COLOUR} dot={false} isAnimationActive={false} />
          <Line
            yAxisId="acc"
            dataKey="accuracy"
            name="training accuracy"
            stroke={ACC_COLOUR}
            strokeDasharray="5 3"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ChartBox>
      <figcaption>
        Training loss (solid, left axis) and training-batch accuracy (dashed, right axis), averaged over the steps between updates.
      </figcaption>
      <details>
        <summary>Show as table</summary>
        <table data-testid="training-table">
          <thead>
            <tr>
              <th>step</th>
              <th>loss</th>
              <th>accuracy</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.step}>
                <td>{d.step}</td>
                <td>{d.loss.toFixed(4)}</td>
                <td>{d.accuracy.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
