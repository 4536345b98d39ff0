/** Executors of solver jobs, ready to use: the generic executors of src/exec with the solver adapter. */
import type { Vector } from "../expr/vector.js";
import { InlineExecutor } from "../exec/inline.js";
import { ThreadsExecutor } from "../exec/threads.js";
import type { RedisExecutor, RedisExecutorOptions } from "../exec/redis/executor.js";
import type { RedisSettings } from "../exec/redis/connection.js";
import type { JobOutput, JobPayload } from "./payload.js";
import { solverJobs, solverRuntime, type JobSpec } from "./solver-job.js";

/** A pool of worker threads (started lazily, up to `workers`; default: one per core). */
export function threadsExecutor(workers?: number): ThreadsExecutor<JobSpec, Vector, JobPayload, JobOutput> {
  return new ThreadsExecutor(solverJobs, solverRuntime(), workers);
}

/** Every job in the calling thread, one at a time: for tests and debugging. */
export function inlineExecutor(): InlineExecutor<JobSpec, Vector, JobPayload, JobOutput> {
  return new InlineExecutor(solverJobs, solverRuntime());
}

/** Jobs through Redis to `parareal worker` processes (imported on demand: BullMQ is large). */
export async function redisExecutor(settings: RedisSettings, options: RedisExecutorOptions): Promise<RedisExecutor<JobSpec, Vector, JobPayload, JobOutput>> {
  const { RedisExecutor } = await import("../exec/redis/executor.js");
  return RedisExecutor.open(settings, solverJobs, solverRuntime(), options);
}
