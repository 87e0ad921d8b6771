import { useState } from 'react';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { distanceRows, verdict, type KlomStat } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';
import { SplitBars, splitLegend } from './SplitBars';
import { StatSelect } from './StatSelect';

const STAT_LABELS: Record<KlomStat, string> = { p95: '95th percentile', p99: '99th percentile', mean: 'mean' };

/** KLoM per split for every method beside the oracle-vs-oracle noise floor. */
export function KlomChart({
  result,
  scale,
  fileStem,
  subtitle,
}: {
  result: RequestResult;
  scale: string;
  fileStem: string;
  subtitle?: string;
}) {
  const [stat, setStat] = useState<KlomStat>('p95');
  const rows = distanceRows(result, 'klom', stat);
  const floor = rows[rows.length - 1];
  const max = Math.max(1, ...rows.flatMap((r) => [r.forget, r.retain, r.validation]).filter(Number.isFinite));
  return (
    <ChartFigure
      title="KLoM per split"
      fileStem={`${fileStem}-klom`}
      testId="klom-chart"
      tour="klom"
      subtitle={subtitle && <span data-testid="klom-subtitle">{subtitle}</span>}
      legend={splitLegend}
      tip={
        <>
          {FORMULAS.klom} {FORMULAS.floor}
        </>
      }
      scale={scale}
      controls={<StatSelect value={stat} labels={STAT_LABELS} onChange={setStat} />}
      caption={
        <>
          Lower is better: how far each group’s margins are from the oracles’ ({STAT_LABELS[stat]} of KLoM over each split’s examples). The
          grey bottom row is the noise floor — two groups of oracles compared with each other — the best any method can score at this N.
          Doing nothing is the original model’s score.
        </>
      }
      table={
        <table data-testid="klom-table">
          <caption>
            KLoM ({STAT_LABELS[stat]}) per split; examples per split: F {floor.counts.forget}, R {floor.counts.retain}, V{' '}
            {floor.counts.validation}
          </caption>
          <thead>
            <tr>
              <th scope="col">group</th>
              <th scope="col">forget</th>
              <th scope="col">retain</th>
              <th scope="col">validation</th>
              <th scope="col">reading</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-group={r.key}>
                <th scope="row">
                  {r.label}
                  {r.detail ? ` — ${r.detail}` : ''}
                </th>
                <td data-testid={`klom-${r.key}-forget`}>{fmt(r.forget, 3)}</td>
                <td data-testid={`klom-${r.key}-retain`}>{fmt(r.retain, 3)}</td>
                <td data-testid={`klom-${r.key}-validation`}>{fmt(r.validation, 3)}</td>
                <td>{[verdict(r, rows), ...r.warnings].filter(Boolean).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <SplitBars
        rows={rows}
        domain={[0, Math.ceil(max)]}
        ticks={niceDomain(0, max, 4).ticks}
        format={(v) => fmt(v, 1)}
        highlight={floor.label}
      />
    </ChartFigure>
  );
}
