/** The damped harmonic oscillator of the original's tutorial, and its exact solution. */
import type { Problem } from "../ode/problem.js";

export function harmonicOscillator(omega0: number, zeta: number): Problem {
  // NumPy evaluates -2 * zeta * omega_0 * y[1] left to right, and omega_0**2 is exact as a product
  const damping = -2 * zeta * omega0;
  const stiffness = omega0 * omega0;
  return {
    dim: 2,
    rhs(_t: number, y: Float64Array, dydt: Float64Array): void {
      const q = y[0]!;
      const p = y[1]!;
      dydt[0] = p;
      dydt[1] = damping * p - stiffness * q;
    },
    declared: { kind: "components", state: ["q", "p"], params: { damping, stiffness }, derivatives: { q: "p", p: "damping * p - stiffness * q" } },
  };
}

/** Exact solution for y(0) = (1, 0) and 0 <= zeta < 1: returns (q, p) at t. */
export function underdampedSolution(omega0: number, zeta: number): (t: number) => [number, number] {
  if (!(zeta >= 0 && zeta < 1)) throw new RangeError(`underdampedSolution needs 0 <= zeta < 1, got ${zeta}`);
  const amp = 1 / Math.sqrt(1 - zeta ** 2);
  const phase = Math.asin(zeta);
  const freq = omega0 * Math.sqrt(1 - zeta ** 2);
  return (t) => {
    const damping = Math.exp(-omega0 * zeta * t);
    return [amp * damping * Math.cos(freq * t - phase), -amp * omega0 * damping * Math.sin(freq * t)];
  };
}
