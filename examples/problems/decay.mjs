// A problem of your own for `parareal run --problem ./examples/problems/decay.mjs`:
// exponential decay y' = -k y, whose exact solution is y(t) = y0 exp(-k t).
import { defineProblem } from "parareal/problem";

export default defineProblem({
  description: "exponential decay y' = -k y",
  defaults: { k: 1 },
  build: (p) => ({
    dim: 1,
    rhs(_t, y, dydt) {
      dydt[0] = -p.k * y[0];
    },
  }),
  y0: () => [1],
  tEnd: 5,
  points: 11,
  fine: { method: "rk4", h: 1e-3 },
  coarse: { method: "euler" },
});
