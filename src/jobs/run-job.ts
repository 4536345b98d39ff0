/** Run one solver payload: the code every worker (thread, process, machine) runs per job. */
import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { decode, encode } from "../expr/codec.js";
import { runSolver } from "../solvers/run-solver.js";
import type { Trust } from "../solvers/trust.js";
import { absorbHints, hintsFor, type JobOutput, type JobPayload } from "./payload.js";

/** who runs jobs here: host:pid:thread */
export const workerName = `${hostname()}:${process.pid}:${threadId}`;

export interface RunJobOptions {
  readonly trust?: Trust;
  /** consulted between chunks of integration: true stops the job with a CancelledError */
  readonly stop?: (() => boolean) | undefined;
}

/** Run a payload; one from a queue that others can write to must pass checkPayload first. */
export async function runJob(payload: JobPayload, options: RunJobOptions = {}): Promise<JobOutput> {
  const start = performance.now();
  const startedAt = performance.timeOrigin + start;
  absorbHints(payload.hints);
  const { value, reused } = await runSolver(payload.solver, decode(payload.input), payload.t0, payload.t1, options);
  return { result: encode(value), hints: hintsFor(value), worker: workerName, seconds: (performance.now() - start) / 1000, startedAt, ...(reused ? { reused } : {}) };
}
