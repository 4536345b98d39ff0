/**
 * Executors run jobs, in the vocabulary Dask's users know: `submit` a job with a future input and
 * get a future output; `gather`, `cancel`, `asCompleted`. A job starts as soon as its input
 * exists; ready jobs wait in a priority queue (earlier iterations first, the coarse chain first)
 * until a worker slot is free. Backends (inline, threads, redis) only say how one payload is run;
 * cheap jobs marked `local` run in the submitting thread without a round trip, one at a time in
 * the same order.
 */
import { isCancelled } from "../errors.js";
import { Future } from "./future.js";
import type { JobAdapter, JobEvent, JobInfo, JobState, Runtime, WireOutput } from "./job.js";
import { ReadyQueue } from "./ready-queue.js";

export interface ExecutorStats {
  submitted: number;
  /** jobs that ran to completion, by kind (including abandoned ones) */
  completed: Record<string, number>;
  /** jobs answered by an earlier run's file (resume): not counted in completed */
  resumedJobs: number;
  /** cancelled before they started: they never run */
  cancelledQueued: number;
  /** cancelled while running: abandoned, their results are discarded when they arrive */
  cancelledRunning: number;
  failed: number;
}

export interface Executor<J, V> {
  /** Run `job` on the value of `input` once it exists (Dask's `client.submit`). */
  submit(job: J, input: Future<V>): Future<V>;
  /** The values of futures, in order (Dask's `client.gather`). */
  gather(futures: readonly Future<V>[]): Promise<V[]>;
  /** Cancel futures: queued jobs never start, running ones are abandoned; returns how many were cancelled. */
  cancel(futures: Iterable<Future<V>>): number;
  /** Futures in the order they finish (Dask's `as_completed`), failed and cancelled ones included. */
  asCompleted(futures: readonly Future<V>[]): AsyncGenerator<Future<V>>;
  readonly stats: Readonly<ExecutorStats>;
  /** who ran jobs (host:pid:thread), every one of them */
  readonly workersSeen: ReadonlySet<string>;
  /** number of jobs that may run at once (Infinity for a distributed executor) */
  readonly concurrency: number;
  /** Start nothing more: every job not yet started is cancelled (an interrupted run). */
  halt(): void;
  /** Listen to every job's state changes; returns a function that stops listening. */
  onEvent(listener: (event: JobEvent) => void): () => void;
  /** Stop: lets abandoned jobs finish for up to `graceMs`, then shuts the workers down. */
  close(graceMs?: number): Promise<void>;
}

export class JobError extends Error {
  constructor(
    readonly description: string,
    readonly info: JobInfo,
    cause: unknown,
  ) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${description} failed: ${msg}`, { cause });
    this.name = "JobError";
  }
}

/** What a backend knows of the job it runs: an id, and whether (or when) it was abandoned. */
export interface RunControl {
  /** unique within this executor */
  readonly id: number;
  readonly info: JobInfo;
  abandoned(): boolean;
  /** called once if the job is cancelled while running */
  onAbandon(hook: () => void): void;
}

interface Entry<J, V, P> {
  readonly job: J;
  readonly info: JobInfo;
  readonly future: Future<V>;
  readonly seq: number;
  payload?: P;
  started: boolean;
  abandonHooks: (() => void)[];
}

/** Keeps a listener's failure from breaking the executor. */
function safely(listener: (e: JobEvent) => void, event: JobEvent): void {
  try {
    listener(event);
  } catch {
    // a broken listener (a closed dashboard) must not fail the run
  }
}

/** Longest run of local jobs between two turns of the event loop. */
const LOCAL_SLICE_MS = 5;

export abstract class QueueExecutor<J, V, P, O extends WireOutput> implements Executor<J, V> {
  readonly stats: ExecutorStats = { submitted: 0, completed: {}, resumedJobs: 0, cancelledQueued: 0, cancelledRunning: 0, failed: 0 };
  readonly workersSeen = new Set<string>();
  private readonly ready = new ReadyQueue<Entry<J, V, P>>();
  /** local jobs whose inputs exist, run one at a time by drainLocal */
  private readonly localReady = new ReadyQueue<Entry<J, V, P>>();
  private draining = false;
  private running = 0;
  private seq = 0;
  private closed = false;
  private halted = false;
  private idleWaiters: (() => void)[] = [];
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly origin = performance.now();
  private readonly originEpoch = performance.timeOrigin + this.origin;
  private readonly dispatchedAt = new Map<number, number>();

  constructor(
    readonly concurrency: number,
    protected readonly adapter: JobAdapter<J, V, P, O>,
    protected readonly runtime: Runtime<P, O>,
  ) {}

  /**
   * Run one payload somewhere; resolves with the worker's output. `control` tells whether the
   * job was cancelled meanwhile, for backends that can still skip or stop it.
   */
  protected abstract run(payload: P, control: RunControl): Promise<O>;
  protected abstract shutdown(): Promise<void>;

  onEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** seconds since this executor started */
  now(): number {
    return (performance.now() - this.origin) / 1000;
  }

  private emit(entry: Entry<J, V, P>, state: JobState, extra: Partial<JobEvent> = {}): void {
    if (this.listeners.size === 0) return;
    const event: JobEvent = { id: entry.seq, info: entry.info, state, at: this.now(), ...extra };
    for (const l of this.listeners) safely(l, event);
  }

  submit(job: J, input: Future<V>): Future<V> {
    if (this.closed) throw new Error("executor is closed");
    const future = new Future<V>();
    const entry: Entry<J, V, P> = { job, info: this.adapter.info(job), future, seq: this.seq++, started: false, abandonHooks: [] };
    this.stats.submitted++;
    this.emit(entry, "queued");
    future.onCancel(() => {
      if (entry.started) {
        this.stats.cancelledRunning++;
        for (const hook of entry.abandonHooks.splice(0)) hook();
      } else {
        this.stats.cancelledQueued++;
      }
      this.emit(entry, "cancelled");
    });
    input.promise.then(
      (value) => {
        if (future.settled) return;
        try {
          entry.payload = this.adapter.payload(job, value);
        } catch (e) {
          this.fail(entry, e);
          return;
        }
        if (this.halted) future.cancel();
        else if (entry.info.local) {
          this.localReady.push(entry);
          void this.drainLocal();
        } else {
          this.ready.push(entry);
          this.dispatch();
        }
      },
      // a cancelled or failed input cancels or fails this job alike
      (e) => (isCancelled(e) ? future.cancel() : future.reject(e)),
    );
    return future;
  }

  async gather(futures: readonly Future<V>[]): Promise<V[]> {
    return Promise.all(futures.map((f) => f.result()));
  }

  cancel(futures: Iterable<Future<V>>): number {
    let n = 0;
    for (const f of futures) if (f.cancel()) n++;
    return n;
  }

  async *asCompleted(futures: readonly Future<V>[]): AsyncGenerator<Future<V>> {
    const done: Future<V>[] = [];
    let wake: (() => void) | undefined;
    for (const f of futures) {
      const settle = () => {
        done.push(f);
        wake?.();
      };
      f.promise.then(settle, settle);
    }
    for (let given = 0; given < futures.length; given++) {
      while (done.length === 0) await new Promise<void>((r) => (wake = r));
      yield done.shift() as Future<V>;
    }
  }

  /**
   * Start nothing more: every job not yet started is cancelled, now and as inputs arrive (an
   * interrupted run must not start new programs while it kills the running ones).
   */
  halt(): void {
    this.halted = true;
    for (let e = this.ready.pop(); e !== undefined; e = this.ready.pop()) e.future.cancel();
    for (let e = this.localReady.pop(); e !== undefined; e = this.localReady.pop()) e.future.cancel();
  }

  /**
   * Local jobs, one at a time in priority order: each one's time is its own, and the coarse
   * chain goes first. Every few milliseconds the event loop gets a turn, so that signals, timers
   * and answers from workers are not held up by a long run of cheap jobs.
   */
  private async drainLocal(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      let since = performance.now();
      for (let entry = this.localReady.pop(); entry !== undefined; entry = this.localReady.pop()) {
        if (entry.future.settled) continue; // cancelled while queued
        await this.start(entry, true);
        if (performance.now() - since > LOCAL_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private dispatch(): void {
    if (this.halted) {
      this.halt();
      return;
    }
    while (this.running < this.concurrency && this.ready.size > 0) {
      const entry = this.ready.pop() as Entry<J, V, P>;
      if (entry.future.settled) continue; // cancelled while queued
      void this.start(entry, false);
    }
  }

  private start(entry: Entry<J, V, P>, local: boolean): Promise<void> {
    entry.started = true;
    if (!local) this.running++;
    this.emit(entry, "running");
    if (this.listeners.size > 0) this.dispatchedAt.set(entry.seq, this.now());
    const control: RunControl = {
      id: entry.seq,
      info: entry.info,
      abandoned: () => entry.future.settled,
      onAbandon: (hook) => {
        if (entry.future.state === "cancelled") hook();
        else entry.abandonHooks.push(hook);
      },
    };
    const payload = entry.payload as P;
    const work = local ? this.runtime.run(payload) : this.run(payload, control);
    return work.then(
      (out) => this.finished(entry, local, out, undefined),
      (err: unknown) => this.finished(entry, local, undefined, err),
    );
  }

  /**
   * When a job began computing, on this executor's clock: the worker's own stamp where its clock
   * agrees with ours (threads, workers on this host), else its finish minus its compute time.
   */
  private startedOf(entry: Entry<J, V, P>, out: O): number {
    const now = this.now();
    const dispatched = this.dispatchedAt.get(entry.seq) ?? 0;
    this.dispatchedAt.delete(entry.seq);
    if (out.startedAt !== undefined) {
      const at = (out.startedAt - this.originEpoch) / 1000;
      if (at >= dispatched - 1e-3 && at + out.seconds <= now + 1e-3) return Math.max(at, dispatched);
    }
    return Math.max(dispatched, now - out.seconds);
  }

  private fail(entry: Entry<J, V, P>, err: unknown): void {
    if (entry.future.settled) return;
    if (isCancelled(err)) {
      entry.future.cancel();
      return;
    }
    this.stats.failed++;
    const message = err instanceof Error ? err.message : String(err);
    this.emit(entry, "failed", { error: message });
    entry.future.reject(new JobError(this.adapter.describe(entry.job), entry.info, err));
  }

  private finished(entry: Entry<J, V, P>, local: boolean, out: O | undefined, err: unknown): void {
    if (!local) this.running--;
    entry.abandonHooks = [];
    const { job, future, info } = entry;
    if (out) {
      if (out.reused) this.stats.resumedJobs++;
      else this.stats.completed[info.kind] = (this.stats.completed[info.kind] ?? 0) + 1;
      if (!local) this.workersSeen.add(out.worker);
      let value: V | undefined;
      let error: unknown;
      try {
        // decoded even when abandoned: the adapter learns what the output says (known states)
        value = this.adapter.result(job, out);
      } catch (e) {
        error = e;
      }
      if (!future.settled) {
        if (error !== undefined) this.fail(entry, error);
        else {
          this.emit(entry, out.reused ? "reused" : "done", { worker: out.worker, seconds: out.seconds, started: this.startedOf(entry, out) });
          future.resolve(value as V);
        }
      }
    } else {
      this.fail(entry, err);
    }
    if (!local) {
      this.dispatch();
      if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
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
