/**
 * A built-in problem's default solvers as plain Solutions, for the serial oracles (tests and
 * the benchmark): fine = the fine method sub-stepped with h, coarse = one step of the coarse
 * method per interval, as the scheduled run's coarse and fine specs do.
 */
import { backwardEuler } from "../ode/backward-euler.js";
import { forwardEuler } from "../ode/forward-euler.js";
import { iterateSolution } from "../ode/iterate.js";
import type { Method, Problem, Solution } from "../ode/problem.js";
import { rk4 } from "../ode/rk4.js";
import { problemEntry } from "../solvers/problems.js";
import type { MethodName } from "../solvers/spec.js";

/** The fixed-step methods by name (dopri5 is adaptive, so it is not a one-step propagator). */
export function fixedStepMethod(name: MethodName, problem: Problem): Method {
  switch (name) {
    case "euler":
      return forwardEuler(problem);
    case "rk4":
      return rk4(problem);
    case "backward-euler":
      return backwardEuler(problem);
    default:
      throw new RangeError(`\`${name}\` is not a fixed-step method (euler, rk4, backward-euler)`);
  }
}

export interface ProblemSolutions {
  readonly problem: Problem;
  readonly y0: Float64Array;
  readonly tEnd: number;
  readonly points: number;
  /** the fine method sub-stepped with the problem's fine h */
  readonly fine: Solution;
  /** one step of the fine method per interval, whatever its width */
  readonly fineStep: Solution;
  /** one step of the coarse method per interval */
  readonly coarse: Solution;
}

export function problemSolutions(name: string): ProblemSolutions {
  const entry = problemEntry(name);
  const problem = entry.build(entry.defaults);
  const fineStep = fixedStepMethod(entry.fine.method, problem);
  return {
    problem,
    y0: Float64Array.from(entry.y0(entry.defaults)),
    tEnd: entry.tEnd,
    points: entry.points,
    fine: iterateSolution(fineStep, entry.fine.h),
    fineStep,
    coarse: fixedStepMethod(entry.coarse.method, problem),
  };
}
