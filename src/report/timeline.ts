/**
 * Every job of a run with its times, from the executor's events: when it was submitted, started
 * and finished (seconds from the run's start, on the driver's clock), how it ended, who ran it and
 * the compute time the worker itself measured (so clock skew between machines never matters).
 */
import type { JobRecord } from "../archive/run-record.js";
import type { JobEvent } from "../exec/job.js";

export type Phase = JobRecord["phase"];

/** records kept in memory and in run.json: a run of many slices runs millions of jobs */
export const RECORD_LIMIT = 20_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Jobs finished and their compute seconds, by phase and kind (every job, not only those kept). */
export interface Totals {
  count: number;
  seconds: number;
}

export class Timeline {
  private readonly byId = new Map<number, Mutable<JobRecord>>();
  /** `${phase}/${kind}/${status}` -> totals over every job of the run */
  private readonly totals = new Map<string, Totals>();
  private readonly kept: Mutable<JobRecord>[] = [];
  phase: Phase = "reference";
  private readonly stop: () => void;

  constructor(
    executor: { onEvent(listener: (e: JobEvent) => void): () => void },
    readonly limit = RECORD_LIMIT,
  ) {
    this.stop = executor.onEvent((e) => this.add(e));
  }

  private add(e: JobEvent): void {
    if (e.state === "done" || e.state === "reused") {
      const key = `${this.phase}/${e.info.kind}/${e.state}`;
      const t = this.totals.get(key) ?? { count: 0, seconds: 0 };
      t.count++;
      t.seconds += e.seconds ?? 0;
      this.totals.set(key, t);
    }
    if (e.state === "queued") {
      if (this.kept.length >= this.limit) return;
      const r: Mutable<JobRecord> = { kind: e.info.kind, phase: this.phase, iteration: e.info.iteration, slice: e.info.slice, submitted: e.at };
      this.kept.push(r);
      this.byId.set(e.id, r);
      return;
    }
    const r = this.byId.get(e.id);
    if (!r) return;
    if (e.state === "running") {
      r.dispatched = e.at;
      r.started = e.at;
      return;
    }
    r.status = e.state;
    r.finished = e.at;
    if (e.worker !== undefined) r.worker = e.worker;
    if (e.seconds !== undefined) {
      r.seconds = e.seconds;
      // the compute interval on the driver's clock: the worker's own duration, so skew never matters
      r.started = e.started ?? Math.max(r.dispatched ?? r.submitted, e.at - e.seconds);
    }
    this.byId.delete(e.id);
  }

  /** Jobs of a phase and kind that were computed (done), with their compute seconds. */
  done(phase: Phase, kind: string): Totals {
    return { ...(this.totals.get(`${phase}/${kind}/done`) ?? { count: 0, seconds: 0 }) };
  }

  /** the jobs recorded so far (the first `limit` of the run), in submission order */
  records(): readonly JobRecord[] {
    return this.kept;
  }

  close(): void {
    this.stop();
  }
}
