import { useEffect, useRef, useState } from 'react';
import type { RequestResult, SplitKey } from '../../../engine/experiment/result';
import type { ExperimentSpec } from '../../../engine/experiment/spec';
import { fmt } from '../../lib/format';
import { groupColour, ORACLE_COLOUR } from '../../lib/palette';
import { exampleCount, exampleHistograms, exampleIdentity, SPLIT_LABELS, worstExamples } from '../../lib/resultViews';
import { FORMULAS } from '../../lib/teaching';
import { ChartFigure } from './ChartFigure';
import { SmallHistogram } from './SmallHistogram';

export type LoadImage = (set: 'train' | 'validation', index: number) => Promise<{ pixels: Uint8Array; label: number } | undefined>;

function ExampleImage({
  spec,
  example,
  loadImage,
  classNames,
}: {
  spec: ExperimentSpec;
  example: number;
  loadImage?: LoadImage;
  classNames: readonly string[];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [label, setLabel] = useState<number>();
  useEffect(() => {
    let live = true;
    const { set, index } = exampleIdentity(spec, example);
    setLabel(undefined);
    loadImage?.(set, index).then((img) => {
      if (!live || !img) return;
      setLabel(img.label);
      const ctx = ref.current?.getContext('2d');
      if (!ctx) return;
      const data = ctx.createImageData(32, 32);
      for (let i = 0; i < 1024; i++) {
        data.data[i * 4] = img.pixels[i * 3];
        data.data[i * 4 + 1] = img.pixels[i * 3 + 1];
        data.data[i * 4 + 2] = img.pixels[i * 3 + 2];
        data.data[i * 4 + 3] = 255;
      }
      ctx.putImageData(data, 0, 0);
    });
    return () => {
      live = false;
    };
  }, [spec, example, loadImage]);
  const { set, index } = exampleIdentity(spec, example);
  return (
    <div className="example-image">
      <canvas
        ref={ref}
        width={32}
        height={32}
        className="example-thumb"
        role="img"
        aria-label={`Example ${example}${label !== undefined ? `: ${classNames[label]}` : ''}`}
      />
      <span>
        {set === 'train' ? `training image #${index}` : `validation image #${index}`}
        {label !== undefined ? ` · ${classNames[label]}` : ''}
      </span>
    </div>
  );
}

/** For one example: histograms of its margin under the original, the oracle and every method. */
export function ExampleMargins({
  result,
  spec,
  scale,
  fileStem,
  example,
  onExample,
  loadImage,
  classNames,
}: {
  result: RequestResult;
  spec: ExperimentSpec;
  scale: string;
  fileStem: string;
  example: number;
  onExample: (e: number) => void;
  loadImage?: LoadImage;
  classNames: readonly string[];
}) {
  const total = exampleCount(result);
  const e = Math.max(0, Math.min(total - 1, example));
  const h = exampleHistograms(result, e);
  const order = Object.keys(result.groups);
  const oracle = h.groups.find((g) => g.key === 'oracle');
  const yMax = Math.max(1, ...h.groups.flatMap((g) => g.counts));
  const methodKeys = order.filter((k) => k !== 'original' && k !== 'oracle');
  const [worstOf, setWorstOf] = useState(methodKeys.includes('dmm') ? 'dmm' : (methodKeys[0] ?? 'original'));
  const [worstSplit, setWorstSplit] = useState<SplitKey>('forget');
  const worst = worstExamples(result, worstOf, worstSplit, 8);
  return (
    <ChartFigure
      title="One example’s margins"
      fileStem={`${fileStem}-example-${e}`}
      testId="example-chart"
      tour="margin"
      legend={[
        { label: 'oracle (shaded)', colour: ORACLE_COLOUR },
        ...h.groups.filter((g) => g.key !== 'oracle').map((g) => ({ label: g.label, colour: groupColour(g.key, order) })),
      ]}
      tip={
        <>
          {FORMULAS.margin} {FORMULAS.klom}
        </>
      }
      scale={scale}
      controls={
        <div className="example-controls">
          <label className="field inline">
            <span>Example</span>
            <input
              type="number"
              min={0}
              max={total - 1}
              value={e}
              onChange={(ev) => onExample(Number(ev.currentTarget.value) || 0)}
              data-testid="example-input"
            />
          </label>
          <ExampleImage spec={spec} example={e} loadImage={loadImage} classNames={classNames} />
          <span className="tag" data-testid="example-split">
            {h.split ? SPLIT_LABELS[h.split] : 'not in this request'}
          </span>
        </div>
      }
      caption={
        <>
          Each panel counts this example’s margin over the group’s {result.groups.original.margins.length} models (coloured) against the
          oracles’ (shaded). Where the two overlap, unlearning looks like retraining for this image; the panel title gives its KLoM. Click
          an image in the grid, a point in the attribution scatter, or a row below to inspect another example.
        </>
      }
      table={
        <table data-testid="example-table">
          <thead>
            <tr>
              <th scope="col">group</th>
              <th scope="col">margins (one per model)</th>
              <th scope="col">KLoM vs oracle</th>
            </tr>
          </thead>
          <tbody>
            {h.groups.map((g) => (
              <tr key={g.key}>
                <th scope="row">{g.label}</th>
                <td>{h.margins[g.key].map((m) => fmt(m, 2)).join(', ')}</td>
                <td>{h.klom[g.key] === undefined ? '' : fmt(h.klom[g.key], 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div className="small-multiples">
        {h.groups.map((g) => (
          <SmallHistogram
            key={g.key}
            title={`${g.label}${h.klom[g.key] !== undefined ? ` · KLoM ${fmt(h.klom[g.key], 2)}` : ''}`}
            bins={h.bins}
            values={g.counts}
            oracle={g.key === 'oracle' ? undefined : oracle?.counts}
            colour={groupColour(g.key, order)}
            yMax={yMax}
            format={(v) => String(Math.round(v))}
            height={130}
            integer
          />
        ))}
      </div>
      <div className="worst-examples">
        <div className="worst-head">
          <span>Highest KLoM under</span>
          <select value={worstOf} onChange={(ev) => setWorstOf(ev.currentTarget.value)} aria-label="Method for the highest-KLoM list">
            {order
              .filter((k) => result.groups[k].klomPerExample)
              .map((k) => (
                <option key={k} value={k}>
                  {result.groups[k].label}
                </option>
              ))}
          </select>
          <span>in</span>
          <select
            value={worstSplit}
            onChange={(ev) => setWorstSplit(ev.currentTarget.value as SplitKey)}
            aria-label="Split for the highest-KLoM list"
          >
            {(['forget', 'retain', 'validation'] as const).map((s) => (
              <option key={s} value={s}>
                {SPLIT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <ul className="worst-list">
          {worst.map((w) => (
            <li key={w.example}>
              <button type="button" className={`small${w.example === e ? ' active' : ''}`} onClick={() => onExample(w.example)}>
                #{w.example} · {fmt(w.klom, 2)}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </ChartFigure>
  );
}
