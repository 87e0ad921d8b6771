/**
 * The metrics measured on every group against the oracles, in the order they are written into the result.
 * A metric is a pure function in metrics/ plus one entry here (and its field in the result schema).
 */
import { epsilonScore } from '../../metrics/epsilon';
import { gklPerExample } from '../../metrics/gkl';
import { klomBySplit, klomPerExample } from '../../metrics/klom';
import { lossesFromMargins, meanSimpleMia } from '../../metrics/mia';
import { floorGroups } from '../../metrics/noiseFloor';
import { pick } from '../../metrics/splits';
import { accuracyWarnings } from '../../metrics/warnings';
import type { GroupResult, NoiseFloor, Splits } from '../result';
import type { MetricName } from '../spec';

/** What a metric sees: the oracles of the request, its splits, and a seed for anything random. */
export interface MeasureInputs {
  oracle: GroupResult;
  oracleMargins: Float32Array[];
  /** The independent oracle group, when there are N of them (the noise floor's second group). */
  independentMargins?: Float32Array[];
  /** GKL's prior variance s0²: the median over all examples of the oracles' margin variance, one per request. */
  gklPrior: number;
  splits: Splits;
  seed: number;
}

interface GroupMetric {
  /** The spec's metric that turns it on; absent: always measured. */
  enabledBy?: MetricName;
  /** Measured on the oracle group too (against itself it is meaningless for most metrics). */
  onOracle?: boolean;
  measure(g: GroupResult, m: MeasureInputs): void;
  /** The same metric for the noise floor (the independent oracles against the oracles), when it has one. */
  floor?(floor: NoiseFloor, m: MeasureInputs): void;
}

const GROUP_METRICS: GroupMetric[] = [
  {
    enabledBy: 'mia',
    onOracle: true,
    measure(g, m) {
      const losses = g.margins.map((row) => lossesFromMargins(row));
      g.mia = meanSimpleMia(
        losses.map((l) => pick(l, m.splits.forget)),
        losses.map((l) => pick(l, m.splits.validation)),
        { seed: m.seed },
      );
    },
  },
  {
    measure(g, m) {
      const perExample = klomPerExample(g.margins, m.oracleMargins);
      g.klomPerExample = Array.from(perExample);
      g.klom = klomBySplit(perExample, m.splits);
    },
  },
  {
    measure(g, m) {
      const perExample = gklPerExample(g.margins, m.oracleMargins, m.gklPrior);
      g.gklPerExample = Array.from(perExample);
      g.gkl = klomBySplit(perExample, m.splits);
    },
    floor(floor, m) {
      // The same two groups as KLoM's floor, and the request's s0².
      const { a, b } = m.independentMargins ? floorGroups(m.independentMargins, m.oracleMargins) : floorGroups(m.oracleMargins);
      floor.gkl = klomBySplit(gklPerExample(a, b, m.gklPrior), m.splits);
    },
  },
  {
    enabledBy: 'epsilon-score',
    measure(g, m) {
      g.epsilon = epsilonScore(g.margins, g.accuracy, m.oracleMargins, m.oracle.accuracy, m.splits);
    },
    floor(floor, m) {
      if (m.independentMargins)
        floor.epsilon = epsilonScore(m.independentMargins, m.oracle.accuracy, m.oracleMargins, m.oracle.accuracy, m.splits);
    },
  },
  {
    measure(g, m) {
      if (g.name !== 'original') g.warnings.push(...accuracyWarnings(g.accuracy, m.oracle.accuracy));
    },
  },
];

const enabled = (metric: GroupMetric, metrics: readonly MetricName[]) => !metric.enabledBy || metrics.includes(metric.enabledBy);

/** Every enabled metric of a group (the oracle group gets only those that make sense against itself). */
export function measureGroup(g: GroupResult, metrics: readonly MetricName[], m: MeasureInputs): void {
  for (const metric of GROUP_METRICS) {
    if (enabled(metric, metrics) && (g.name !== 'oracle' || metric.onOracle)) metric.measure(g, m);
  }
}

/** The noise floor's share of every enabled metric that has one. */
export function measureFloor(floor: NoiseFloor, metrics: readonly MetricName[], m: MeasureInputs): void {
  for (const metric of GROUP_METRICS) if (enabled(metric, metrics)) metric.floor?.(floor, m);
}
