/**
 * Per-job cost of an executor, with jobs that do almost nothing (one Euler step of the
 * oscillator): a batch submitted at once (throughput), and a chain where each job waits for the
 * one before (latency, as the coarse sweep).
 */
import { Future } from "../src/exec/future.js";
import { literal, type Vector } from "../src/expr/vector.js";
import { solverJobs, type SolverExecutor } from "../src/jobs/solver-job.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulateJobs } from "../src/parareal/scheduler.js";
import { coarseSpec } from "../src/solvers/spec.js";

/** The solver jobs with every one sent to a worker, coarse ones too: to time the round trip coarse jobs no longer pay. */
export const remoteJobs: typeof solverJobs = { ...solverJobs, info: (job) => ({ ...solverJobs.info(job), local: false }) };

const spec = coarseSpec({ name: "harmonic", params: {} }, 0);

/** Wall time per job, in microseconds, of `n` independent tiny jobs submitted at once. */
export async function batchMicros(exec: SolverExecutor, n: number): Promise<number> {
  const y0 = Future.resolved<Vector>(literal([1, 0]));
  const start = performance.now();
  const fs = Array.from({ length: n }, () => exec.submit({ solver: spec, t0: 0, t1: 0.01, slice: 1 }, y0));
  await Promise.all(fs.map((f) => f.promise));
  return ((performance.now() - start) * 1000) / n;
}

/** Wall time per job, in microseconds, of a chain of `n` tiny jobs (job i takes job i-1's result). */
export async function chainMicros(exec: SolverExecutor, n: number): Promise<number> {
  const start = performance.now();
  const ys = tabulateJobs(exec, spec, literal([1, 0]), linspace(0, 1, n + 1));
  await ys.at(-1)!.promise;
  return ((performance.now() - start) * 1000) / n;
}
