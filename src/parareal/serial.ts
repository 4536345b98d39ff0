/**
 * One parareal iteration on plain arrays, exactly as the original's `parareal`: the test oracle.
 *   y'[0] = y[0];  y'[i] = c2f(C(f2c(y'[i-1]))) + F(y[i-1]) - c2f(C(f2c(y[i-1])))
 */
import type { Solution } from "../ode/problem.js";

export type Mapping = (y: Float64Array) => Float64Array;

const identity: Mapping = (y) => y;

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x + b[i]!);
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x - b[i]!);
}

export function parareal(coarse: Solution, fine: Solution, c2f: Mapping = identity, f2c: Mapping = identity) {
  return (y: readonly Float64Array[], t: ArrayLike<number>): Float64Array[] => {
    const next: Float64Array[] = [y[0]!];
    for (let i = 1; i < t.length; i++) {
      const c1 = c2f(coarse(f2c(next[i - 1]!), t[i - 1]!, t[i]!));
      const f1 = fine(y[i - 1]!, t[i - 1]!, t[i]!);
      const c2 = c2f(coarse(f2c(y[i - 1]!), t[i - 1]!, t[i]!));
      next.push(sub(add(c1, f1), c2));
    }
    return next;
  };
}

/** Maximum absolute difference over every slice and component (the original's maxdif). */
export function maxAbsDiff(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    for (let j = 0; j < x.length; j++) {
      const d = Math.abs(x[j]! - y[j]!);
      if (Number.isNaN(d)) return d; // NaN must never pass as convergence
      if (d > m) m = d;
    }
  }
  return m;
}
