/**
 * Backward Euler for stiff problems: y1 = y0 + h f(y1, t1), solved by Newton's method with a
 * finite-difference Jacobian (dense; meant for small systems).
 */
import { luFactor, luSolve } from "./linalg.js";
import { asMethod, type Method, type Problem } from "./problem.js";

export interface BackwardEulerOptions {
  /** Newton stops when the update's max norm falls below tol * (1 + max |y|) */
  readonly tol?: number;
  readonly maxIterations?: number;
}

export function backwardEuler(problem: Problem, options: BackwardEulerOptions = {}): Method {
  const n = problem.dim;
  const tol = options.tol ?? 1e-12;
  const maxIterations = options.maxIterations ?? 50;
  const [y, f, g, fy, yp, dx] = Array.from({ length: 6 }, () => new Float64Array(n));
  const jac = new Float64Array(n * n);
  const pivot = new Int32Array(n);
  return asMethod(n, (y0, t0, t1, out) => {
    const h = t1 - t0;
    // predictor: the explicit Euler step
    problem.rhs(t0, y0, f!);
    for (let j = 0; j < n; j++) y![j] = y0[j]! + h * f![j]!;
    for (let it = 0; ; it++) {
      if (it === maxIterations) throw new Error(`backward Euler: Newton did not converge in ${maxIterations} iterations (t = ${t0} to ${t1})`);
      // residual g(y) = y - y0 - h f(y, t1)
      problem.rhs(t1, y!, fy!);
      for (let j = 0; j < n; j++) g![j] = y![j]! - y0[j]! - h * fy![j]!;
      // Jacobian of g: I - h df/dy, by forward differences
      for (let c = 0; c < n; c++) {
        const e = Math.sqrt(Number.EPSILON) * Math.max(1, Math.abs(y![c]!));
        yp!.set(y!);
        yp![c] = y![c]! + e;
        problem.rhs(t1, yp!, f!);
        for (let r = 0; r < n; r++) jac[r * n + c] = (r === c ? 1 : 0) - (h * (f![r]! - fy![r]!)) / e;
      }
      luFactor(jac, n, pivot);
      dx!.set(g!);
      luSolve(jac, n, pivot, dx!);
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
