import { asMethod, type Method, type Problem } from "./problem.js";

/** Classic fourth-order Runge-Kutta; scratch buffers are allocated once, not per step. */
export function rk4(problem: Problem): Method {
  const dim = problem.dim;
  const [k1, k2, k3, k4, tmp] = Array.from({ length: 5 }, () => new Float64Array(dim));
  return asMethod(dim, (y, t0, t1, out) => {
    const h = t1 - t0;
    const half = h / 2;
    problem.rhs(t0, y, k1!);
    for (let j = 0; j < dim; j++) tmp![j] = y[j]! + half * k1![j]!;
    problem.rhs(t0 + half, tmp!, k2!);
    for (let j = 0; j < dim; j++) tmp![j] = y[j]! + half * k2![j]!;
    problem.rhs(t0 + half, tmp!, k3!);
    for (let j = 0; j < dim; j++) tmp![j] = y[j]! + h * k3![j]!;
    problem.rhs(t1, tmp!, k4!);
    for (let j = 0; j < dim; j++) out[j] = y[j]! + (h / 6) * (k1![j]! + 2 * k2![j]! + 2 * k3![j]! + k4![j]!);
  });
}
