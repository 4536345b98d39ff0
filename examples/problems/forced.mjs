// A problem declared as data, for `parareal run --problem ./examples/problems/forced.mjs`: the fine
// solver then runs a loop generated for it (src/ode/kernel/declared.ts says what may be written),
// several times faster than a plain rhs callback, with the same numbers to the last bit.
// The forced oscillator x'' = f cos t - w^2 x, as the state (x, v).
import { declareProblem, defineProblem } from "parareal/problem";

export default defineProblem({
  description: "forced oscillator x'' = f cos t - w^2 x, state (x, v)",
  defaults: { w: 1.5, f: 0.3 },
  build: (p) =>
    declareProblem({
      kind: "components",
      state: ["x", "v"],
      params: { w: p.w, f: p.f },
      let: { w2: "w * w" },
      derivatives: { x: "v", v: "f * Math.cos(t) - w2 * x" },
    }),
  y0: () => [1, 0],
  tEnd: 4,
  points: 9,
  fine: { method: "rk4", h: 0.01 },
  coarse: { method: "euler" },
});
