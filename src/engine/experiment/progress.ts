/**
 * Progress of a running experiment, in the plan's phases: what each phase has done, what runs now, the
 * throughput of computed (not cached) work and the time left at that rate. Events go out at most every 250 ms,
 * except when a phase or a model starts or ends.
 */
import type { ExperimentPlan, PlannedPhase } from './plan';

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
  private readonly start = performance.now();
  private lastEmit = 0;
  private doneExamples = 0;
  private computedExamples = 0;
  private computedSeconds = 0;
  private current?: ExperimentProgress['current'];

  constructor(
    plan: ExperimentPlan,
    private readonly emit?: (p: ExperimentProgress) => void,
    /** Jobs that run at once: the summed throughput is the per-job rate times this. */
    private readonly workers = 1,
  ) {
    this.plan = plan;
    this.states = Progress.statesOf(plan);
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

  /** One model (or run) of the phase finished; `examples` of work, computed in `seconds` unless cached. */
  modelDone(phase: PlannedPhase, examples: number, cached: boolean, seconds: number): void {
    const state = this.state(phase);
    state.done++;
    if (cached) state.cacheHits++;
    this.doneExamples += examples;
    if (!cached) {
      this.computedExamples += examples;
      this.computedSeconds += seconds;
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
    const now = performance.now();
    if (!force && now - this.lastEmit < 250) return;
    this.lastEmit = now;
    const rate = this.computedSeconds > 0 ? (this.workers * this.computedExamples) / this.computedSeconds : 0;
    const remaining = Math.max(0, this.plan.totalExamples - this.doneExamples);
    this.emit({
      phases: this.states.map((s) => ({ ...s })),
      current: this.current,
      imagesPerSec: rate,
      etaSeconds: rate > 0 ? remaining / rate : Number.NaN,
      elapsedSeconds: (now - this.start) / 1000,
    });
  }
}
