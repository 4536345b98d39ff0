/**
 * `parareal study --methods`: parareal and MGRIT variants on one problem give what their own runs
 * give; the critical path and speedup bound follow the plan (the serial oracle's); `-o` and
 * `plot --kind convergence` draw the residual or maxdif of each. About 8 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import type { MethodRow } from "../src/cli/study-methods.js";
import { mgrit } from "../src/mgrit/serial.js";
import { buildProblem } from "../src/models/catalogue.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { makeMethod } from "../src/ode/methods.js";
import { problemEntry } from "../src/models/catalogue.js";
import { runCli, tempDir } from "./helpers.js";

// heat1d on 16 slices of 1/16 (62 backward-Euler steps each)
const setting = ["--problem", "heat1d", "--t-end", "1", "--points", "17", "--tol", "1e-6"];

test("study --methods: each row is what a run of that method gives; critical path and speedup bound from the plan; a convergence chart of each", async (t) => {
  const dir = tempDir(t);
  const svg = join(dir, "study.svg");
  const [study, pr, mgF] = await Promise.all([
    runCli(["study", "--methods", "parareal,mgrit/F,mgrit/FCF,mgrit/FCF/3", ...setting, "--json", "--output", join(dir, "study"), "-o", svg]),
    runCli(["run", ...setting, "--no-reference", "--json", "--output", join(dir, "parareal")]),
    runCli(["run", ...setting, "--method", "mgrit", "--relax", "F", "--no-reference", "--json", "--output", join(dir, "mgrit-F")]),
  ]);
  for (const r of [study, pr, mgF]) assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(study.stdout) as MethodRow[];
  assert.deepEqual(rows.map((r) => r.method), ["parareal", "mgrit/F/2", "mgrit/FCF/2", "mgrit/FCF/3"]);
  const [p, f, fcf, fcf3] = rows as [MethodRow, MethodRow, MethodRow, MethodRow];
  const [runP, runF] = [JSON.parse(pr.stdout) as RunReport, JSON.parse(mgF.stdout) as RunReport];
  assert.equal(p.iterations, runP.iterations);
  assert.deepEqual(p.maxdif, runP.maxdif);
  assert.equal(p.residual, undefined);
  assert.equal(p.fineCriticalPath, p.iterations, "parareal: one fine solve per iteration in a row");
  assert.equal(f.iterations, runF.iterations);
  assert.deepEqual(f.residual, runF.residual);
  assert.ok(rows.every((r) => r.converged));
  assert.ok(fcf.iterations <= f.iterations && fcf3.iterations <= f.iterations, `FCF ${fcf.iterations}, ${fcf3.iterations}; F ${f.iterations}`);
  for (const r of rows) assert.equal(r.speedupBound, 16 / r.fineCriticalPath, r.method);

  // the critical path of MGRIT is the serial oracle's plan's, for the same iterations
  const entry = problemEntry("heat1d");
  const problem = buildProblem({ name: "heat1d", params: {} });
  const fine = iterateSolution(makeMethod(entry.fine.method, problem), entry.fine.h);
  for (const [row, relax, levels] of [[f, "F", 2], [fcf, "FCF", 2], [fcf3, "FCF", 3]] as const) {
    const oracle = mgrit(fine, makeMethod(entry.coarse.method, problem), Float64Array.from(entry.y0(entry.defaults)), linspace(0, 1, 17), { levels, coarsening: 2, relax, maxIterations: row.iterations, criteria: { tol: 0 } });
    assert.equal(row.fineCriticalPath, oracle.fineCriticalPath, `${row.method}: critical path`);
    assert.deepEqual(row.residual, oracle.history.map((h) => h.residual), `${row.method}: residuals`);
  }

  const chart = readFileSync(svg, "utf8");
  for (const label of ["parareal: maxdif", "mgrit/F/2: residual", "mgrit/FCF/2: residual", "mgrit/FCF/3: residual", "tolerance 0.000001"]) assert.ok(chart.includes(label), `legend: ${label}`);
  assert.match(chart, /convergence of each method on heat1d/);

  const text = await runCli(["study", "--methods", "parareal,mgrit", ...setting, "--output", join(dir, "text")]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^methods on heat1d, 16 slices, until max \|y\^k - y\^\(k-1\)\| < 0\.000001 \(MGRIT: its residual\):\n +method +iterations +converged +fine jobs +critical path +speedup bound/);
  assert.match(text.stdout, /\n {2}mgrit\/FCF\/2 +\d+ +yes /);
});

test("plot --kind convergence of an MGRIT run: its residual and the change of its iterate; bad --methods refused", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "m");
  const r = await runCli(["run", ...setting, "--method", "mgrit", "--no-reference", "--output", out]);
  assert.equal(r.code, 0, r.stderr);
  const plot = await runCli(["plot", out, "--kind", "convergence", "-o", join(dir, "c.svg")]);
  assert.equal(plot.code, 0, plot.stderr);
  const chart = readFileSync(join(dir, "c.svg"), "utf8");
  for (const label of ["residual at the C-points", "change of the iterate", "tolerance 0.000001", "convergence (MGRIT)"]) assert.ok(chart.includes(label), label);
  for (const [args, pattern] of [
    [["--methods", "mgrit/G"], /--methods <list>.*`mgrit\/G` is not allowed: give parareal, mgrit, mgrit\/F/],
    [["--methods", "parareal,parareal"], /parareal is named twice/],
    [["--methods", "mgrit/F/1"], /`mgrit\/F\/1` is not allowed/],
    [["--coarsening", "4"], /--coarsening: an option of study --methods/],
  ] as const) {
    const bad = await runCli(["study", ...args, "--output", join(dir, "bad")]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, pattern);
  }
});
