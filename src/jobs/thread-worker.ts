/** Entry point of a worker thread (threads executor, and the thread pool of `parareal worker`). */
import { workerData } from "node:worker_threads";
import { isCancelled } from "../errors.js";
import { warmUp, type ThreadMessage, type ThreadResult } from "../exec/job.js";
import { TRUST_ALL, type Trust } from "../solvers/trust.js";
import type { JobOutput, JobPayload } from "./payload.js";
import { loadProblemModule } from "../models/user-module.js";
import { runJob } from "./run-job.js";

// the pool says whether jobs may name problem modules to import or commands to run
const trust: Trust = (workerData as { trust?: Trust } | null)?.trust ?? TRUST_ALL;

export default async function job(task: ThreadMessage<JobPayload>): Promise<ThreadResult<JobOutput>> {
  if ("warm" in task) {
    // the run's problem modules are imported now, so that no job pays for it
    for (const url of task.preload ?? []) await loadProblemModule(url);
    return warmUp(task);
  }
  const flag = task.cancel;
  try {
    return { output: await runJob(task.payload, { trust, stop: flag ? () => Atomics.load(flag, 0) !== 0 : undefined }) };
  } catch (e) {
    if (isCancelled(e)) return { cancelled: true };
    throw e;
  }
}
