import type { RequestResult } from '../../../engine/experiment/result';
import { fmt, pct } from '../../lib/format';
import { FORMULAS } from '../../lib/teaching';
import { InfoTip } from '../InfoTip';

/** Membership inference accuracy per group, and the ε score where the engine computed it. */
export function MembershipTable({ result }: { result: RequestResult }) {
  const groups = Object.values(result.groups);
  if (!groups.some((g) => g.mia !== undefined || g.epsilon)) return null;
  const withEpsilon = groups.some((g) => g.epsilon);
  const floor = result.noiseFloor.epsilon;
  return (
    <table className="extra-metrics" data-testid="mia-table">
      <caption>
        Membership inference{withEpsilon ? ' and ε score' : ''} <InfoTip label="membership inference">{FORMULAS.mia}</InfoTip>
      </caption>
      <thead>
        <tr>
          <th scope="col">group</th>
          <th scope="col">MIA accuracy</th>
          {withEpsilon && <th scope="col">ε forget score</th>}
          {withEpsilon && <th scope="col">ε final score</th>}
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={g.name}>
            <th scope="row">{g.label}</th>
            <td>{g.mia === undefined ? '' : pct(g.mia)}</td>
            {withEpsilon && <td>{g.epsilon ? fmt(g.epsilon.forgetScore, 3) : ''}</td>}
            {withEpsilon && <td>{g.epsilon ? fmt(g.epsilon.finalScore, 3) : ''}</td>}
          </tr>
        ))}
        {withEpsilon && floor && (
          <tr>
            <th scope="row">Noise floor (oracle vs oracle)</th>
            <td />
            <td>{fmt(floor.forgetScore, 3)}</td>
            <td>{fmt(floor.finalScore, 3)}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
