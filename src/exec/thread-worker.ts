/** Entry point of a worker thread of the threads executor. */
import { loadHdf5 } from "../archive/hdf5.js";
import { runJob, type JobOutput, type JobPayload } from "./job.js";

export type WorkerTask = JobPayload | { readonly warmup: true };

export default async function job(task: WorkerTask): Promise<JobOutput | null> {
  if ("warmup" in task) {
    await loadHdf5();
    return null;
  }
  return runJob(task);
}
