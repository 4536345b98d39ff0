/**
 * Rebuilding a problem and its method per job would cost more than a coarse step, and specs
 * repeat, so methods are kept per thread, keyed by everything that defines them: the module the
 * problem comes from (two runs' `a/model.mjs` and `b/model.mjs` share a name, not a problem), its
 * name and parameters, the method and its tolerances.
 */
import { makeMethod, type MethodName, type Tolerances } from "../ode/methods.js";
import type { Method } from "../ode/problem.js";
import { buildProblem } from "../models/catalogue.js";
import type { ProblemSpec } from "../models/problem-entry.js";

const methods = new Map<string, Method>();

export function methodKey(name: MethodName, problem: ProblemSpec, tolerances: Tolerances = {}): string {
  const params = Object.keys(problem.params)
    .sort()
    .map((k) => [k, problem.params[k]]);
  return JSON.stringify([name, problem.module ?? null, problem.name, params, tolerances.rtol ?? null, tolerances.atol ?? null]);
}

export function methodFor(name: MethodName, problem: ProblemSpec, tolerances: Tolerances = {}): Method {
  const key = methodKey(name, problem, tolerances);
  let m = methods.get(key);
  if (!m) {
    m = makeMethod(name, buildProblem(problem), tolerances);
    methods.set(key, m);
  }
  return m;
}
