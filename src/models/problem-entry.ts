/**
 * What makes a problem runnable by name: its right-hand side built from parameters, and the
 * documented initial state, time span and solvers. Built-in problems and user modules alike.
 */
import type { MethodName } from "../ode/methods.js";
import type { Problem } from "../ode/problem.js";
import type { SizeBound } from "../size-limits.js";

/** A problem as solver specs name it: plain data that a worker can rebuild the problem from. */
export interface ProblemSpec {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  /** file URL of a user module whose default export is a problem definition (defineProblem) */
  readonly module?: string;
}

export type Params = Readonly<Record<string, number>>;

export interface ProblemEntry {
  readonly description: string;
  readonly defaults: Params;
  build(params: Params): Problem;
  /** the documented initial state, time span and solvers that make a sensible parareal run */
  readonly y0: (params: Params) => number[];
  readonly tEnd: number;
  readonly points: number;
  readonly fine: { readonly method: MethodName; readonly h: number };
  readonly coarse: { readonly method: MethodName };
  /**
   * For problems on a grid: map a state between the grids of two parameter sets. The coarse
   * solver then runs with other parameters (`--coarse-param n=15`, a coarser grid), as the
   * original's c2f(C(f2c(y))) with f2c = regrid(., fine, coarse) and c2f = regrid(., coarse, fine);
   * states travel between jobs on the fine grid.
   */
  readonly regrid?: (y: Float64Array, from: Params, to: Params) => Float64Array;
  /**
   * Parameters that set a size (heat1d's grid points n): whole numbers within these bounds,
   * checked when given (--param, --coarse-param), before the problem is built.
   */
  readonly sizes?: Readonly<Record<string, SizeBound>>;
}

/** A problem of the user's own, as the default export of a module: `export default defineProblem({...})`. */
export interface ProblemDefinition extends Omit<ProblemEntry, "description"> {
  readonly description?: string;
}

export function defineProblem(definition: ProblemDefinition): ProblemDefinition {
  return definition;
}
