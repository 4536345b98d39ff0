/**
 * Coarse and fine solvers as data: a spec names the problem, the method and the step, so it
 * can be sent to any worker and rebuilt there (the original pickled dataclasses for this).
 */
import type { ProblemSpec } from "./problems.js";

export type MethodName = "euler";

export interface CoarseSpec {
  readonly kind: "coarse";
  readonly iteration: number;
  readonly problem: ProblemSpec;
  readonly method: MethodName;
}

export interface FineSpec {
  readonly kind: "fine";
  readonly iteration: number;
  readonly problem: ProblemSpec;
  readonly method: MethodName;
  readonly h: number;
  /** directory that receives this solver's HDF5 files */
  readonly archive: string;
  /** file name prefix: `<name>-<iter:04>-<t0 ms:06>-<t1 ms:06>.h5` */
  readonly name: string;
  /** keep every saveEvery-th sub-step (and always the last) */
  readonly saveEvery: number;
}

export type SolverSpec = CoarseSpec | FineSpec;

export function coarseSpec(problem: ProblemSpec, iteration: number, method: MethodName = "euler"): CoarseSpec {
  return { kind: "coarse", iteration, problem, method };
}

export function fineSpec(
  problem: ProblemSpec,
  iteration: number,
  options: { h: number; archive: string; name?: string; saveEvery?: number; method?: MethodName },
): FineSpec {
  return {
    kind: "fine",
    iteration,
    problem,
    method: options.method ?? "euler",
    h: options.h,
    archive: options.archive,
    name: options.name ?? "fine",
    saveEvery: options.saveEvery ?? 1,
  };
}
