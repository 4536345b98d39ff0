/** Stopping criteria (src/parareal/criteria.ts) against hand computations and the original's maxdif. About 0.3 s. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log } from "../src/log.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulate } from "../src/ode/tabulate.js";
import { History } from "../src/parareal/history.js";
import { maxAbsDiff, parareal } from "../src/parareal/serial.js";
import { checkCriteria, Convergence, describe, differenceNorm, measure, norm, sliceDifferences } from "../src/parareal/criteria.js";

const v = (...xs: number[]) => Float64Array.from(xs);

test("norms over every value: max, l2 and rms by hand", () => {
  const xs = [v(3, 4), v(0, -12)];
  assert.equal(norm("max", xs), 12);
  assert.equal(norm("l2", xs), 13); // sqrt(9 + 16 + 144)
  assert.equal(norm("rms", xs), 6.5); // 13 / sqrt(4)
  assert.equal(norm("l2", xs, 1), 12, "from entry 1");
  assert.equal(norm("rms", []), 0);
  assert.ok(Number.isNaN(norm("max", [v(1, Number.NaN, 2)])), "NaN is never small");
  assert.ok(Number.isNaN(norm("l2", [v(Number.NaN)])));
});

// y^(k-1) and y^k at points 0, 1, 2: slice 1 moves by (0, 0.5), slice 2 by (0, -0.25)
const older = [v(1, 1), v(1, 2), v(3, 4)];
const newer = [v(1, 1), v(1, 2.5), v(3, 3.75)];

test("differences of iterates by hand, point 0 (the initial state) excluded", () => {
  assert.equal(differenceNorm("max", newer, older, 1), 0.5);
  assert.equal(differenceNorm("l2", newer, older, 1), Math.sqrt(0.3125)); // 0.25 + 0.0625
  assert.equal(differenceNorm("rms", newer, older, 1), Math.sqrt(0.3125 / 4));
  assert.deepEqual([...sliceDifferences("max", newer, older, 1)], [0, 0.5, 0.25]);
  assert.deepEqual([...sliceDifferences("l2", newer, older, 1)], [0, 0.5, 0.25]);
  assert.deepEqual([...sliceDifferences("rms", newer, older, 1)], [0, Math.sqrt(0.125), Math.sqrt(0.03125)]);
  assert.throws(() => differenceNorm("max", newer, older.slice(1)), /cannot compare 3 time points with 2/);
});

test("absolute and relative tolerances, either or both, and which slices still move", () => {
  // size of the newer iterate over points 1, 2 in the max norm: 3.75
  const abs = measure({ norm: "max", tol: 0.3 }, newer, older);
  assert.equal(abs.absolute, 0.5);
  assert.equal(abs.size, 3.75);
  assert.equal(abs.relative, 0.5 / 3.75);
  assert.equal(abs.converged, false);
  assert.deepEqual(abs.moving, [1], "slice 2 (0.25 < 0.3) has settled, slice 1 has not");

  const rel = measure({ norm: "max", tol: 0.3, rtol: 0.2 }, newer, older);
  assert.equal(rel.converged, true, "0.5 < 0.2 * 3.75");
  assert.equal(rel.by, "rtol");
  assert.deepEqual(rel.moving, [1], "slice 1 on its own: 0.5 < 0.2 * max(1, 2.5) is false");

  const l2 = measure({ norm: "l2", tol: 0.6 }, newer, older);
  assert.equal(l2.converged, true);
  assert.equal(l2.by, "tol");
  assert.equal(l2.size, Math.sqrt(1 + 6.25 + 9 + 14.0625));

  // tol 0: never converged by the absolute test, not even with no change at all
  const none = measure({ norm: "max", tol: 0 }, older, older);
  assert.equal(none.absolute, 0);
  assert.equal(none.converged, false);
  assert.deepEqual(none.moving, [], "nothing changed, so nothing moves");
  assert.equal(measure({ norm: "max", tol: 0, rtol: 1e-12 }, older, older).converged, true, "0 < rtol * size");
  // NaN never converges
  assert.equal(measure({ norm: "max", tol: 1, rtol: 1 }, [v(0), v(Number.NaN)], [v(0), v(0)]).converged, false);
});

test("checkCriteria names the bad value", () => {
  assert.throws(() => checkCriteria({ norm: "max", tol: -1 }), /tol must be a finite number >= 0, got -1/);
  assert.throws(() => checkCriteria({ norm: "max", tol: Number.NaN }), /got NaN/);
  assert.throws(() => checkCriteria({ norm: "max", tol: 0, rtol: -0.1 }), /rtol must be a finite number >= 0, got -0.1/);
  assert.throws(() => checkCriteria({ norm: "l1" as "max", tol: 1 }), /unknown norm `l1` \(known: max, rms, l2\)/);
});

// the original's demo: oscillator, t = linspace(0, 15, 20), fine Euler h = 0.01, coarse one Euler step per slice
const oscillator = harmonicOscillator(1, 0.5);
const t = linspace(0, 15, 20);
const coarse = forwardEuler(oscillator);
const fine = iterateSolution(forwardEuler(oscillator), 0.01);
const step = parareal(coarse, fine);
const iterates = [tabulate(coarse, Float64Array.of(1, 0), t)];
for (let k = 1; k <= 19; k++) iterates.push(step(iterates[k - 1]!, t));

test("the default criteria are the original's: maxdif, tol 1e-4, converged after 14 iterations, as History", () => {
  const history = new History(1e-4);
  const convergence = new Convergence();
  let [h, c] = [-1, -1];
  iterates.forEach((y, k) => {
    if (history.convergenceTest(y) && h < 0) h = k;
    if (convergence.convergenceTest(y) && c < 0) c = k;
  });
  assert.equal(h, 14);
  assert.equal(c, 14);
  assert.deepEqual(convergence.maxdif, history.maxdif, "the same maxdif, bit for bit");
  iterates.slice(1).forEach((y, k) => assert.equal(convergence.maxdif[k], maxAbsDiff(y, iterates[k]!)));
  assert.equal(convergence.maxdif[0]!.toFixed(6), "1.338596");
});

test("tol 0 runs every iteration, one measurement each; slice j moves until iteration j, when it becomes exact", () => {
  const convergence = new Convergence({ tol: 0 });
  assert.ok(iterates.every((y) => !convergence.convergenceTest(y)));
  assert.equal(convergence.measurements.length, 19);
  convergence.measurements.forEach((m, i) => {
    const k = i + 1; // the measurement of iterate k against k - 1
    // slice j is exact from iteration j on; the oracle's (c + f) - c then repeats itself bit for bit
    for (const j of m.moving) assert.ok(j >= k, `iteration ${k}: slice ${j} still moves`);
    assert.ok(m.moving.includes(k), `iteration ${k}: slice ${k} has just become exact, so it moved`);
  });
});

test("every criterion logs its measured value each iteration", (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), "parareal-criteria-"));
  ctx.after(() => {
    log.configure({ level: "warning" });
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, "log");
  log.configure({ level: "info", file });
  const convergence = new Convergence({ norm: "rms", tol: 1e-3, rtol: 1e-6 });
  iterates.slice(0, 4).forEach((y) => convergence.convergenceTest(y));
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.equal(lines.length, 3);
  lines.forEach((line, i) => {
    const m = convergence.measurements[i]!;
    assert.equal(line, `INFO:parareal:iteration ${i + 1}: ${describe(convergence.criteria, m)}`);
    assert.match(line, new RegExp(`rms \\|y\\^k - y\\^\\(k-1\\)\\| = ${m.absolute.toExponential(6).replace("+", "\\+")} \\(tol 0.001\\), relative ${m.relative.toExponential(6).replace("+", "\\+")} \\(rtol 0.000001\\)`));
    assert.match(line, /of 19 slices moving/);
  });
});
