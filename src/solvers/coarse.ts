/** The coarse solver: one step per slice (the original's), or sub-steps, optionally on a coarser grid. */
import { Literal } from "../expr/vector.js";
import { iterateSolution } from "../ode/iterate.js";
import type { Method } from "../ode/problem.js";
import { problemEntry, problemParams } from "../models/catalogue.js";
import type { ProblemSpec } from "../models/problem-entry.js";
import { checkFinite } from "./finite.js";
import { methodFor } from "./method-cache.js";
import type { CoarseSpec } from "./spec.js";

function coarseSolve(m: Method, h: number | undefined, y: Float64Array, t0: number, t1: number): Float64Array {
  return h === undefined ? m(y, t0, t1) : iterateSolution(m, h)(y, t0, t1);
}

export function runCoarse(spec: CoarseSpec, y: Float64Array, t0: number, t1: number): Literal {
  if (spec.coarseParams !== undefined) return runOnCoarseGrid(spec, spec.coarseParams, y, t0, t1);
  const out = coarseSolve(methodFor(spec.method, spec.problem), spec.h, y, t0, t1);
  checkFinite(out, "coarse solver");
  return new Literal(out);
}

/** c2f(C(f2c(y))): the original's coarse solver on a coarser grid, through the problem's regrid. */
function runOnCoarseGrid(spec: CoarseSpec, coarseParams: Readonly<Record<string, number>>, y: Float64Array, t0: number, t1: number): Literal {
  const { regrid } = problemEntry(spec.problem.name, spec.problem.module);
  if (!regrid) throw new Error(`problem \`${spec.problem.name}\` has no grid mapping (regrid), so its coarse solver cannot run on another grid`);
  const coarseProblem: ProblemSpec = { ...spec.problem, params: { ...spec.problem.params, ...coarseParams } };
  const [fine, coarse] = [problemParams(spec.problem), problemParams(coarseProblem)];
  const f2c = (u: Float64Array) => regrid(u, fine, coarse);
  const c2f = (u: Float64Array) => regrid(u, coarse, fine);
  const restricted = f2c(y);
  const m = methodFor(spec.method, coarseProblem);
  if (restricted.length !== m.dim) throw new Error(`regrid gave ${restricted.length} values for a coarse grid of ${m.dim}`);
  const out = c2f(coarseSolve(m, spec.h, restricted, t0, t1));
  if (out.length !== y.length) throw new Error(`regrid gave ${out.length} values for a fine grid of ${y.length}`);
  checkFinite(out, "coarse solver");
  return new Literal(out);
}
