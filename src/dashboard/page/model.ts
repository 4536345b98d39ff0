/**
 * The page's picture of the run, built from its events: every job's latest state, counts per
 * state, the checked iterates, the workers. Applying an event is O(1); the views read this model
 * when they render (coalesced), and draw only the grid cells that changed since.
 */
import type { EndEvent, IterateEvent, JobEvent, JobKind, JobState, Phase, RunEvent, RunStartEvent } from "../events.js";

export const STATES: readonly JobState[] = ["queued", "running", "done", "reused", "cancelled", "failed"];
const SETTLED: ReadonlySet<JobState> = new Set(["done", "reused", "cancelled", "failed"]);

export interface Job {
  readonly id: number;
  readonly phase: Phase;
  readonly kind: JobKind;
  readonly iteration: number;
  readonly slice: number;
  state: JobState;
  worker?: string;
  queuedAt?: number;
  startAt?: number;
  endAt?: number;
  seconds?: number;
  error?: string;
  /** a later job took its grid cell (a run's retry): not drawn */
  replaced?: boolean;
  /** already in the model's timeline */
  onTimeline?: boolean;
}

/** Grid rows: the reference (if any) is row 0, parareal iteration k is row k + 1. */
export function gridRow(phase: Phase, iteration: number): number {
  return phase === "reference" ? 0 : iteration + 1;
}

/** The grid cell of (row, kind, slice), as text: no two cells share it, whatever the numbers. */
export function cellKey(row: number, kind: JobKind, slice: number): string {
  return `${row} ${kind} ${slice}`;
}

export class RunModel {
  run: RunStartEvent | undefined;
  phase: Phase | undefined;
  end: EndEvent | undefined;
  readonly jobs = new Map<number, Job>();
  /** the job shown in each grid cell (the latest one placed there) */
  readonly cells = new Map<string, Job>();
  readonly counts: Record<JobState, number> = { queued: 0, running: 0, done: 0, reused: 0, cancelled: 0, failed: 0 };
  /** by iteration */
  readonly iterates = new Map<number, IterateEvent>();
  readonly workers = new Set<string>();
  /** cells to redraw since the grid last drew */
  readonly dirty = new Set<Job>();
  lastAt = 0;
  /** the largest iteration and slice any job had */
  maxIteration = 0;
  maxSlice = 0;
  hasReference = false;
  /** the run's description, or anything else that is shown as text, changed */
  textChanged = true;
  /** jobs that started on a worker (bars of the task stream) */
  readonly timeline: Job[] = [];
  /** arrival time (performance.now()) of the latest event, for a ticking clock between events */
  lastArrival = 0;

  get settled(): number {
    return this.counts.done + this.counts.reused + this.counts.cancelled + this.counts.failed;
  }

  get total(): number {
    return this.jobs.size;
  }

  /** Checked iterates with a maxdif (iteration 0 has none), in iteration order. */
  maxdifPoints(): IterateEvent[] {
    return [...this.iterates.values()].filter((e) => e.maxdif !== null).sort((a, b) => a.iteration - b.iteration);
  }

  apply(e: RunEvent): void {
    if (e.at > this.lastAt) this.lastAt = e.at;
    switch (e.type) {
      case "run":
        this.run = e;
        this.textChanged = true;
        break;
      case "phase":
        this.phase = e.phase;
        this.textChanged = true;
        break;
      case "job":
        this.applyJob(e);
        break;
      case "iterate":
        this.iterates.set(e.iteration, e);
        this.textChanged = true;
        break;
      case "end":
        this.end = e;
        this.textChanged = true;
        break;
    }
  }

  private applyJob(e: JobEvent): void {
    let job = this.jobs.get(e.id);
    if (job === undefined) {
      job = { id: e.id, phase: e.phase, kind: e.kind, iteration: e.iteration, slice: e.slice, state: e.state };
      this.jobs.set(e.id, job);
      this.counts[e.state]++;
      const key = cellKey(gridRow(e.phase, e.iteration), e.kind, e.slice);
      const before = this.cells.get(key);
      if (before) before.replaced = true;
      this.cells.set(key, job);
      if (e.phase === "reference") this.hasReference = true;
      if (e.phase === "parareal" && e.iteration > this.maxIteration) this.maxIteration = e.iteration;
      if (e.slice > this.maxSlice) this.maxSlice = e.slice;
    } else if (job.state !== e.state) {
      this.counts[job.state]--;
      this.counts[e.state]++;
      job.state = e.state;
    }
    if (e.worker !== undefined) {
      job.worker = e.worker;
      this.workers.add(e.worker);
    }
    if (e.seconds !== undefined) job.seconds = e.seconds;
    if (e.error !== undefined) job.error = e.error;
    if (e.state === "queued") job.queuedAt = e.at;
    else if (e.state === "running") job.startAt = e.at;
    else if (SETTLED.has(e.state)) job.endAt = e.at;
    // a bar once the job has a worker and a start (or an end and a duration)
    if (job.worker !== undefined && (job.startAt !== undefined || job.endAt !== undefined) && !job.onTimeline) {
      job.onTimeline = true;
      this.timeline.push(job);
    }
    this.dirty.add(job);
  }

  /**
   * The run's clock now, in seconds since its start: the end's time when it ended; otherwise the
   * latest event's time plus the time since it arrived, up to 30 s (a run that stopped reporting
   * does not look as if it were still working for ever).
   */
  clock(nowMs: number): number {
    if (this.end) return this.end.at;
    return this.lastAt + Math.min(Math.max(nowMs - this.lastArrival, 0) / 1000, 30);
  }
}
