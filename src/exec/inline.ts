/** Runs every job in the calling thread, one at a time: for tests and debugging. */
import { QueueExecutor, type RunControl } from "./executor.js";
import { CancelledError } from "./future.js";
import { runJob, type JobOutput, type JobPayload } from "./job.js";

export class InlineExecutor extends QueueExecutor {
  constructor() {
    super(1);
  }

  protected async run(payload: JobPayload, control: RunControl): Promise<JobOutput> {
    // yield first, so the scheduler's bookkeeping (and cancellation) interleaves with jobs as it would with workers
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (control.abandoned()) throw new CancelledError();
    return runJob(payload, control.abandoned);
  }

  protected async shutdown(): Promise<void> {}
}
