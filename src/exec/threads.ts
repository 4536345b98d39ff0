/**
 * The default executor: a pool of worker threads (Piscina), no server needed. Threads start
 * lazily, one per job that is ready to run, up to `workers`: a pool never holds more threads than
 * it has work for, so asking for many workers costs nothing until the work is there. The pool
 * itself is made (and Piscina imported) for the first job that needs a thread: a run whose jobs
 * all run in the driver loads none of it.
 */
import { availableParallelism } from "node:os";
import type { Piscina } from "piscina";
import { CancelledError } from "../errors.js";
import { QueueExecutor, type RunControl } from "./executor.js";
import { maxWorkers, THREADS_PER_CORE } from "./limits.js";
import type { JobAdapter, Runtime, ThreadMessage, ThreadResult, WireOutput } from "./job.js";


export class ThreadsExecutor<J, V, P, O extends WireOutput> extends QueueExecutor<J, V, P, O> {
  private pool: Promise<Piscina<ThreadMessage<P>, ThreadResult<O>>> | undefined;
  private started: Piscina<ThreadMessage<P>, ThreadResult<O>> | undefined;
  private closing = false;

  constructor(adapter: JobAdapter<J, V, P, O>, runtime: Runtime<P, O>, workers: number = availableParallelism()) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    if (workers > maxWorkers()) throw new RangeError(`workers must be at most ${maxWorkers()} (${THREADS_PER_CORE} per core, at least 16), got ${workers}`);
    super(workers, adapter, runtime);
  }

  private threadPool(): Promise<Piscina<ThreadMessage<P>, ThreadResult<O>>> {
    this.pool ??= import("piscina").then(({ Piscina }) => {
      const pool = new Piscina<ThreadMessage<P>, ThreadResult<O>>({
        filename: this.runtime.threadModule.href,
        minThreads: 0,
        maxThreads: this.concurrency,
        // jobs are queued here, in priority order; Piscina only ever holds the running ones
        maxQueue: this.concurrency,
        idleTimeout: Number.POSITIVE_INFINITY,
        ...(this.runtime.workerData === undefined ? {} : { workerData: this.runtime.workerData }),
      });
      // an abandoned (cancelled) job may still answer after destroy(); that answer is not an error
      pool.on("error", (err: unknown) => {
        if (!this.closing) throw err;
      });
      this.started = pool;
      return pool;
    });
    return this.pool;
  }

  /** Start `count` threads (at most `workers`) and wait until each has loaded its module, and `preload`. */
  async warm(count: number, preload: readonly string[] = []): Promise<void> {
    const pool = await this.threadPool();
    const expected = Math.min(count, this.concurrency) - pool.threads.length;
    if (expected <= 0) return;
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(Array.from({ length: expected }, () => pool.run({ warm: true, arrived, expected, preload })));
  }

  /** threads started so far */
  get threads(): number {
    return this.started?.threads.length ?? 0;
  }

  protected async run(payload: P, control: RunControl): Promise<O> {
    if (control.abandoned()) throw new CancelledError();
    // an abandoned job stops at its next chunk of integration instead of running to the end
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    control.onAbandon(() => Atomics.store(cancel, 0, 1));
    const answer = await (await this.threadPool()).run({ payload, cancel });
    if ("output" in answer) return answer.output;
    throw new CancelledError();
  }

  protected async shutdown(): Promise<void> {
    this.closing = true;
    if (this.pool !== undefined) await (await this.pool).destroy();
  }
}
