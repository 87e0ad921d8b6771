import { describe, expect, it } from 'vitest';
import { ActiveTime, RunControl } from '../control';
import type { ExperimentPlan, PlannedPhase } from './plan';
import { estimate, Progress, type ExperimentProgress } from './progress';

/** A clock the test moves by hand (ms). */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

const phase: PlannedPhase = {
  id: 'originals',
  kind: 'originals',
  label: 'Originals',
  models: 4,
  examples: 4000,
  roles: ['a', 'b', 'c', 'd'],
};
const plan = { phases: [phase], totalExamples: 4000 } as unknown as ExperimentPlan;

describe('ActiveTime', () => {
  it('leaves the pauses out', () => {
    const clock = fakeClock();
    const control = new RunControl();
    const active = new ActiveTime(control, clock.now);
    clock.advance(10);
    control.pause();
    clock.advance(30);
    expect(active.seconds()).toBe(10); // frozen while paused
    control.resume();
    clock.advance(5);
    expect(active.seconds()).toBe(15);
  });
});

describe('estimate', () => {
  it('is work done over active time, counting down between finished models', () => {
    const at = (activeNow: number) => estimate({ computedExamples: 1000, activeAtLastComputed: 10, activeNow, remainingExamples: 3000 });
    expect(at(10)).toEqual({ imagesPerSec: 100, etaSeconds: 30 });
    expect(at(15).etaSeconds).toBe(25);
    expect(at(60).etaSeconds).toBe(0); // never negative
    expect(estimate({ computedExamples: 0, activeAtLastComputed: 0, activeNow: 3, remainingExamples: 3000 }).etaSeconds).toBeNaN();
  });
});

describe('Progress', () => {
  it('a pause lowers neither the images/s nor the time left, which only falls while nothing finishes', () => {
    const clock = fakeClock();
    const control = new RunControl();
    const events: ExperimentProgress[] = [];
    const progress = new Progress(plan, (p) => events.push(p), control, clock.now);
    const last = () => events[events.length - 1];
    progress.begin(phase, 'training');
    clock.advance(10);
    progress.modelDone(phase, 1000, false);
    expect(last().imagesPerSec).toBe(100);
    expect(last().etaSeconds).toBe(30);

    const etas = [last().etaSeconds];
    for (let k = 0; k < 8; k++) {
      clock.advance(1);
      progress.step('training', k / 8);
      etas.push(last().etaSeconds);
    }
    expect(etas).toEqual([...etas].sort((a, b) => b - a)); // falls
    expect(last().etaSeconds).toBe(22);

    control.pause();
    clock.advance(60);
    progress.step('paused', 0.9);
    expect(last().etaSeconds).toBe(22); // a pause does not eat into the time left
    control.resume();
    clock.advance(2); // 20 s of active time for 2,000 examples
    progress.modelDone(phase, 1000, false);
    expect(last().imagesPerSec).toBe(100); // not 2000 / 80 s
    expect(last().etaSeconds).toBe(20);
    // A cached model costs no time and shortens what is left.
    progress.modelDone(phase, 1000, true);
    expect(last().etaSeconds).toBe(10);
    // Work that is not a model (a gradient kernel) shortens what is left without counting as a model.
    const doneBefore = last().phases[0].done;
    clock.advance(5);
    progress.workDone(500, false);
    expect(last().imagesPerSec).toBe(100); // 3,500 examples over 35 s of active time
    expect(last().etaSeconds).toBe(5);
    expect(last().phases[0].done).toBe(doneBefore);
  });
});
