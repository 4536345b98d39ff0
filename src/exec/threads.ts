/** The default executor: a pool of worker threads (Piscina), no server needed. */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { QueueExecutor, type RunControl } from "./executor.js";
import { CancelledError } from "./future.js";
import type { JobOutput, JobPayload } from "./job.js";
import type { WorkerTask } from "./thread-worker.js";

export class ThreadsExecutor extends QueueExecutor {
  private readonly pool: Piscina<WorkerTask, JobOutput | null>;
  private readonly warm: Promise<unknown>;

  constructor(workers: number = availableParallelism()) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    super(workers);
    this.pool = new Piscina({
      filename: new URL("./thread-worker.js", import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      // jobs are queued here, in priority order; Piscina only ever holds the running ones
      maxQueue: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // an abandoned (cancelled) job may still answer after destroy(); that answer is not an error
    this.pool.on("error", (err: unknown) => {
      if (!this.closing) throw err;
    });
    // Piscina imports the worker module on a thread's first task; give every thread one now, so
    // all of them load HDF5 (about 0.3 s each) at start-up, in parallel, not in the middle of a run
    this.warm = Promise.all(Array.from({ length: workers }, () => this.pool.run({ warmup: true })));
  }

  private closing = false;

  protected async run(payload: JobPayload, control: RunControl): Promise<JobOutput> {
    await this.warm;
    if (control.abandoned()) throw new CancelledError();
    // an abandoned fine job stops at its next chunk of integration instead of running to the end
    // (coarse jobs are one step: not worth a shared flag, which costs more to send than the job)
    if (payload.solver.kind === "coarse") return (await this.pool.run({ payload }))!;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    control.onAbandon(() => Atomics.store(cancel, 0, 1));
    return (await this.pool.run({ payload, cancel }))!;
  }

  protected async shutdown(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }
}
