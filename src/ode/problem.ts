import type { DeclaredRhs } from "./kernel/declared.js";

/** An initial value problem's right-hand side, written in place: rhs(t, y, dydt). */
export interface Problem {
  /** length of the state vector */
  readonly dim: number;
  rhs(t: number, y: Float64Array, dydt: Float64Array): void;
  /**
   * For problems whose Jacobian df/dy is tridiagonal (1-D stencils): its three bands at (t, y),
   * row i being lower[i] y[i-1] + diag[i] y[i] + upper[i] y[i+1]. Implicit methods then solve in
   * O(n) instead of building a dense finite-difference Jacobian.
   */
  tridiagonalJacobian?(t: number, y: Float64Array, lower: Float64Array, diag: Float64Array, upper: Float64Array): void;
  /**
   * The same right-hand side as data (src/ode/kernel/declared.ts), from which fine solvers
   * generate their whole integration loop; it must compute exactly what `rhs` computes.
   */
  readonly declared?: DeclaredRhs;
}

/** A solution maps a state at t0 to the state at t1 (the original's `Solution`). */
export type Solution = (y: Float64Array, t0: number, t1: number) => Float64Array;

/** One step of a method, written into `out`; every method must allow `out === y` (stepping in place). */
export interface Stepper {
  readonly dim: number;
  into(y: Float64Array, t0: number, t1: number, out: Float64Array): void;
  /** a generated replacement for iterate.ts's whole march over sub-steps (src/ode/kernel) */
  readonly march?: March;
}

/** iterate.ts's march: n sub-steps from t0 to t1, rows into `table`, a new array for the last state. */
export type March = (y: Float64Array, t0: number, t1: number, n: number, stride: number, table: Float64Array | null, stop?: () => boolean) => Float64Array;

/** A method's step as both a Solution and an allocation-free stepper. */
export type Method = Solution & Stepper;

export function asMethod(dim: number, into: Stepper["into"]): Method {
  const solution = (y: Float64Array, t0: number, t1: number): Float64Array => {
    const out = new Float64Array(dim);
    into(y, t0, t1, out);
    return out;
  };
  return Object.assign(solution, { dim, into });
}
