/** Runs every job in the calling thread, one at a time: for tests and debugging. */
import { CancelledError } from "../errors.js";
import { QueueExecutor, type RunControl } from "./executor.js";
import type { JobAdapter, Runtime, WireOutput } from "./job.js";

export class InlineExecutor<J, V, P, O extends WireOutput> extends QueueExecutor<J, V, P, O> {
  constructor(adapter: JobAdapter<J, V, P, O>, runtime: Runtime<P, O>) {
    super(1, adapter, runtime);
  }

  protected async run(payload: P, control: RunControl): Promise<O> {
    // yield first, so the scheduler's bookkeeping (and cancellation) interleaves with jobs as it would with workers
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (control.abandoned()) throw new CancelledError();
    return this.runtime.run(payload, control.abandoned);
  }

  protected async shutdown(): Promise<void> {}
}
