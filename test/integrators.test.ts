import { test } from "node:test";
import assert from "node:assert/strict";
import { backwardEuler } from "../src/ode/backward-euler.js";
import { dopri5 } from "../src/ode/dopri5.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator, underdampedSolution } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import type { Problem, Stepper } from "../src/ode/problem.js";

const [omega0, zeta, T] = [1.3, 0.2, 5];
const oscillator = harmonicOscillator(omega0, zeta);
const exact = underdampedSolution(omega0, zeta)(T);
const errorAt = (y: Float64Array) => Math.max(Math.abs(y[0]! - exact[0]), Math.abs(y[1]! - exact[1]));

function observedOrders(method: Stepper, steps: number[]): number[] {
  const errors = steps.map((h) => errorAt(iterateSolution(method, h)(Float64Array.of(1, 0), 0, T)));
  return errors.slice(1).map((e, i) => Math.log2(errors[i]! / e));
}

test("RK4 converges with order 4", async () => {
  const { rk4 } = await import("../src/ode/rk4.js");
  for (const p of observedOrders(rk4(oscillator), [0.1, 0.05, 0.025, 0.0125])) assert.ok(Math.abs(p - 4) < 0.15, `order ${p}`);
});

test("backward Euler converges with order 1 and stays stable where forward Euler blows up", () => {
  for (const p of observedOrders(backwardEuler(oscillator), [0.02, 0.01, 0.005])) assert.ok(Math.abs(p - 1) < 0.05, `order ${p}`);
  // stiff: y' = -1000 (y - cos t), y(0) = 0; the solution follows cos t closely
  const stiff: Problem = { dim: 1, rhs: (t, y, d) => void (d[0] = -1000 * (y[0]! - Math.cos(t))) };
  const implicit = iterateSolution(backwardEuler(stiff), 0.1)(Float64Array.of(0), 0, 2)[0]!;
  const explicit = iterateSolution(forwardEuler(stiff), 0.1)(Float64Array.of(0), 0, 2)[0]!;
  assert.ok(Math.abs(implicit - Math.cos(2)) < 1e-3, `backward Euler: ${implicit}`);
  assert.ok(!(Math.abs(explicit) < 1e6), `forward Euler with h = 0.1 is unstable here: ${explicit}`);
});

test("Dormand-Prince 5(4): error follows the tolerance, steps adapt, and it lands exactly on t1", () => {
  let lastSteps = 0;
  for (const rtol of [1e-4, 1e-6, 1e-8, 1e-10]) {
    const solver = dopri5(oscillator, { rtol, atol: rtol * 1e-3 });
    const err = errorAt(solver(Float64Array.of(1, 0), 0, T));
    assert.ok(err < 50 * rtol, `rtol ${rtol}: error ${err}`);
    assert.ok(solver.stats.accepted > lastSteps, "tighter tolerance, more steps");
    lastSteps = solver.stats.accepted;
  }
  // y' = 1 from 0 to 1 with a first step that does not divide the interval: the last step is cut
  let latest = 0;
  const unit: Problem = { dim: 1, rhs: (t, _y, d) => void ((d[0] = 1), (latest = Math.max(latest, t))) };
  const y = dopri5(unit, { h0: 0.3 })(Float64Array.of(0), 0, 1)[0]!;
  assert.ok(Math.abs(y - 1) <= 4 * Number.EPSILON, `y(1) = ${y}`);
  assert.ok(latest <= 1 + Number.EPSILON, `never evaluated past t1: ${latest}`);
  const back = dopri5(oscillator, { rtol: 1e-10, atol: 1e-12 });
  const there = back(Float64Array.of(1, 0), 0, 2);
  const again = back(there, 2, 0); // backwards in time
  assert.ok(Math.abs(again[0]! - 1) < 1e-7 && Math.abs(again[1]!) < 1e-7);
});

test("backward Euler on heat1d: the tridiagonal Newton solve equals the dense one, order 1 against the exact semi-discrete solution", async () => {
  const { heat1d, heatGrid } = await import("../src/models/systems.js");
  const [n, kappa, length, T] = [31, 1, 1, 0.1];
  const heat = heat1d(n, kappa, length);
  assert.ok(heat.tridiagonalJacobian, "heat1d offers its tridiagonal Jacobian");
  const dense: Problem = { dim: heat.dim, rhs: heat.rhs.bind(heat) };
  const x = heatGrid(n, length);
  const u0 = x.map((xi) => Math.sin((Math.PI * xi) / length));
  // sin(pi x / L) is an eigenvector of the discrete Laplacian: u(t) = exp(lambda t) u0
  const dx = length / (n + 1);
  const lambda = (-4 * kappa * Math.sin((Math.PI * dx) / (2 * length)) ** 2) / (dx * dx);
  const exactU = u0.map((v) => Math.exp(lambda * T) * v);
  const errors: number[] = [];
  for (const h of [1e-3, 5e-4, 2.5e-4]) {
    const banded = iterateSolution(backwardEuler(heat), h)(u0, 0, T);
    const full = iterateSolution(backwardEuler(dense), h)(u0, 0, T);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(banded[i]! - full[i]!) <= 1e-9 * Math.abs(exactU[i]!) + 1e-13, `dense and tridiagonal differ at ${i}`);
    errors.push(Math.max(...banded.map((v, i) => Math.abs(v - exactU[i]!))));
  }
  for (let i = 1; i < errors.length; i++) {
    const p = Math.log2(errors[i - 1]! / errors[i]!);
    assert.ok(Math.abs(p - 1) < 0.05, `order ${p}`);
  }
});
