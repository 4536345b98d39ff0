import { test } from "node:test";
import assert from "node:assert/strict";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator, underdampedSolution } from "../src/models/harmonic.js";
import { iterateSolution, subSteps, tabulateSubSteps } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulate } from "../src/ode/tabulate.js";
import type { Problem } from "../src/ode/problem.js";
import { runPythonCode } from "./helpers.js";

test("linspace is bit-identical to NumPy's", () => {
  const cases: [number, number, number][] = [
    [0, 15, 20],
    [0, 1, 11],
    [0.7894736842105263, 1.5789473684210527, 80],
    [-3.3, 7.1, 1001],
    [5, 5, 4],
    [1, -1, 7],
    [0, 1e-320, 5],
    [2.5, 9, 1],
    [0, 1, 2],
  ];
  const numpy = JSON.parse(
    runPythonCode(
      "import json, sys, numpy as np\n" +
        "print(json.dumps([np.linspace(a, b, int(n)).tolist() for a, b, n in json.loads(sys.argv[1])]))",
      [JSON.stringify(cases)],
    ),
  ) as number[][];
  cases.forEach(([a, b, n], k) => {
    const ours = Array.from(linspace(a, b, n));
    assert.equal(ours.length, numpy[k]!.length);
    ours.forEach((x, i) => assert.ok(Object.is(x, numpy[k]![i]), `linspace(${a}, ${b}, ${n})[${i}]: ${x} vs ${numpy[k]![i]}`));
  });
});

test("sub-step counts are ceil((t1 - t0) / h), as the original", () => {
  const t = linspace(0, 15, 20);
  for (let i = 1; i < t.length; i++) assert.equal(subSteps(t[i - 1]!, t[i]!, 0.01), 79);
  assert.equal(subSteps(0, 1, 0.1), 10); // 1 / 0.1 is exactly 10 in float64
  assert.equal(subSteps(0, 0.3, 0.1), 3); // 0.3 / 0.1 = 2.9999999999999996
});

test("forward Euler is y + (t1 - t0) * f(y, t0)", () => {
  const p = harmonicOscillator(2, 0.25);
  const y = Float64Array.of(0.3, -1.2);
  const out = forwardEuler(p)(y, 0.5, 0.75);
  assert.deepEqual(Array.from(out), [0.3 + 0.25 * -1.2, -1.2 + 0.25 * (-2 * 0.25 * 2 * -1.2 - 2 * 2 * 0.3)]);
  assert.deepEqual(Array.from(y), [0.3, -1.2], "input is not modified");
});

test("the exact solution solves the oscillator", () => {
  const [omega0, zeta] = [1.3, 0.2];
  const exact = underdampedSolution(omega0, zeta);
  const [q0, p0] = exact(0);
  assert.ok(Math.abs(q0 - 1) < 1e-12 && Math.abs(p0) < 1e-12, "y(0) = (1, 0)");
  const p = harmonicOscillator(omega0, zeta);
  const dydt = new Float64Array(2);
  for (const t of [0.1, 1, 3.7]) {
    // compare the RHS with a central difference of the exact solution
    const e = 1e-6;
    const [qa, pa] = exact(t + e);
    const [qb, pb] = exact(t - e);
    p.rhs(t, Float64Array.from(exact(t)), dydt);
    assert.ok(Math.abs(dydt[0]! - (qa - qb) / (2 * e)) < 1e-7);
    assert.ok(Math.abs(dydt[1]! - (pa - pb) / (2 * e)) < 1e-7);
  }
});

test("forward Euler converges to the exact solution with order 1", () => {
  const [omega0, zeta] = [1, 0.5];
  const exact = underdampedSolution(omega0, zeta);
  const t = linspace(0, 15, 20);
  const errors = [0.01, 0.005, 0.0025, 0.00125].map((h) => {
    const ys = tabulate(iterateSolution(forwardEuler(harmonicOscillator(omega0, zeta)), h), Float64Array.of(1, 0), t);
    return Math.max(...ys.flatMap((y, i) => exact(t[i]!).map((x, j) => Math.abs(x - y[j]!))));
  });
  for (let k = 1; k < errors.length; k++) {
    const order = Math.log2(errors[k - 1]! / errors[k]!);
    assert.ok(Math.abs(order - 1) < 0.05, `observed order ${order.toFixed(3)} between h and h/2`);
  }
  assert.ok(errors[0]! < 0.01, `error at h = 0.01 is ${errors[0]}`);
});

test("tabulateSubSteps keeps every stride-th state and the last, equal to plain stepping", () => {
  const p: Problem = { dim: 1, rhs: (t, y, dydt) => void (dydt[0] = t - y[0]!) };
  const step = forwardEuler(p);
  const full = tabulateSubSteps(step, Float64Array.of(2), 0, 1, 10);
  assert.equal(full.rows, 11);
  let y: Float64Array = Float64Array.of(2);
  const t = linspace(0, 1, 11);
  for (let i = 1; i <= 10; i++) {
    y = step(y, t[i - 1]!, t[i]!);
    assert.equal(full.data[i], y[0], `row ${i}`);
  }
  const strided = tabulateSubSteps(step, Float64Array.of(2), 0, 1, 10, 4);
  assert.equal(strided.rows, 4); // rows 0, 4, 8 and the last (10)
  assert.deepEqual(Array.from(strided.data), [full.data[0], full.data[4], full.data[8], full.data[10]]);
  assert.equal(iterateSolution(step, 0.1)(Float64Array.of(2), 0, 1)[0], full.data[10]);
});
