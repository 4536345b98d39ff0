/** The built-in problems by name, with their defaults. */
import { harmonicOscillator } from "./harmonic.js";
import { MAX_DIMENSION } from "../size-limits.js";
import type { ProblemEntry } from "./problem-entry.js";
import { brusselator, heat1d, heatGrid, lorenz, regrid, vanDerPol } from "./systems.js";

export const problems: Readonly<Record<string, ProblemEntry>> = {
  harmonic: {
    description: "damped harmonic oscillator q'' + 2 zeta omega0 q' + omega0^2 q = 0, state (q, p)",
    defaults: { omega0: 1.0, zeta: 0.5 },
    build: (p) => harmonicOscillator(p.omega0!, p.zeta!),
    y0: () => [1, 0],
    tEnd: 15,
    points: 20,
    fine: { method: "euler", h: 0.01 },
    coarse: { method: "euler" },
  },
  lorenz: {
    description: "Lorenz system x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z",
    defaults: { sigma: 10, rho: 28, beta: 8 / 3 },
    build: (p) => lorenz(p.sigma!, p.rho!, p.beta!),
    y0: () => [1, 1, 1],
    tEnd: 1,
    points: 21,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  vanderpol: {
    description: "Van der Pol oscillator x'' - mu (1 - x^2) x' + x = 0, state (x, x')",
    defaults: { mu: 1 },
    build: (p) => vanDerPol(p.mu!),
    y0: () => [2, 0],
    tEnd: 10,
    points: 41,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  brusselator: {
    description: "Brusselator x' = a + x^2 y - (b + 1) x, y' = b x - x^2 y",
    defaults: { a: 1, b: 3 },
    build: (p) => brusselator(p.a!, p.b!),
    y0: () => [1.5, 3],
    tEnd: 10,
    points: 41,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  heat1d: {
    description: "heat equation u_t = kappa u_xx on (0, length), u = 0 at the ends, n interior points; u(x, 0) = sin(pi x / length)",
    defaults: { n: 31, kappa: 1, length: 1 },
    build: (p) => heat1d(p.n!, p.kappa!, p.length!),
    y0: (p) => Array.from(heatGrid(p.n!, p.length!), (x) => Math.sin((Math.PI * x) / p.length!)),
    tEnd: 0.1,
    points: 11,
    fine: { method: "backward-euler", h: 1e-3 },
    coarse: { method: "backward-euler" },
    // the grid's points are the state: bounded like any state, before a grid is allocated
    sizes: { n: { min: 1, max: MAX_DIMENSION } },
    regrid: (u, from, to) => {
      if (from["length"] !== to["length"]) throw new RangeError("heat1d maps only between grids on the same interval (parameter `length`)");
      return regrid(u, to.n!);
    },
  },
};
