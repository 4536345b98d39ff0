/**
 * Dormand-Prince 5(4) with adaptive steps: the error of the embedded fourth-order solution is
 * kept below atol + rtol |y| per component, and the last step is cut to land exactly on t1.
 */
import type { Problem, Solution } from "./problem.js";

export interface Dopri5Options {
  readonly rtol?: number;
  readonly atol?: number;
  /** first trial step; default: a hundredth of the interval */
  readonly h0?: number;
  readonly maxSteps?: number;
}

// Butcher tableau of Dormand & Prince (1980)
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
// fifth-order weights are A[6]; E = fifth - fourth order weights, for the error estimate
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

export interface Dopri5 extends Solution {
  /** accepted and rejected steps of the last call */
  readonly stats: { accepted: number; rejected: number };
}

export function dopri5(problem: Problem, options: Dopri5Options = {}): Dopri5 {
  const n = problem.dim;
  const rtol = options.rtol ?? 1e-6;
  const atol = options.atol ?? 1e-9;
  const maxSteps = options.maxSteps ?? 1_000_000;
  const k = Array.from({ length: 7 }, () => new Float64Array(n));
  const tmp = new Float64Array(n);
  const next = new Float64Array(n);
  const stats = { accepted: 0, rejected: 0 };
  const solve = (y0: Float64Array, t0: number, t1: number): Float64Array => {
    stats.accepted = 0;
    stats.rejected = 0;
    const y = Float64Array.from(y0);
    if (t1 === t0) return y;
    const span = t1 - t0;
    let h = options.h0 ?? span / 100;
    let t = t0;
    problem.rhs(t, y, k[0]!);
    while ((span > 0 && t < t1) || (span < 0 && t > t1)) {
      if (stats.accepted + stats.rejected >= maxSteps) throw new Error(`dopri5: more than ${maxSteps} steps between t = ${t0} and ${t1}`);
      const last = Math.abs(h) >= Math.abs(t1 - t);
      if (last) h = t1 - t;
      for (let s = 1; s < 7; s++) {
        for (let j = 0; j < n; j++) {
          let acc = y[j]!;
          for (let r = 0; r < s; r++) acc += h * A[s]![r]! * k[r]![j]!;
          tmp[j] = acc;
        }
        problem.rhs(t + C[s]! * h, tmp, k[s]!);
        if (s === 6) next.set(tmp); // the seventh stage is evaluated at the fifth-order solution
      }
      let err = 0;
      for (let j = 0; j < n; j++) {
        let e = 0;
        for (let s = 0; s < 7; s++) e += E[s]! * k[s]![j]!;
        const scale = atol + rtol * Math.max(Math.abs(y[j]!), Math.abs(next[j]!));
        err = Math.max(err, Math.abs(h * e) / scale);
      }
      if (!Number.isFinite(err)) throw new Error(`dopri5: non-finite error estimate at t = ${t}`);
      if (err <= 1) {
        stats.accepted++;
        t = last ? t1 : t + h; // land exactly on t1
        y.set(next);
        k[0]!.set(k[6]!); // first same as last
      } else {
        stats.rejected++;
      }
      // the usual controller, with safety factor 0.9 and growth limited to [0.2, 5]
      const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -1 / 5)));
      h *= factor;
    }
    return y;
  };
  return Object.assign(solve, { stats });
}

/** The tableau, for the generated kernels (src/ode/kernel), which must use the very same numbers. */
export const dormandPrince = { C, A, E } as const;
