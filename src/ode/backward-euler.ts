/**
 * Backward Euler for stiff problems: y1 = y0 + h f(y1, t1), solved by Newton's method with a
 * finite-difference Jacobian (dense; meant for small systems), or the problem's own tridiagonal
 * Jacobian when it has one (heat1d): then each Newton step is an O(n) Thomas solve.
 */
import { luFactor, luSolve, tridiagonalSolve } from "./linalg.js";
import { asMethod, type Method, type Problem } from "./problem.js";

export interface BackwardEulerOptions {
  /** Newton stops when the update's max norm falls below tol * (1 + max |y|) */
  readonly tol?: number;
  readonly maxIterations?: number;
}

/** Writes the Newton update dx = J_g(y)^-1 g into `g`, for g(y) = y - y0 - h f(y, t1). */
type NewtonSolve = (t1: number, h: number, y: Float64Array, fy: Float64Array, g: Float64Array) => void;

function denseSolve(problem: Problem): NewtonSolve {
  const n = problem.dim;
  const jac = new Float64Array(n * n);
  const pivot = new Int32Array(n);
  const yp = new Float64Array(n);
  const f = new Float64Array(n);
  return (t1, h, y, fy, g) => {
    // I - h df/dy, by forward differences
    for (let c = 0; c < n; c++) {
      const e = Math.sqrt(Number.EPSILON) * Math.max(1, Math.abs(y[c]!));
      yp.set(y);
      yp[c] = y[c]! + e;
      problem.rhs(t1, yp, f);
      for (let r = 0; r < n; r++) jac[r * n + c] = (r === c ? 1 : 0) - (h * (f[r]! - fy[r]!)) / e;
    }
    luFactor(jac, n, pivot);
    luSolve(jac, n, pivot, g);
  };
}

function tridiagonalNewton(problem: Problem, bands: NonNullable<Problem["tridiagonalJacobian"]>): NewtonSolve {
  const n = problem.dim;
  const [lower, diag, upper, work] = Array.from({ length: 4 }, () => new Float64Array(n));
  return (t1, h, y, _fy, g) => {
    bands.call(problem, t1, y, lower!, diag!, upper!);
    for (let j = 0; j < n; j++) {
      lower![j] = -h * lower![j]!;
      diag![j] = 1 - h * diag![j]!;
      upper![j] = -h * upper![j]!;
    }
    tridiagonalSolve(lower!, diag!, upper!, g, work!);
  };
}

export function backwardEuler(problem: Problem, options: BackwardEulerOptions = {}): Method {
  const n = problem.dim;
  const tol = options.tol ?? 1e-12;
  const maxIterations = options.maxIterations ?? 50;
  const [y, f, dx] = Array.from({ length: 3 }, () => new Float64Array(n));
  const solve = problem.tridiagonalJacobian ? tridiagonalNewton(problem, problem.tridiagonalJacobian) : denseSolve(problem);
  return asMethod(n, (y0, t0, t1, out) => {
    const h = t1 - t0;
    // predictor: the explicit Euler step
    problem.rhs(t0, y0, f!);
    for (let j = 0; j < n; j++) y![j] = y0[j]! + h * f![j]!;
    for (let it = 0; ; it++) {
      if (it === maxIterations) throw new Error(`backward Euler: Newton did not converge in ${maxIterations} iterations (t = ${t0} to ${t1})`);
      problem.rhs(t1, y!, f!);
      for (let j = 0; j < n; j++) dx![j] = y![j]! - y0[j]! - h * f![j]!;
      solve(t1, h, y!, f!, dx!);
      let step = 0;
      let size = 0;
      for (let j = 0; j < n; j++) {
        y![j]! -= dx![j]!;
        step = Math.max(step, Math.abs(dx![j]!));
        size = Math.max(size, Math.abs(y![j]!));
      }
      if (step <= tol * (1 + size)) break;
    }
    out.set(y!);
  });
}
