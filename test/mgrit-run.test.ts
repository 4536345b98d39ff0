/**
 * MGRIT scheduled on the executors (--method mgrit), the issue's first two tests: two-level
 * MGRIT-F through the CLI equals parareal on its C-points (and writes parareal's files, cut at
 * the F-points); FCF needs no more V-cycles than F on every built-in problem, and three levels
 * converge on heat1d. (The third, oracle against threads and Redis: mgrit-redis.test.ts.)
 * About 12 s on an idle 2-core machine, 25 s under a load of 10.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadHdf5 } from "../src/archive/hdf5.js";
import { checkFineDirectory, iterateOf } from "../src/archive/fine-check.js";
import { combineSegments } from "../src/archive/trajectory.js";
import { threadsExecutor } from "../src/jobs/executors.js";
import { mgritSegment, RELAX_DIR } from "../src/mgrit/run-method.js";
import { buildProblem } from "../src/models/catalogue.js";
import { problems } from "../src/models/builtin.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { makeMethod } from "../src/ode/methods.js";
import { runParareal, type RunReport } from "../src/parareal/driver.js";
import { runCli, tempDir } from "./helpers.js";
import { config } from "./mgrit-helpers.js";
import type { RunParameters } from "../src/config/run-config.js";

const issue = ["--t-end", "16", "--h", "0.0078125", "--tol", "0", "--no-reference", "--json"];

test("two-level MGRIT-F through the CLI is parareal at its C-points, to the bit, for k = 1, 2, 3; its files are parareal's cut at the F-points", async (t) => {
  const dir = tempDir(t);
  for (const k of [1, 2, 3]) {
    const [mg, pr] = await Promise.all([
      runCli(["run", ...issue, "--points", "17", "--method", "mgrit", "--levels", "2", "--coarsening", "2", "--relax", "F", "--max-iterations", String(k), "--output", join(dir, `mgrit-${k}`)]),
      runCli(["run", ...issue, "--points", "9", "--max-iterations", String(k), "--output", join(dir, `parareal-${k}`)]),
    ]);
    assert.equal(mg.code, 0, mg.stderr);
    assert.equal(pr.code, 0, pr.stderr);
    const [m, p] = [JSON.parse(mg.stdout) as RunReport, JSON.parse(pr.stdout) as RunReport];
    assert.equal(m.method, "mgrit");
    assert.equal(m.iterations, k);
    assert.equal(m.converged, false);
    assert.equal(m.final.length, 17, "final on the finest level's points");
    assert.deepEqual(m.final.filter((_, i) => i % 2 === 0), p.final, `k = ${k}: MGRIT at its C-points is parareal`);
    assert.equal(m.maxdif.length, k, "tol 0: exactly k changes");
    assert.equal(m.residual!.length, k + 1, "a residual per iterate 0..k");
    assert.deepEqual(m.measurements.map((r) => r.iteration), Array.from({ length: k + 1 }, (_, j) => j));
    // the change of the iterate at the C-points is parareal's maxdif; MGRIT's covers the F-points too
    m.maxdif.forEach((d, j) => assert.ok(d >= p.maxdif[j]!, `change ${j + 1}: ${d} < parareal's ${p.maxdif[j]}`));
    // exactness: after k V-cycles the first k coarse intervals have no residual left but round-off
    const perC = m.measurements.at(-1)!.perSlice!;
    assert.equal(perC.length, 9, "one residual per C-point");
    perC.forEach((r, j) => assert.ok(j <= k ? r < 1e-14 : r > 1e-6, `k = ${k}, C-point ${j}: residual ${r}`));
  }
  // the files of iteration j are fine solves from iterate j-1, as parareal's: `combine` gives the same trajectory
  await loadHdf5();
  const iterate = (run: string, j: number) => {
    const checked = iterateOf(checkFineDirectory(join(dir, run, "parareal"), { upTo: j }), j);
    assert.deepEqual(checked.problems, [], `${run}, iterate ${j}: consistent`);
    return combineSegments(checked.segments);
  };
  for (const j of [1, 2, 3]) {
    const [a, b] = [iterate("mgrit-3", j), iterate("parareal-3", j)];
    assert.equal(a.t.length, 16 * 128 + 1, "every fine step");
    assert.deepEqual([a.t, a.data], [b.t, b.data], `iterate ${j}`);
  }
  const csv = await runCli(["combine", join(dir, "mgrit-3", "parareal")]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout.split("\n").length, 16 * 128 + 3, "`parareal combine` reads MGRIT's files: header, every fine step, final newline");
  // iteration j solves chains from the C-points not yet exact: 2 fine intervals each of 9 - j
  const names = readdirSync(join(dir, "mgrit-3", "parareal"));
  for (const j of [1, 2, 3]) assert.equal(names.filter((n) => n.startsWith(`fine-000${j}-`)).length, 2 * (9 - j), `files of iteration ${j}`);
  assert.ok(!names.includes(RELAX_DIR), "F-relaxation has no second sweep");
});

test("FCF converges in no more V-cycles than F on every built-in problem, and to the serial fine solution; three levels on heat1d converge", async (t) => {
  const dir = tempDir(t);
  const executor = threadsExecutor(2);
  try {
    for (const name of Object.keys(problems)) {
      const its: Record<string, number> = {};
      for (const relax of ["F", "FCF"] as const) {
        const c = await config(name, join(dir, `${name}-${relax}`), { levels: 2, coarsening: 2, relax }, { tol: 1e-4 });
        const r = await runParareal(c, executor, {}, mgritSegment);
        assert.ok(r.converged, `${name}, ${relax}: converged`);
        assert.ok(r.residual!.at(-1)! < 1e-4);
        // against the serial fine solution over the same points
        const fine = iterateSolution(makeMethod((c.parameters as RunParameters).fine, buildProblem(c.problem)), (c.parameters as RunParameters).h);
        let y: Float64Array = Float64Array.from(c.y0);
        let err = 0;
        for (let i = 1; i < c.t.length; i++) {
          y = fine(y, c.t[i - 1]!, c.t[i]!);
          const scale = Math.max(1, ...Array.from(y, Math.abs));
          r.final[i]!.forEach((x, j) => (err = Math.max(err, Math.abs(x - y[j]!) / scale)));
        }
        assert.ok(err < 1e-3, `${name}, ${relax}: off the serial fine solution by ${err}`);
        its[relax] = r.iterations;
      }
      assert.ok(its.FCF! <= its.F!, `${name}: FCF ${its.FCF} V-cycles, F ${its.F}`);
    }
    // heat1d on 3 levels, coarsening 4: 64 -> 16 -> 4 intervals (257 points: 9 V-cycles, 2,400 fine jobs, 15 s; see the report)
    const c = await config("heat1d", join(dir, "heat"), { levels: 3, coarsening: 4, relax: "FCF" }, { points: 65, tol: 1e-8 });
    const r = await runParareal(c, executor, {}, mgritSegment);
    assert.ok(r.converged && r.iterations <= 8, `heat1d, 3 levels: ${r.iterations} V-cycles`);
    r.residual!.slice(1).forEach((x, k) => assert.ok(x < r.residual![k]!, `the residual falls every V-cycle: ${r.residual!.join(", ")}`));
    assert.ok(readdirSync(join(dir, "heat", "parareal", RELAX_DIR)).length > 0, "FCF's second sweep has its own files");
  } finally {
    await executor.close();
  }
});

