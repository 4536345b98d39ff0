/**
 * MGRIT on plain arrays (src/mgrit): the level hierarchy, equivalence with parareal, exactness
 * properties, convergence on every built-in problem, the plan's structure. About 1 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import type { Solution } from "../src/ode/problem.js";
import { tabulate } from "../src/ode/tabulate.js";
import { maxAbsDiff, parareal } from "../src/parareal/serial.js";
import { differenceNorm } from "../src/parareal/criteria.js";
import { buildHierarchy, cpointPositions, intervalsPerLevel } from "../src/mgrit/hierarchy.js";
import { mgrit } from "../src/mgrit/serial.js";
import { problemSolutions } from "../src/mgrit/problem-solutions.js";
import { problems } from "../src/models/builtin.js";

const oscillator = harmonicOscillator(1, 0.5);
const y0 = Float64Array.of(1, 0);

/** The issue's setting: t-end 16, fine forward Euler h = 1/128, coarse one Euler step per interval. */
const issue = {
  fine: iterateSolution(forwardEuler(oscillator), 0.0078125),
  coarse: forwardEuler(oscillator),
};

test("hierarchy: every m-th point and the last, on any number of levels", () => {
  assert.deepEqual([...cpointPositions(16, 2)], [0, 2, 4, 6, 8, 10, 12, 14, 16]);
  assert.deepEqual([...cpointPositions(19, 2)], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19]);
  assert.deepEqual([...cpointPositions(10, 4)], [0, 4, 8, 10]);
  assert.deepEqual([...cpointPositions(3, 4)], [0, 3]);

  const t = linspace(0, 1, 257);
  const h = buildHierarchy(t, 3, 4);
  assert.deepEqual(intervalsPerLevel(h), [256, 64, 16]);
  assert.deepEqual([...h.levels[2]!.points], Array.from({ length: 17 }, (_, j) => 16 * j));
  assert.deepEqual([...h.levels[2]!.t], Array.from({ length: 17 }, (_, j) => t[16 * j]!), "coarse times are the fine grid's, bit for bit");
  assert.deepEqual([...h.levels[2]!.cpoints], Array.from({ length: 17 }, (_, j) => j), "the coarsest level: every point");

  // 20 points, m = 3, 3 levels: 19 -> 7 -> 3 intervals, short last intervals kept
  const odd = buildHierarchy(linspace(0, 1, 20), 3, 3);
  assert.deepEqual(intervalsPerLevel(odd), [19, 7, 3]);
  assert.deepEqual([...odd.levels[1]!.points], [0, 3, 6, 9, 12, 15, 18, 19]);
  assert.deepEqual([...odd.levels[2]!.points], [0, 9, 18, 19]);

  assert.throws(() => buildHierarchy(t, 1, 2), /number of levels to be a whole number >= 2, got 1/);
  assert.throws(() => buildHierarchy(t, 2, 1), /coarsening factor to be a whole number >= 2, got 1/);
  assert.throws(() => buildHierarchy(linspace(0, 1, 5), 4, 2), /level 2 has 1 interval and cannot be coarsened/);
});

test("two-level MGRIT with F-relaxation is parareal, bit for bit, at its C-points (k = 1, 2, 3)", () => {
  // --t-end 16 --h 0.0078125 --points 17 --method mgrit --levels 2 --coarsening 2 --relax F --tol 0
  // against parareal --points 9 --tol 0, both --max-iterations k
  const [t17, t9] = [linspace(0, 16, 17), linspace(0, 16, 9)];
  const step = parareal(issue.coarse, issue.fine);
  const ys = [tabulate(issue.coarse, y0, t9)];
  for (let k = 1; k <= 3; k++) ys.push(step(ys[k - 1]!, t9));
  for (let k = 1; k <= 3; k++) {
    const r = mgrit(issue.fine, issue.coarse, y0, t17, { levels: 2, coarsening: 2, relax: "F", maxIterations: k, criteria: { tol: 0 } });
    assert.equal(r.converged, false);
    assert.equal(r.iterations, k, "tol 0 runs exactly max-iterations");
    assert.equal(r.history.length, k + 1);
    for (let j = 0; j <= k; j++) {
      const atC = r.history[j]!.u.filter((_, i) => i % 2 === 0);
      assert.deepEqual(atC, ys[j], `iterate ${j} of ${k} at the C-points`);
    }
    assert.ok(maxAbsDiff([r.final[16]!], [ys[k]![8]!]) === 0);
  }
});

test("two-level exactness: after k iterations the first k*m (F) or 2k*m (FCF) fine points are the serial fine solution", () => {
  const t = linspace(0, 16, 33);
  const serial = tabulate(issue.fine, y0, t);
  const m = 2;
  for (const [relax, per] of [["F", 1], ["FCF", 2]] as const) {
    const r = mgrit(issue.fine, issue.coarse, y0, t, { levels: 2, coarsening: m, relax, maxIterations: 6, criteria: { tol: 0 } });
    for (const { iteration: k, u } of r.history) {
      const exact = Math.min(per * k * m + m - 1, 32); // the F-points after the last exact C-point too
      for (let i = 0; i <= exact; i++) {
        const d = maxAbsDiff([u[i]!], [serial[i]!]);
        assert.ok(d < 1e-13, `${relax}, iteration ${k}, point ${i}: off by ${d}`);
      }
      if (exact < 32) assert.ok(maxAbsDiff([u[exact + 1]!], [serial[exact + 1]!]) > 1e-6, `${relax}, iteration ${k}: point ${exact + 1} is not exact yet`);
    }
  }
});

test("with an exact coarse propagator, MGRIT converges in one iteration from any initial guess, on any number of levels", () => {
  // fine: one Euler step per interval; coarse: the same steps over the fine points inside its interval
  const t = linspace(0, 4, 65);
  const index = new Map(Array.from(t, (x, i) => [x, i]));
  const euler = forwardEuler(oscillator);
  const exactCoarse: Solution = (y, t0, t1) => {
    let x = y;
    for (let i = index.get(t0)!; i < index.get(t1)!; i++) x = euler(x, t[i]!, t[i + 1]!);
    return x;
  };
  const serial = tabulate(euler, y0, t);
  const initial = Array.from(t, () => y0); // XBraid's usual: the initial state everywhere
  // the default guess, the coarse sweep, is exact already when the coarse propagator is
  assert.ok(mgrit(euler, exactCoarse, y0, t, { levels: 2, coarsening: 2, maxIterations: 0 }).history[0]!.residual < 1e-14);
  for (const levels of [2, 3, 4]) {
    for (const relax of ["F", "FCF"] as const) {
      const r = mgrit(euler, exactCoarse, y0, t, { levels, coarsening: 2, relax, initial, maxIterations: 1, criteria: { tol: 0 } });
      assert.ok(maxAbsDiff(r.final, serial) < 1e-14, `${levels} levels, ${relax}: off by ${maxAbsDiff(r.final, serial)}`);
      assert.ok(r.history[1]!.residual < 1e-14, `residual ${r.history[1]!.residual}`);
      assert.ok(r.history[0]!.residual > 1e-3, "while the initial guess was not the solution");
    }
  }
});

test("the residual: Φ(u_{i-1}) - u_i at the C-points in the criteria's norm; F-points are F-relaxed", () => {
  const t = linspace(0, 15, 20); // 19 intervals: level 1 is 0, 2, ..., 18, 19
  const fine = iterateSolution(forwardEuler(oscillator), 0.01);
  for (const norm of ["max", "l2", "rms"] as const) {
    const r = mgrit(fine, issue.coarse, y0, t, { levels: 3, coarsening: 2, relax: "FCF", maxIterations: 3, criteria: { norm, tol: 0 } });
    const cpoints = [...r.hierarchy.levels[0]!.cpoints];
    assert.deepEqual(cpoints, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 19]);
    for (const { u, residual, change, iteration } of r.history) {
      const propagated = cpoints.map((i) => (i === 0 ? u[0]! : fine(u[i - 1]!, t[i - 1]!, t[i]!)));
      const atC = cpoints.map((i) => u[i]!);
      assert.equal(residual, differenceNorm(norm, propagated, atC, 1), `${norm}, iteration ${iteration}`);
      for (let i = 1; i < t.length; i++) {
        if (!cpoints.includes(i)) assert.deepEqual(u[i], fine(u[i - 1]!, t[i - 1]!, t[i]!), `F-point ${i} is Φ of the point before`);
      }
      if (iteration > 0) assert.equal(change!.absolute, differenceNorm(norm, u, r.history[iteration - 1]!.u, 1));
    }
  }
});

test("fine propagations: one sweep per iteration with F, two with FCF; reuse skips what parareal's scheduler skips", () => {
  const t = linspace(0, 16, 17); // 8 coarse intervals of m = 2
  const [N, Nc, m] = [16, 8, 2];
  for (const K of [1, 2, 3, 5]) {
    const f = mgrit(issue.fine, issue.coarse, y0, t, { levels: 2, coarsening: m, relax: "F", maxIterations: K, criteria: { tol: 0 } });
    assert.equal(f.fineSolvesWithoutReuse, (K + 1) * N);
    // chains from the C-points already exact are not run again: Nc - k new chains after cycle k
    assert.equal(f.fineSolves, m * (Nc * (K + 1) - (K * (K + 1)) / 2));
    // parareal's scheduler runs N K - K (K - 1) / 2 slices for K iterations; MGRIT adds the sweep completing iterate K
    assert.equal(f.fineSolves / m, Nc * K - (K * (K - 1)) / 2 + (Nc - K));
    const fcf = mgrit(issue.fine, issue.coarse, y0, t, { levels: 2, coarsening: m, relax: "FCF", maxIterations: K, criteria: { tol: 0 } });
    assert.equal(fcf.fineSolvesWithoutReuse, (2 * K + 1) * N);
    assert.ok(fcf.fineSolves < fcf.fineSolvesWithoutReuse);
  }
});

test("the plan is in dependency order, one interval per propagation, and its parallel time is m fine steps per sweep", () => {
  const t = linspace(0, 64, 65);
  const m = 2;
  for (const [relax, sweeps] of [["F", (K: number) => K + 1], ["FCF", (K: number) => 2 * K + 1]] as const) {
    for (const levels of [2, 3, 4]) {
      for (const K of [1, 3]) {
        const r = mgrit(issue.fine, issue.coarse, y0, t, { levels, coarsening: m, relax, maxIterations: K, criteria: { tol: 0 } });
        const made = new Set<number>([0]);
        for (const s of r.plan.steps) {
          const inputs = s.op === "propagate" ? [s.input] : [s.a, s.b, s.c];
          for (const i of inputs) assert.ok(made.has(i), `step making ${s.output} uses ${i} before it exists`);
          assert.ok(!made.has(s.output), `value ${s.output} made twice`);
          made.add(s.output);
          if (s.op === "propagate") {
            const { points } = r.hierarchy.levels[s.level]!;
            const at = points.indexOf(s.from);
            assert.ok(at >= 0 && points[at + 1] === s.to, `a propagation over one interval of level ${s.level}`);
          }
        }
        // the chains of a sweep are independent: the longest chain of fine solves grows by m per sweep, not by 64
        assert.equal(r.fineCriticalPath, sweeps(K) * m, `${relax}, ${levels} levels, ${K} iterations`);
        assert.equal(r.fineSolvesWithoutReuse, sweeps(K) * 64);
      }
    }
  }
});

// Every built-in problem with its default points and solvers (coarse: one step per coarse interval).
for (const name of Object.keys(problems)) {
  test(`${name}: FCF needs no more iterations than F, and the result is the serial fine solution to the tolerance`, () => {
    const p = problemSolutions(name);
    const t = linspace(0, p.tEnd, p.points);
    const serial = tabulate(p.fine, p.y0, t);
    const tol = 1e-8;
    for (const levels of [2, 3]) {
      const run = (relax: "F" | "FCF") => mgrit(p.fine, p.coarse, p.y0, t, { levels, coarsening: 2, relax, criteria: { tol } });
      const [f, fcf] = [run("F"), run("FCF")];
      assert.ok(f.converged && fcf.converged, `${levels} levels: both converge`);
      assert.ok(fcf.iterations <= f.iterations, `${levels} levels: FCF ${fcf.iterations} iterations, F ${f.iterations}`);
      for (const r of [f, fcf]) {
        assert.ok(r.history.at(-1)!.residual < tol);
        const err = maxAbsDiff(r.final, serial);
        assert.ok(err < 10 * tol, `${levels} levels: off the serial fine solution by ${err}`);
      }
    }
  });
}

test("multilevel: heat1d on 257 points, 3 levels, coarsening 4, converges to the serial fine solution", () => {
  const p = problemSolutions("heat1d");
  const t = linspace(0, p.tEnd, 257);
  const serial = tabulate(p.fine, p.y0, t);
  for (const tol of [1e-6, 1e-9]) {
    for (const relax of ["F", "FCF"] as const) {
      const r = mgrit(p.fine, p.coarse, p.y0, t, { levels: 3, coarsening: 4, relax, criteria: { tol } });
      assert.deepEqual(intervalsPerLevel(r.hierarchy), [256, 64, 16]);
      assert.ok(r.converged && r.iterations <= 5, `${relax}, tol ${tol}: ${r.iterations} iterations`);
      const residuals = r.history.map((h) => h.residual);
      residuals.slice(1).forEach((x, k) => assert.ok(x < residuals[k]!, `residual falls every iteration: ${residuals.join(", ")}`));
      const err = maxAbsDiff(r.final, serial);
      assert.ok(err < 10 * tol, `${relax}, tol ${tol}: off by ${err}`);
    }
  }
});

test("stopping on the change of the iterate, on rtol, and bad options", () => {
  const p = problemSolutions("lorenz");
  const t = linspace(0, p.tEnd, p.points);
  const r = mgrit(p.fine, p.coarse, p.y0, t, { levels: 2, coarsening: 2, measure: "change", criteria: { tol: 1e-6 } });
  assert.ok(r.converged);
  const changes = r.history.slice(1).map((h) => h.change!.absolute);
  assert.ok(changes.at(-1)! < 1e-6 && changes.slice(0, -1).every((d) => d >= 1e-6), `changes ${changes.join(", ")}`);
  const rel = mgrit(p.fine, p.coarse, p.y0, t, { levels: 2, coarsening: 2, criteria: { tol: 0, rtol: 1e-9 } });
  const last = rel.history.at(-1)!.residualMeasurement;
  assert.ok(rel.converged && last.by === "rtol" && last.absolute < 1e-9 * last.size);
  assert.throws(() => mgrit(p.fine, p.coarse, p.y0, t, { levels: 2, coarsening: 2, relax: "C" as "F" }), /unknown relaxation `C`/);
  assert.throws(() => mgrit(p.fine, p.coarse, p.y0, t, { levels: 2, coarsening: 2, criteria: { tol: -1 } }), /tol must be a finite number >= 0, got -1/);
});
