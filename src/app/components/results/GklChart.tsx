import { useState } from 'react';
import type { RequestResult } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { niceDomain } from '../../lib/niceScale';
import { distanceRows, SPLITS, verdict } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';
import { SplitBars, splitLegend } from './SplitBars';
import { StatSelect } from './StatSelect';

type GklStat = 'mean' | 'p95';
const STAT_LABELS: Record<GklStat, string> = { mean: 'mean', p95: '95th percentile' };

/** Moderated Gaussian KL per split for every method beside its oracle-vs-oracle noise floor (the engine's numbers). */
export function GklChart({
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
  const [stat, setStat] = useState<GklStat>('mean');
  const rows = distanceRows(result, 'gkl', stat);
  const means = distanceRows(result, 'gkl', 'mean');
  const p95s = distanceRows(result, 'gkl', 'p95');
  const floor = rows[rows.length - 1];
  const max = Math.max(0.5, ...rows.flatMap((r) => [r.forget, r.retain, r.validation]).filter(Number.isFinite));
  return (
    <ChartFigure
      title="Small-N distance (GKL) per split"
      fileStem={`${fileStem}-gkl`}
      testId="gkl-chart"
      legend={splitLegend}
      tip={<>{FORMULAS.gkl} Its noise floor compares the same two oracle groups as KLoM’s.</>}
      subtitle={subtitle}
      scale={scale}
      controls={<StatSelect value={stat} labels={STAT_LABELS} onChange={setStat} />}
      caption={
        <>
          Lower is better: how far each group’s margins are from the oracles’ ({STAT_LABELS[stat]} over each split’s examples of the
          moderated Gaussian KL, in nats). The grey bottom row is its noise floor — two groups of oracles compared with each other.
        </>
      }
      table={
        <table data-testid="gkl-table">
          <caption>
            GKL per split, mean and 95th percentile; examples per split: F {floor.counts.forget}, R {floor.counts.retain}, V{' '}
            {floor.counts.validation}
          </caption>
          <thead>
            <tr>
              <th scope="col">group</th>
              {SPLITS.map((s) => (
                <th key={s} scope="col" colSpan={2}>
                  {s} (mean · p95)
                </th>
              ))}
              <th scope="col">reading</th>
            </tr>
          </thead>
          <tbody>
            {means.map((r, i) => (
              <tr key={r.key} data-group={r.key}>
                <th scope="row">
                  {r.label}
                  {r.detail ? ` — ${r.detail}` : ''}
                </th>
                {SPLITS.flatMap((s) => [
                  <td key={`${s}-mean`} data-testid={`gkl-${r.key}-${s}-mean`}>
                    {fmt(r[s], 3)}
                  </td>,
                  <td key={`${s}-p95`} data-testid={`gkl-${r.key}-${s}-p95`}>
                    {fmt(p95s[i][s], 3)}
                  </td>,
                ])}
                <td>{[verdict(r, means), ...r.warnings].filter(Boolean).join('; ')}</td>
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
