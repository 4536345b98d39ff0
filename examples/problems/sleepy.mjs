// A problem whose right-hand side sleeps: expensive fine jobs that use no CPU, so that scheduling
// on many workers can be studied (and projections checked) on a small machine.
//   parareal run --problem ./examples/problems/sleepy.mjs --workers 8 --no-reference
// Exponential decay y' = -y; every evaluation of the right-hand side sleeps `ms` milliseconds:
// a fine job (RK4, 10 steps of 0.01 per slice) sleeps 40 ms, a coarse one (one Euler step) `ms`.
import { defineProblem } from "parareal/problem";

const cell = new Int32Array(new SharedArrayBuffer(4));

export default defineProblem({
  description: "exponential decay y' = -y whose right-hand side sleeps ms milliseconds",
  defaults: { ms: 1 },
  build: (p) => ({
    dim: 1,
    rhs(_t, y, dydt) {
      Atomics.wait(cell, 0, 0, p.ms);
      dydt[0] = -y[0];
    },
  }),
  y0: () => [1],
  tEnd: 2,
  points: 21,
  fine: { method: "rk4", h: 0.01 },
  coarse: { method: "euler" },
});
