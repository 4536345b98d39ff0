/**
 * A built-in problem's default solvers as plain Solutions, for the serial oracles (tests and
 * the benchmark): fine = the fine method sub-stepped with h, coarse = one step of the coarse
 * method per interval, as the scheduled run's coarse and fine specs do.
 */
import { iterateSolution } from "../ode/iterate.js";
import { makeMethod } from "../ode/methods.js";
import type { Problem, Solution } from "../ode/problem.js";
import { problemEntry } from "../models/catalogue.js";

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
  const fineStep = makeMethod(entry.fine.method, problem);
  return {
    problem,
    y0: Float64Array.from(entry.y0(entry.defaults)),
    tEnd: entry.tEnd,
    points: entry.points,
    fine: iterateSolution(fineStep, entry.fine.h),
    fineStep,
    coarse: makeMethod(entry.coarse.method, problem),
  };
}
