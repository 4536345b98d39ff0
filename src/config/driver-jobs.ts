/**
 * Which jobs the driver runs itself instead of sending them to a worker. A thread round trip
 * costs about 100 us of the driver's and a worker's time (a Redis one a millisecond), and the
 * first job on a thread pays its start-up (tens of milliseconds): a fine job that computes for
 * less than that is done sooner where it is submitted. The coarse chain always runs there.
 *
 *   cheap   the default: also fine jobs whose work is known to be small (below)
 *   coarse  every fine job goes to a worker (to study the pool itself, or a shared filesystem)
 */
import type { MethodName } from "../ode/method-names.js";
import type { Problem } from "../ode/problem.js";

export const DRIVER_JOB_CHOICES = ["cheap", "coarse"] as const;
export type DriverJobs = (typeof DRIVER_JOB_CHOICES)[number];

/**
 * Right-hand side evaluations per component a fine job may take and still run in the driver:
 * generated kernels take 1-2 ns per component and stage, so at most about 40 us of computing.
 */
export const DRIVER_FINE_WORK = 20_000;
/** Numbers a fine job's file may hold and still be written by the driver (64 KiB). */
export const DRIVER_FINE_NUMBERS = 8_192;

/** Stages per sub-step of the methods whose cost is known before they run (dopri5 adapts its steps, backward Euler iterates). */
const STAGES: Partial<Record<MethodName, number>> = { euler: 1, rk4: 4 };

export interface FineWork {
  readonly problem: Problem;
  readonly method: MethodName;
  /** sub-steps of the widest slice */
  readonly steps: number;
  /** rows its file keeps */
  readonly rows: number;
}

/**
 * Whether fine jobs run in the driver: only with `cheap`, for a right-hand side declared as data
 * (a generated kernel, whose cost per step is known; a plain callback may sleep or call out), a
 * method of fixed cost, and little work and file per slice.
 */
export function fineRunsInDriver(choice: DriverJobs, w: FineWork): boolean {
  const stages = STAGES[w.method];
  if (choice !== "cheap" || stages === undefined || w.problem.declared === undefined) return false;
  return w.steps * stages * w.problem.dim <= DRIVER_FINE_WORK && w.rows * w.problem.dim <= DRIVER_FINE_NUMBERS;
}
