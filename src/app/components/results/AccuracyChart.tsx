import type { RequestResult } from '../../../engine/experiment/result';
import { pct } from '../../lib/format';
import { accuracyRows } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';
import { SplitBars, splitLegend } from './SplitBars';

/** Accuracy per split of every group, the oracle included. */
export function AccuracyChart({ result, scale, fileStem }: { result: RequestResult; scale: string; fileStem: string }) {
  const rows = accuracyRows(result);
  const oracle = rows.find((r) => r.key === 'oracle');
  return (
    <ChartFigure
      title="Accuracy per split"
      fileStem={`${fileStem}-accuracy`}
      testId="accuracy-chart"
      legend={splitLegend}
      tip={FORMULAS.accuracy}
      scale={scale}
      caption={
        <>
          A good method matches the oracle row: forget accuracy near the oracle’s {oracle ? `(${pct(oracle.forget)})` : ''} — not far below
          it, which would be over-unlearning — and retain and validation accuracy kept.
        </>
      }
      table={
        <table data-testid="accuracy-table">
          <thead>
            <tr>
              <th scope="col">group</th>
              <th scope="col">forget</th>
              <th scope="col">retain</th>
              <th scope="col">validation</th>
              <th scope="col">models</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>{pct(r.forget)}</td>
                <td>{pct(r.retain)}</td>
                <td>{pct(r.validation)}</td>
                <td>{result.groups[r.key].margins.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <SplitBars
        rows={rows}
        domain={[0, 1]}
        ticks={[0, 0.25, 0.5, 0.75, 1]}
        format={(v) => `${Math.round(v * 100)} %`}
        highlight={oracle?.label}
      />
    </ChartFigure>
  );
}
