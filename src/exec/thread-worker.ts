/** Entry point of a worker thread (threads executor, and the thread pool of `parareal worker`). */
import { workerData } from "piscina";
import { loadHdf5 } from "../archive/hdf5.js";
import { setTrust, type Trust } from "../solvers/run.js";
import { runJob, type JobOutput, type JobPayload } from "./job.js";

export interface ThreadTask {
  readonly payload: JobPayload;
  /** set to non-zero (over a SharedArrayBuffer) to stop the job between chunks of integration */
  readonly cancel?: Int32Array;
}

// the pool says whether jobs may name problem modules to import or commands to run (see solvers/run.ts)
const trust = (workerData as { trust?: Trust } | undefined)?.trust;
if (trust) setTrust(trust);

export type WorkerTask = ThreadTask | { readonly warmup: true };

export default async function job(task: WorkerTask): Promise<JobOutput | null> {
  if ("warmup" in task) {
    await loadHdf5();
    return null;
  }
  const flag = task.cancel;
  return runJob(task.payload, flag ? () => Atomics.load(flag, 0) !== 0 : undefined);
}
