import type { Solution } from "./problem.js";

/** The state at every time point of t, starting from y0 (the original's tabulate). */
export function tabulate(solution: Solution, y0: Float64Array, t: ArrayLike<number>): Float64Array[] {
  const y: Float64Array[] = [Float64Array.from(y0)];
  for (let i = 1; i < t.length; i++) y.push(solution(y[i - 1]!, t[i - 1]!, t[i]!));
  return y;
}
