/** Time windows (src/parareal/windows.ts): the original's slicing, run in Python, and windowed parareal. About 0.5 s. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulate } from "../src/ode/tabulate.js";
import { History } from "../src/parareal/history.js";
import { maxAbsDiff, parareal } from "../src/parareal/serial.js";
import { runPararealOracle, scheduledFineJobs, timeWindows, windowBounds, windowedParareal } from "../src/parareal/windows.js";
import { runPythonCode } from "./helpers.js";

// time_windows as in pintFoam's data/cylinder_run.py (ParallelWindfarms/cylinder), with NumPy's linspace
const original = `
import json, sys
from math import ceil
import numpy as np

def time_windows(times, window_size):
    n_intervals = len(times) - 1
    n = int(ceil(n_intervals / window_size))
    m = window_size
    return [times[i*m:min(i*m+m+1, len(times))] for i in range(n)]

out = []
for (t0, t1, num, w) in json.loads(sys.argv[1]):
    out.append([list(map(float, x)) for x in time_windows(np.linspace(t0, t1, num), w)])
print(json.dumps(out))
`;

test("timeWindows is the original's time_windows, bit for bit (run in Python with NumPy)", () => {
  const cases: Array<[number, number, number, number]> = [
    [0, 15, 20, 1],
    [0, 15, 20, 3],
    [0, 15, 20, 5],
    [0, 15, 20, 19],
    [0, 15, 20, 25],
    [0, 500, 51, 10],
    [0, 1, 2, 1],
    [0.1, 0.7, 11, 4],
    [0, 16, 17, 6],
  ];
  const python = JSON.parse(runPythonCode(original, [JSON.stringify(cases)])) as number[][][];
  cases.forEach(([t0, t1, num, w], c) => {
    const ours = timeWindows(linspace(t0, t1, num), w).map((x) => [...x]);
    assert.deepEqual(ours, python[c], `linspace(${t0}, ${t1}, ${num}), window ${w}`);
  });
  assert.deepEqual(windowBounds(20, 5), [[0, 5], [5, 10], [10, 15], [15, 19]]);
  assert.throws(() => windowBounds(20, 0), /window size must be a whole number of intervals >= 1, got 0/);
  assert.throws(() => windowBounds(20, 2.5), /got 2.5/);
});

// the original's demo
const oscillator = harmonicOscillator(1, 0.5);
const t = linspace(0, 15, 20);
const N = t.length - 1;
const y0 = Float64Array.of(1, 0);
const coarse = forwardEuler(oscillator);
const fine = iterateSolution(forwardEuler(oscillator), 0.01);
const serialFine = tabulate(fine, y0, t);

test("one window of all the slices is today's parareal run: same iterates, maxdif and fine jobs", () => {
  // today's run, as the oracle test drives it: History(1e-4)
  const history = new History(1e-4);
  const step = parareal(coarse, fine);
  const ys = [tabulate(coarse, y0, t)];
  let done = history.convergenceTest(ys[0]!);
  while (!done) {
    ys.push(step(ys[ys.length - 1]!, t));
    done = history.convergenceTest(ys[ys.length - 1]!);
  }
  const K = ys.length - 1;
  assert.equal(K, 14);

  const w = windowedParareal(coarse, fine, y0, t, N);
  assert.equal(w.windows.length, 1);
  assert.equal(w.windows[0]!.iterations, 14);
  assert.deepEqual(w.final, ys[K], "bit for bit");
  assert.deepEqual(w.windows[0]!.measurements.map((m) => m.absolute), history.maxdif);
  assert.equal(w.fineJobs, 175, "as the scheduler: 19 * 14 - 14 * 13 / 2");
  assert.equal(w.fineJobs, scheduledFineJobs(N, 14));
  // a larger window is the same single window
  assert.deepEqual(windowedParareal(coarse, fine, y0, t, 100).final, w.final);
});

test("windows of one slice: parareal degenerates into the serial fine solution, one fine job per slice", () => {
  const w = windowedParareal(coarse, fine, y0, t, 1);
  assert.equal(w.windows.length, N);
  assert.equal(w.fineJobs, N);
  assert.ok(w.windows.every((x) => x.iterations === 1 && x.exact));
  assert.ok(w.converged);
  const d = maxAbsDiff(w.final, serialFine);
  assert.ok(d < 1e-14, `off the serial fine solution by ${d}`);
});

test("windows of 5: each starts from the end state of the one before", () => {
  const w = windowedParareal(coarse, fine, y0, t, 5, { criteria: { tol: 1e-8 } });
  assert.deepEqual(
    w.windows.map((x) => [x.start, x.end]),
    [[0, 5], [5, 10], [10, 15], [15, 19]],
  );
  for (let i = 1; i < w.windows.length; i++) {
    const [before, after] = [w.windows[i - 1]!, w.windows[i]!];
    assert.deepEqual(after.iterates[0]![0], before.final[before.final.length - 1], "the converged end state, bit for bit");
    assert.deepEqual(w.final[after.start], after.iterates[0]![0]);
  }
  assert.ok(w.converged);
  // each window converged to 1e-8, so the whole is the serial fine solution to about that
  const d = maxAbsDiff(w.final, serialFine);
  assert.ok(d < 1e-7, `off the serial fine solution by ${d}`);
  // fine jobs: every window's own parareal, scheduled
  assert.equal(w.fineJobs, w.windows.reduce((a, x) => a + scheduledFineJobs(x.end - x.start, x.iterations), 0));
  assert.ok(w.fineJobs < scheduledFineJobs(N, runPararealOracle(coarse, fine, y0, t, { criteria: { tol: 1e-8 } }).iterations));
});

test("tol 0 runs exactly max-iterations in each window (at most its slices)", () => {
  const w = windowedParareal(coarse, fine, y0, t, 5, { criteria: { tol: 0 }, maxIterations: 3 });
  assert.deepEqual(
    w.windows.map((x) => [x.iterations, x.measurements.length, x.converged]),
    [[3, 3, false], [3, 3, false], [3, 3, false], [3, 3, false]],
  );
  const capped = windowedParareal(coarse, fine, y0, t, 5, { criteria: { tol: 0 }, maxIterations: 30 });
  assert.deepEqual(
    capped.windows.map((x) => x.iterations),
    [5, 5, 5, 4],
  );
  assert.ok(capped.converged, "a window run to as many iterations as slices is exact");
  assert.ok(maxAbsDiff(capped.final, serialFine) < 1e-14);
});
