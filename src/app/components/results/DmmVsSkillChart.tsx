import { useEffect, useState } from 'react';
import { ChartBox } from '../ChartBox';
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { RequestResult } from '../../../engine/experiment/result';
import type { ExperimentSpec } from '../../../engine/experiment/spec';
import { errorMessage } from '../../../engine/errors';
import { fmt } from '../../lib/format';
import { attributionName, loadSkillStudy, resultPoint, type SkillStudy } from '../../lib/skillStudy';
import { ChartFigure } from './ChartFigure';

const STUDY_COLOUR = '#4c78a8';
const RESULT_COLOUR = '#e45756';
const SKILL_AXIS_MIN = -1;

/**
 * "DMM is as good as its attribution": the shipped study's DMM forget distance against the forget-split skill of its
 * targets, across estimators and budgets, with this experiment's own point.
 */
export function DmmVsSkillChart({
  result,
  spec,
  scale,
  fileStem,
}: {
  result: RequestResult;
  spec: ExperimentSpec;
  scale: string;
  fileStem: string;
}) {
  const [study, setStudy] = useState<SkillStudy>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    loadSkillStudy().then(
      (s) => live && setStudy(s),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, []);
  const own = resultPoint(result, spec);
  if (error) return <p className="field-error">DMM vs attribution: {error}</p>;
  if (!study) return null;
  // Skills far below 0 (a full sum from few models) would squeeze the informative range [0, 1]: drawn at the left edge.
  const x = (skill: number) => Math.max(SKILL_AXIS_MIN, skill);
  const points = study.points.map((p) => ({ skill: x(p.skill.skill), dmm: p.gklForget.dmm, name: attributionName(p.attribution) }));
  const ownPoint = own && { ...own, skill: x(own.skill) };
  const floor = study.points[0]?.gklForget.floor;
  const doNothing = study.points[0]?.gklForget.doNothing;
  const ys = [...points.map((p) => p.dmm), ...(own ? [own.dmm] : []), ...(floor !== undefined ? [floor] : [])].filter((y) => y > 0);
  const yDomain: [number, number] = [Math.min(...ys) * 0.8, Math.max(...ys) * 1.25];
  return (
    <ChartFigure
      title="DMM vs attribution skill"
      fileStem={`${fileStem}-dmm-vs-skill`}
      testId="dmm-vs-skill-chart"
      legend={[
        { label: `study (N = ${study.n}): one attribution each`, colour: STUDY_COLOUR },
        ...(own ? [{ label: own.label, colour: RESULT_COLOUR }] : []),
      ]}
      scale={`${scale}; study: ${study.about}`}
      caption={
        <>
          Each point is one attribution (estimator and budget): how well it predicts retraining’s shift on the forget set (skill, across)
          against how far DMM, trained on its targets, ends from the oracles (moderated Gaussian KL on the forget split, up; lower is
          better). The lower dashed line is the noise floor ({fmt(floor, 2)}), the upper one doing nothing ({fmt(doNothing, 2)}). DMM is
          only as good as its attribution: with skill below 0 its targets are worse than the original model. Skills below {SKILL_AXIS_MIN}{' '}
          are drawn at {SKILL_AXIS_MIN} (the table has their values); the distance axis is logarithmic.
        </>
      }
      table={
        <table data-testid="dmm-vs-skill-table">
          <caption>DMM’s forget-split distance by attribution (study at N = {study.n})</caption>
          <thead>
            <tr>
              <th scope="col">attribution</th>
              <th scope="col">forget skill</th>
              <th scope="col">shift r</th>
              <th scope="col">cost × retrain</th>
              <th scope="col">GKL F: DM-Direct</th>
              <th scope="col">DMM</th>
            </tr>
          </thead>
          <tbody>
            {study.points.map((p) => (
              <tr key={p.name}>
                <th scope="row">{attributionName(p.attribution)}</th>
                <td>{fmt(p.skill.skill, 2)}</td>
                <td>{fmt(p.skill.shiftR, 2)}</td>
                <td>{fmt(p.attributionCost, 1)}</td>
                <td>{fmt(p.gklForget.dmDirect, 2)}</td>
                <td>{fmt(p.gklForget.dmm, 2)}</td>
              </tr>
            ))}
            {own && (
              <tr>
                <th scope="row">{own.label}</th>
                <td>{fmt(own.skill, 2)}</td>
                <td colSpan={3} />
                <td>{fmt(own.dmm, 2)}</td>
              </tr>
            )}
          </tbody>
        </table>
      }
    >
      <ChartBox height={300}>
        <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="#e5e5e5" />
          <XAxis
            type="number"
            dataKey="skill"
            name="forget skill"
            domain={[SKILL_AXIS_MIN, 1]}
            label={{ value: 'attribution skill on the forget split', position: 'insideBottom', offset: -12 }}
          />
          <YAxis
            type="number"
            dataKey="dmm"
            name="DMM GKL (forget)"
            scale="log"
            domain={yDomain}
            label={{ value: 'DMM distance (forget)', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }}
          />
          <ZAxis range={[48, 48]} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? fmt(v, 2) : String(v))} />
          {floor !== undefined && <ReferenceLine y={floor} stroke="#777" strokeDasharray="4 3" />}
          {doNothing !== undefined && <ReferenceLine y={doNothing} stroke="#b00" strokeDasharray="4 3" />}
          <Scatter name="study" data={points} fill={STUDY_COLOUR} isAnimationActive={false} />
          {ownPoint && <Scatter name={ownPoint.label} data={[ownPoint]} fill={RESULT_COLOUR} shape="star" isAnimationActive={false} />}
        </ScatterChart>
      </ChartBox>
    </ChartFigure>
  );
}
