/**
 * Coarse and fine solvers as data: a spec names the problem, the method and the step, so it
 * can be sent to any worker and rebuilt there (the original pickled dataclasses for this).
 */
import { DEFAULT_METHOD, type MethodName } from "../ode/methods.js";
import type { ProblemSpec } from "../models/problem-entry.js";
import type { CommandSpec } from "./command.js";
import type { OpenFoamSolver } from "../openfoam/spec.js";

export interface CoarseSpec {
  readonly kind: "coarse";
  readonly iteration: number;
  readonly problem: ProblemSpec;
  readonly method: MethodName;
  /** sub-step; absent: one step per slice, as the original's coarse solver */
  readonly h?: number;
  /**
   * Parameters of the coarse problem where they differ from the fine one's (e.g. `{ n: 15 }` for
   * heat1d: a coarser grid): the state is restricted to it (f2c), solved there and interpolated
   * back (c2f) by the problem's `regrid`.
   */
  readonly coarseParams?: Readonly<Record<string, number>>;
  /** a black-box program instead of `method` (see command.ts) */
  readonly command?: CommandSpec;
  /** an OpenFOAM case instead of `method`, with deltaT h (see openfoam/spec.ts) */
  readonly openfoam?: OpenFoamSolver;
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
  /** dopri5 tolerances, within each sub-step of width h */
  readonly rtol?: number;
  readonly atol?: number;
  /** a black-box program instead of `method`: it writes the trajectory, we archive it */
  readonly command?: CommandSpec;
  /** an OpenFOAM case instead of `method`, with deltaT h: its trajectory is archived with a dataset per field */
  readonly openfoam?: OpenFoamSolver;
  /** resume: reuse the file already in the archive when it is exactly what this job would write */
  readonly reuse?: boolean;
  /** cheap enough for the driver to run itself, without a round trip to a worker (config/driver-jobs.ts) */
  readonly inDriver?: boolean;
}

export type SolverSpec = CoarseSpec | FineSpec;

export function coarseSpec(
  problem: ProblemSpec,
  iteration: number,
  method: MethodName = DEFAULT_METHOD,
  h?: number,
  coarseParams?: Readonly<Record<string, number>>,
  command?: CommandSpec,
): CoarseSpec {
  return {
    kind: "coarse",
    iteration,
    problem,
    method,
    ...(h === undefined ? {} : { h }),
    ...(coarseParams === undefined ? {} : { coarseParams }),
    ...(command === undefined ? {} : { command }),
  };
}

export function fineSpec(
  problem: ProblemSpec,
  iteration: number,
  options: { h: number; archive: string; name?: string; saveEvery?: number; method?: MethodName; rtol?: number; atol?: number; command?: CommandSpec; reuse?: boolean; inDriver?: boolean },
): FineSpec {
  return {
    kind: "fine",
    iteration,
    problem,
    method: options.method ?? DEFAULT_METHOD,
    h: options.h,
    archive: options.archive,
    name: options.name ?? "fine",
    saveEvery: options.saveEvery ?? 1,
    ...(options.rtol === undefined ? {} : { rtol: options.rtol }),
    ...(options.atol === undefined ? {} : { atol: options.atol }),
    ...(options.command === undefined ? {} : { command: options.command }),
    ...(options.reuse ? { reuse: true } : {}),
    ...(options.inDriver ? { inDriver: true } : {}),
  };
}
