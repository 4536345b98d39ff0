import { asMethod, type Method, type Problem } from "./problem.js";

/** Forward Euler: y + (t1 - t0) * f(y, t0), in the original's order of operations. */
export function forwardEuler(problem: Problem): Method {
  const dim = problem.dim;
  const dydt = new Float64Array(dim);
  return asMethod(dim, (y, t0, t1, out) => {
    problem.rhs(t0, y, dydt);
    const dt = t1 - t0;
    for (let j = 0; j < dim; j++) out[j] = y[j]! + dt * dydt[j]!;
  });
}
