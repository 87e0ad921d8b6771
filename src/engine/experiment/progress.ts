/**
 * Progress of a running experiment, in the plan's phases: what each phase has done, what runs now, the
 * throughput of computed (not cached) work and the time left at that rate. Events go out at most every 250 ms,
 * except when a phase or a model starts or ends.
 */
import { ActiveTime, type RunControl } from '../control';
import type { ExperimentPlan, PlannedPhase } from './plan';

/**
 * Throughput and time left from the work done over active time. The rate is the computed examples over the
 * active time until the last computed model finished (all workers together, pauses excluded); between two
 * finished models the time left counts down with active time (so it moves one way), and each finished
 * model corrects it.
 */
export function estimate(w: { computedExamples: number; activeAtLastComputed: number; activeNow: number; remainingExamples: number }): {
  imagesPerSec: number;
  etaSeconds: number;
} {
  const rate = w.activeAtLastComputed > 0 ? w.computedExamples / w.activeAtLastComputed : 0;
  if (!(rate > 0)) return { imagesPerSec: 0, etaSeconds: Number.NaN };
  return { imagesPerSec: rate, etaSeconds: Math.max(0, w.remainingExamples / rate - (w.activeNow - w.activeAtLastComputed)) };
}

export interface PhaseState {
  id: string;
  label: string;
  models: number;
  done: number;
  cacheHits: number;
  status: 'waiting' | 'running' | 'done';
}

export interface ExperimentProgress {
  phases: PhaseState[];
  /** The running phase and what it is doing now. */
  current?: { phaseId: string; detail: string; fraction: number };
  imagesPerSec: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export class Progress {
  private plan: ExperimentPlan;
  private states: PhaseState[];
  private readonly start: number;
  private readonly active: ActiveTime;
  private lastEmit = 0;
  private doneExamples = 0;
  private computedExamples = 0;
  private activeAtLastComputed = 0;
  private current?: ExperimentProgress['current'];

  constructor(
    plan: ExperimentPlan,
    private readonly emit?: (p: ExperimentProgress) => void,
    /** The run's pauses are left out of its throughput and time left. */
    control?: RunControl,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.plan = plan;
    this.states = Progress.statesOf(plan);
    this.start = now();
    this.active = new ActiveTime(control, now);
  }

  /** Switches to a plan with known forget sizes; phases present in both keep their state. */
  replan(plan: ExperimentPlan): void {
    const old = new Map(this.states.map((s) => [s.id, s]));
    this.plan = plan;
    this.states = Progress.statesOf(plan).map((s) => {
      const before = old.get(s.id);
      return before && before.status !== 'waiting' ? { ...before } : s;
    });
  }

  begin(phase: PlannedPhase, detail: string): void {
    this.state(phase).status = 'running';
    this.current = { phaseId: phase.id, detail, fraction: 0 };
    this.send(true);
  }

  /** Within-model progress. */
  step(detail: string, fraction: number): void {
    if (this.current) this.current = { ...this.current, detail, fraction };
    this.send(false);
  }

  /** One model (or run) of the phase finished: `examples` of work, computed now unless cached. */
  modelDone(phase: PlannedPhase, examples: number, cached: boolean): void {
    const state = this.state(phase);
    state.done++;
    if (cached) state.cacheHits++;
    this.workDone(examples, cached);
  }

  /** Work that is not a model (a gradient kernel): it counts towards images/s and the time left, not the model count. */
  workDone(examples: number, cached: boolean): void {
    this.doneExamples += examples;
    if (!cached) {
      this.computedExamples += examples;
      this.activeAtLastComputed = this.active.seconds();
    }
    this.send(true);
  }

  end(phase: PlannedPhase): void {
    const state = this.state(phase);
    state.status = 'done';
    state.done = Math.max(state.done, phase.models);
    this.send(true);
  }

  private static statesOf(plan: ExperimentPlan): PhaseState[] {
    return plan.phases.map((p) => ({ id: p.id, label: p.label, models: p.models, done: 0, cacheHits: 0, status: 'waiting' }));
  }

  private state(phase: PlannedPhase): PhaseState {
    const state = this.states.find((s) => s.id === phase.id);
    if (!state) throw new Error(`no phase ${phase.id} in the plan`);
    return state;
  }

  private send(force: boolean): void {
    if (!this.emit) return;
    const now = this.now();
    if (!force && now - this.lastEmit < 250) return;
    this.lastEmit = now;
    this.emit({
      phases: this.states.map((s) => ({ ...s })),
      current: this.current,
      ...estimate({
        computedExamples: this.computedExamples,
        activeAtLastComputed: this.activeAtLastComputed,
        activeNow: this.active.seconds(),
        remainingExamples: Math.max(0, this.plan.totalExamples - this.doneExamples),
      }),
      elapsedSeconds: (now - this.start) / 1000,
    });
  }
}
