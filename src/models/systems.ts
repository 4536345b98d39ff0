/** More built-in problems: Lorenz, Van der Pol, the Brusselator, and the heat equation by lines. */
import type { Problem } from "../ode/problem.js";

export function lorenz(sigma: number, rho: number, beta: number): Problem {
  return {
    dim: 3,
    rhs(_t, y, d) {
      const [x, yy, z] = [y[0]!, y[1]!, y[2]!];
      d[0] = sigma * (yy - x);
      d[1] = x * (rho - z) - yy;
      d[2] = x * yy - beta * z;
    },
    declared: {
      kind: "components",
      state: ["x", "y", "z"],
      params: { sigma, rho, beta },
      derivatives: { x: "sigma * (y - x)", y: "x * (rho - z) - y", z: "x * y - beta * z" },
    },
  };
}

export function vanDerPol(mu: number): Problem {
  return {
    dim: 2,
    rhs(_t, y, d) {
      const [x, v] = [y[0]!, y[1]!];
      d[0] = v;
      d[1] = mu * (1 - x * x) * v - x;
    },
    declared: { kind: "components", state: ["x", "v"], params: { mu }, derivatives: { x: "v", v: "mu * (1 - x * x) * v - x" } },
  };
}

export function brusselator(a: number, b: number): Problem {
  return {
    dim: 2,
    rhs(_t, y, d) {
      const [x, z] = [y[0]!, y[1]!];
      d[0] = a + x * x * z - (b + 1) * x;
      d[1] = b * x - x * x * z;
    },
    declared: { kind: "components", state: ["x", "z"], params: { a, b }, derivatives: { x: "a + x * x * z - (b + 1) * x", z: "b * x - x * x * z" } },
  };
}

/**
 * u_t = kappa u_xx on (0, length) with u = 0 at both ends, on n interior points
 * x_i = i length / (n + 1), by second-order central differences.
 */
export function heat1d(n: number, kappa: number, length: number): Problem {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`heat1d needs a whole number of grid points >= 1, got ${n}`);
  const dx = length / (n + 1);
  const c = kappa / (dx * dx);
  return {
    dim: n,
    rhs(_t, u, d) {
      for (let i = 0; i < n; i++) {
        const left = i === 0 ? 0 : u[i - 1]!;
        const right = i === n - 1 ? 0 : u[i + 1]!;
        d[i] = c * (left - 2 * u[i]! + right);
      }
    },
    // the walls read as 0, as `left` and `right` above
    declared: { kind: "stencil", dim: n, state: "u", outside: 0, params: { c }, expression: "c * (u[i - 1] - 2 * u[i] + u[i + 1])" },
    tridiagonalJacobian(_t, _u, lower, diag, upper) {
      lower.fill(c);
      diag.fill(-2 * c);
      upper.fill(c);
    },
  };
}

/** Grid points of heat1d. */
export function heatGrid(n: number, length: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => ((i + 1) * length) / (n + 1));
}

/**
 * Resample a heat1d state from one grid to another (n interior points each, zero at both ends)
 * by linear interpolation: the restriction (f2c) and the prolongation (c2f) of a coarse grid.
 */
export function regrid(u: Float64Array, to: number): Float64Array {
  const from = u.length;
  const out = new Float64Array(to);
  for (let j = 0; j < to; j++) {
    // position of target point j on the source grid, in units of its spacing (0 and from + 1 are the walls)
    const s = ((j + 1) * (from + 1)) / (to + 1);
    const i = Math.floor(s);
    const w = s - i;
    const left = i === 0 ? 0 : u[i - 1]!;
    const right = i >= from ? 0 : u[i]!;
    out[j] = w === 0 ? left : (1 - w) * left + w * right;
  }
  return out;
}
