/**
 * Executors run solver jobs. A job is submitted with a future input and starts as soon as that
 * input exists; ready jobs wait in a priority queue (earlier iterations first) until a worker
 * slot is free. Backends (inline, threads, redis) only say how one payload is run.
 */
import { decode } from "../expr/codec.js";
import type { Vector } from "../expr/vector.js";
import type { SolverSpec } from "../solvers/spec.js";
import { Future } from "./future.js";
import { absorbHints, makePayload, type JobOutput, type JobPayload } from "./job.js";

export interface JobSpec {
  readonly solver: SolverSpec;
  readonly t0: number;
  readonly t1: number;
  /** the slice this job's output belongs to (for ordering and messages) */
  readonly slice: number;
}

export interface JobRecord {
  readonly kind: SolverSpec["kind"];
  readonly iteration: number;
  readonly slice: number;
  readonly worker: string;
  readonly seconds: number;
  readonly reused?: boolean;
}

/** job records kept per executor */
export const RECORD_LIMIT = 20_000;

export interface ExecutorStats {
  submitted: number;
  /** coarse jobs that ran to completion (including abandoned ones) */
  coarseJobs: number;
  /** fine jobs that ran to completion (including abandoned ones): one HDF5 file each */
  fineJobs: number;
  /** fine jobs answered by an earlier run's file (resume): not counted in fineJobs */
  resumedJobs: number;
  /** cancelled before they started: they never run */
  cancelledQueued: number;
  /** cancelled while running: abandoned, their results are discarded when they arrive */
  cancelledRunning: number;
  failed: number;
}

export interface Executor {
  submit(job: JobSpec, input: Future<Vector>): Future<Vector>;
  readonly stats: Readonly<ExecutorStats>;
  /** the jobs that ran to completion, in completion order (the first RECORD_LIMIT of them) */
  readonly records: readonly JobRecord[];
  /** who ran jobs (host:pid:thread), every one of them */
  readonly workersSeen: ReadonlySet<string>;
  /** number of jobs that may run at once */
  readonly concurrency: number;
  /** Stop: lets abandoned jobs finish for up to `graceMs`, then shuts the workers down. */
  close(graceMs?: number): Promise<void>;
}

export class JobError extends Error {
  constructor(
    readonly job: JobSpec,
    cause: unknown,
  ) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${job.solver.kind} job of iteration ${job.solver.iteration}, slice ${job.slice} (t = ${job.t0} to ${job.t1}) failed: ${msg}`, { cause });
    this.name = "JobError";
  }
}

/** What a backend knows of the job it runs: an id, and whether (or when) it was abandoned. */
export interface RunControl {
  /** unique within this executor */
  readonly id: number;
  abandoned(): boolean;
  /** called once if the job is cancelled while running */
  onAbandon(hook: () => void): void;
}

interface Entry {
  readonly job: JobSpec;
  readonly future: Future<Vector>;
  readonly seq: number;
  payload?: JobPayload;
  started: boolean;
  abandonHooks: (() => void)[];
}

/**
 * Binary min-heap on (iteration, coarse before fine, slice, submission order). Coarse jobs are
 * cheap and form the serial chain of each iteration, so they must not wait behind fine work.
 */
class ReadyQueue {
  private heap: Entry[] = [];
  get size(): number {
    return this.heap.length;
  }
  private less(a: Entry, b: Entry): boolean {
    const ia = a.job.solver.iteration;
    const ib = b.job.solver.iteration;
    if (ia !== ib) return ia < ib;
    const ca = a.job.solver.kind === "coarse";
    if (ca !== (b.job.solver.kind === "coarse")) return ca;
    if (a.job.slice !== b.job.slice) return a.job.slice < b.job.slice;
    return a.seq < b.seq;
  }
  push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export abstract class QueueExecutor implements Executor {
  readonly stats: ExecutorStats = { submitted: 0, coarseJobs: 0, fineJobs: 0, resumedJobs: 0, cancelledQueued: 0, cancelledRunning: 0, failed: 0 };
  readonly records: JobRecord[] = [];
  readonly workersSeen = new Set<string>();
  private readonly ready = new ReadyQueue();
  private running = 0;
  private seq = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly concurrency: number) {}

  /**
   * Run one payload somewhere; resolves with the worker's output. `control` tells whether the
   * job was cancelled meanwhile, for backends that can still skip or stop it.
   */
  protected abstract run(payload: JobPayload, control: RunControl): Promise<JobOutput>;
  protected abstract shutdown(): Promise<void>;

  submit(job: JobSpec, input: Future<Vector>): Future<Vector> {
    if (this.closed) throw new Error("executor is closed");
    const future = new Future<Vector>();
    const entry: Entry = { job, future, seq: this.seq++, started: false, abandonHooks: [] };
    this.stats.submitted++;
    future.onCancel(() => {
      if (entry.started) {
        this.stats.cancelledRunning++;
        for (const hook of entry.abandonHooks.splice(0)) hook();
      } else {
        this.stats.cancelledQueued++;
      }
    });
    input.promise.then(
      (value) => {
        if (future.settled) return;
        try {
          entry.payload = makePayload(job.solver, value, job.t0, job.t1);
        } catch (e) {
          future.reject(new JobError(job, e));
          return;
        }
        this.ready.push(entry);
        this.dispatch();
      },
      // a cancelled or failed input cancels or fails this job alike
      (e) => future.reject(e),
    );
    return future;
  }

  private dispatch(): void {
    while (this.running < this.concurrency && this.ready.size > 0) {
      const entry = this.ready.pop()!;
      if (entry.future.settled) continue; // cancelled while queued
      entry.started = true;
      this.running++;
      const control: RunControl = {
        id: entry.seq,
        abandoned: () => entry.future.settled,
        onAbandon: (hook) => {
          if (entry.future.state === "cancelled") hook();
          else entry.abandonHooks.push(hook);
        },
      };
      this.run(entry.payload!, control).then(
        (out) => this.finished(entry, out, undefined),
        (err: unknown) => this.finished(entry, undefined, err),
      );
    }
  }

  private finished(entry: Entry, out: JobOutput | undefined, err: unknown): void {
    this.running--;
    entry.abandonHooks = [];
    const { job, future } = entry;
    if (out) {
      absorbHints(out.hints);
      if (out.reused) this.stats.resumedJobs++;
      else if (job.solver.kind === "fine") this.stats.fineJobs++;
      else this.stats.coarseJobs++;
      this.workersSeen.add(out.worker);
      // a run of many slices runs millions of jobs: memory (and run.json) keep the first ones
      if (this.records.length < RECORD_LIMIT) {
        this.records.push({ kind: job.solver.kind, iteration: job.solver.iteration, slice: job.slice, worker: out.worker, seconds: out.seconds, ...(out.reused ? { reused: true } : {}) });
      }
      if (!future.settled) {
        try {
          future.resolve(decode(out.result));
        } catch (e) {
          future.reject(new JobError(job, e));
        }
      }
    } else if (!future.settled) {
      this.stats.failed++;
      future.reject(new JobError(job, err));
    }
    this.dispatch();
    if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no job is running (queued jobs may remain). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.idle(), grace]);
    clearTimeout(timer);
    await this.shutdown();
  }
}
