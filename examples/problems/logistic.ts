// A problem of your own in TypeScript, for `parareal run --problem ./examples/problems/logistic.ts`:
// logistic growth y' = r y (1 - y / K), whose exact solution is y(t) = K / (1 + (K / y0 - 1) exp(-r t)).
// The module is transpiled when loaded (types are stripped, not checked: `npx tsc --noEmit` checks them).
import { defineProblem, type Problem } from "parareal/problem";

function logistic(r: number, K: number): Problem {
  return {
    dim: 1,
    rhs(_t: number, y: Float64Array, dydt: Float64Array): void {
      dydt[0] = r * y[0]! * (1 - y[0]! / K);
    },
  };
}

export default defineProblem({
  description: "logistic growth y' = r y (1 - y / K)",
  defaults: { r: 1, K: 10 },
  build: (p) => logistic(p.r!, p.K!),
  y0: () => [0.5],
  tEnd: 8,
  points: 17,
  fine: { method: "rk4", h: 1e-3 },
  coarse: { method: "euler" },
});
