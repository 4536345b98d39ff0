/**
 * Solver jobs for the executors: a solver spec over one slice [t0, t1]. The adapter tells an
 * executor how to order, name and ship them; the runtime where their code runs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decode } from "../expr/codec.js";
import type { Vector } from "../expr/vector.js";
import type { Executor } from "../exec/executor.js";
import type { JobAdapter, JobInfo, Runtime } from "../exec/job.js";
import type { WorkerRuntime } from "../exec/redis/worker.js";
import { removeOwnExchangeFiles } from "../solvers/command.js";
import type { SolverSpec } from "../solvers/spec.js";
import { TRUST_ALL, type Trust } from "../solvers/trust.js";
import { confine, rootProblem } from "./confine.js";
import { absorbHints, makePayload, type JobOutput, type JobPayload } from "./payload.js";
import { checkPayload } from "./payload-schema.js";
import { runJob } from "./run-job.js";

export interface JobSpec {
  readonly solver: SolverSpec;
  readonly t0: number;
  readonly t1: number;
  /** the slice this job's output belongs to (for ordering and messages) */
  readonly slice: number;
}

/** An executor of solver jobs on vector expressions. */
export type SolverExecutor = Executor<JobSpec, Vector>;

/** A coarse solver run by a method is microseconds of work, and so is a fine one marked so: run them where they are submitted. */
function isCheap(solver: SolverSpec): boolean {
  if (solver.command !== undefined || solver.openfoam !== undefined) return false;
  return solver.kind === "coarse" || solver.inDriver === true;
}

export const solverJobs: JobAdapter<JobSpec, Vector, JobPayload, JobOutput> = {
  info(job): JobInfo {
    const { kind, iteration } = job.solver;
    return { kind, iteration, slice: job.slice, urgent: kind === "coarse", local: isCheap(job.solver) };
  },
  describe(job) {
    return `${job.solver.kind} job of iteration ${job.solver.iteration}, slice ${job.slice} (t = ${job.t0} to ${job.t1})`;
  },
  payload(job, input) {
    return makePayload(job.solver, input, job.t0, job.t1);
  },
  result(_job, output) {
    absorbHints(output.hints);
    return decode(output.result);
  },
};

/**
 * The worker threads' module: the build's one-file bundle of it when there is one (it starts
 * faster). Named from jobs/ itself or from the CLI's bundle beside it: the same files.
 */
const bundled = new URL("../jobs/thread-worker.bundle.js", import.meta.url);
const threadModule = existsSync(fileURLToPath(bundled)) ? bundled : new URL("../jobs/thread-worker.js", import.meta.url);

/** Where solver jobs run: this thread, or worker threads trusting what `trust` allows. */
export function solverRuntime(trust: Trust = TRUST_ALL): Runtime<JobPayload, JobOutput> {
  return {
    run: (payload, stop) => runJob(payload, { trust, stop }),
    threadModule,
    workerData: { trust },
  };
}

/**
 * What a `parareal worker` process does with solver jobs from Redis: check each one against the
 * schema and its run's announcement (paths inside the root, only announced modules), and run it
 * on threads trusting what the worker was started to trust.
 */
export function solverWorkerRuntime(trust: Trust, archiveRoot: string | undefined): WorkerRuntime<JobPayload> {
  // the exchange directories of the commands this process was given: a worker stopped mid-command
  // removes what it left there, as the driver does for its own
  const exchangeDirs = new Set<string>();
  return {
    threadModule,
    workerData: { trust },
    acceptRoot(root) {
      const why = rootProblem(root);
      if (why) throw new Error(`its archive root ${why}`);
      if (archiveRoot !== undefined) confine(root, archiveRoot, "its archive root");
    },
    admit(data, run) {
      const payload = checkPayload(data, run.root);
      const module = payload.solver.problem.module;
      // a job may not make a worker import a module its run did not name
      if (module !== undefined && !run.modules.includes(module)) throw new Error(`job names problem module ${module}, which its run did not announce`);
      if (payload.solver.command) exchangeDirs.add(payload.solver.command.workdir);
      return payload;
    },
    cleanup() {
      for (const dir of exchangeDirs) removeOwnExchangeFiles(dir);
    },
  };
}
