/** The integration methods by name, so a solver spec can name one and a worker build it. */
import { backwardEuler } from "./backward-euler.js";
import { dopri5 } from "./dopri5.js";
import { forwardEuler } from "./forward-euler.js";
import { withKernel } from "./kernel/kernel.js";
import { asMethod, type Method, type Problem } from "./problem.js";
import { rk4 } from "./rk4.js";

export { DEFAULT_METHOD, METHODS, isMethodName, type MethodName } from "./method-names.js";
import { METHODS, type MethodName } from "./method-names.js";

/** dopri5's error tolerances (the other methods take none) */
export interface Tolerances {
  readonly rtol?: number | undefined;
  readonly atol?: number | undefined;
}


function definedTolerances(t: Tolerances): { rtol?: number; atol?: number } {
  return { ...(t.rtol === undefined ? {} : { rtol: t.rtol }), ...(t.atol === undefined ? {} : { atol: t.atol }) };
}

/**
 * One step of the named method for `problem`; a problem that declares its right-hand side also
 * gets its whole sub-stepping loop generated (ode/kernel), with the same numbers.
 */
export function makeMethod(name: MethodName, problem: Problem, tolerances: Tolerances = {}): Method {
  return withKernel(genericMethod(name, problem, tolerances), problem, name, definedTolerances(tolerances));
}

function genericMethod(name: MethodName, problem: Problem, tolerances: Tolerances): Method {
  switch (name) {
    case "euler":
      return forwardEuler(problem);
    case "rk4":
      return rk4(problem);
    case "backward-euler":
      return backwardEuler(problem);
    case "dopri5": {
      // adaptive within each sub-step, so files keep their fixed grid of n + 1 rows
      const solve = dopri5(problem, definedTolerances(tolerances));
      return asMethod(problem.dim, (y, t0, t1, out) => out.set(solve(y, t0, t1)));
    }
    default:
      throw new Error(`unknown method \`${String(name)}\` (known: ${METHODS.join(", ")})`);
  }
}
