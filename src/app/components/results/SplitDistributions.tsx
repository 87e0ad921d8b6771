import { useState } from 'react';
import type { RequestResult, SplitKey } from '../../../engine/experiment/result';
import { fmt } from '../../lib/format';
import { groupColour, ORACLE_COLOUR } from '../../lib/palette';
import { SPLITS, SPLIT_LABELS, splitDistributions } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';
import { SmallHistogram } from './SmallHistogram';

/** The whole split's margin distribution of each method against the oracle's. */
export function SplitDistributions({ result, scale, fileStem }: { result: RequestResult; scale: string; fileStem: string }) {
  const [split, setSplit] = useState<SplitKey>('forget');
  const d = splitDistributions(result, split, 30);
  const order = Object.keys(result.groups);
  const oracle = d.groups.find((g) => g.key === 'oracle');
  const others = d.groups.filter((g) => g.key !== 'oracle');
  const yMax = Math.max(0.01, ...d.groups.flatMap((g) => g.fractions));
  return (
    <ChartFigure
      title="Margin distributions per split"
      fileStem={`${fileStem}-distributions-${split}`}
      testId="distribution-chart"
      legend={[
        { label: 'oracle (shaded)', colour: ORACLE_COLOUR },
        ...others.map((g) => ({ label: g.label, colour: groupColour(g.key, order) })),
      ]}
      tip={FORMULAS.margin}
      scale={scale}
      controls={
        <div className="split-switch" role="radiogroup" aria-label="Split">
          {SPLITS.map((s) => (
            <label key={s}>
              <input type="radio" name={`split-${fileStem}`} checked={split === s} onChange={() => setSplit(s)} /> {SPLIT_LABELS[s]} (
              {result.splits[s].length})
            </label>
          ))}
        </div>
      }
      caption={
        <>
          All margins on the {SPLIT_LABELS[split].toLowerCase()} split ({d.examples} examples × each group’s models), as a share per bin. On
          the forget split the original sits to the right of the oracle (it still remembers F); a good method moves onto the oracle’s shape,
          and one that goes far to the left over-unlearns. Values beyond the 0.5–99.5 % range fall into the end bins.
        </>
      }
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">margin bin</th>
              {d.groups.map((g) => (
                <th key={g.key} scope="col">
                  {g.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d.bins.map((b, k) => (
              <tr key={k}>
                <th scope="row">
                  {fmt(b.lo, 2)} … {fmt(b.hi, 2)}
                </th>
                {d.groups.map((g) => (
                  <td key={g.key}>{fmt(g.fractions[k], 3)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div className="small-multiples">
        {others.map((g) => (
          <SmallHistogram
            key={g.key}
            title={g.label}
            bins={d.bins}
            values={g.fractions}
            oracle={oracle?.fractions}
            colour={groupColour(g.key, order)}
            yMax={yMax}
            format={(v) => `${Math.round(v * 100)}%`}
            height={140}
          />
        ))}
      </div>
    </ChartFigure>
  );
}
