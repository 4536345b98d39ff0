/**
 * The default executor: a pool of worker threads (Piscina), no server needed. Threads start
 * lazily, one per job that is ready to run, up to `workers`: a pool never holds more threads than
 * it has work for, so asking for many workers costs nothing until the work is there.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { CancelledError } from "../errors.js";
import { QueueExecutor, type RunControl } from "./executor.js";
import { maxWorkers, THREADS_PER_CORE } from "./limits.js";
import type { JobAdapter, Runtime, ThreadMessage, ThreadResult, WireOutput } from "./job.js";


export class ThreadsExecutor<J, V, P, O extends WireOutput> extends QueueExecutor<J, V, P, O> {
  private readonly pool: Piscina<ThreadMessage<P>, ThreadResult<O>>;
  private closing = false;

  constructor(adapter: JobAdapter<J, V, P, O>, runtime: Runtime<P, O>, workers: number = availableParallelism()) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    if (workers > maxWorkers()) throw new RangeError(`workers must be at most ${maxWorkers()} (${THREADS_PER_CORE} per core, at least 16), got ${workers}`);
    super(workers, adapter, runtime);
    this.pool = new Piscina({
      filename: runtime.threadModule.href,
      minThreads: 0,
      maxThreads: workers,
      // jobs are queued here, in priority order; Piscina only ever holds the running ones
      maxQueue: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(runtime.workerData === undefined ? {} : { workerData: runtime.workerData }),
    });
    // an abandoned (cancelled) job may still answer after destroy(); that answer is not an error
    this.pool.on("error", (err: unknown) => {
      if (!this.closing) throw err;
    });
  }

  /** Start `count` threads (at most `workers`) and wait until each has loaded its module, and `preload`. */
  async warm(count: number, preload: readonly string[] = []): Promise<void> {
    const expected = Math.min(count, this.concurrency) - this.pool.threads.length;
    if (expected <= 0) return;
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(Array.from({ length: expected }, () => this.pool.run({ warm: true, arrived, expected, preload })));
  }

  /** threads started so far */
  get threads(): number {
    return this.pool.threads.length;
  }

  protected async run(payload: P, control: RunControl): Promise<O> {
    if (control.abandoned()) throw new CancelledError();
    // an abandoned job stops at its next chunk of integration instead of running to the end
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    control.onAbandon(() => Atomics.store(cancel, 0, 1));
    const answer = await this.pool.run({ payload, cancel });
    if ("output" in answer) return answer.output;
    throw new CancelledError();
  }

  protected async shutdown(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }
}
