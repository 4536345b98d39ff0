import { test } from "node:test";
import assert from "node:assert/strict";
import { ThreadsExecutor } from "../src/exec/threads.js";
import { linspace } from "../src/ode/linspace.js";
import { heatGrid } from "../src/ode/problems.js";
import { runParareal } from "../src/parareal/driver.js";
import { problems } from "../src/solvers/problems.js";
import type { RunReport } from "../src/parareal/driver.js";
import { repoRoot, runCli, startRedis, startWorker, tempDir } from "./helpers.js";
import { join } from "node:path";

test("every built-in problem converges to its serial fine solution with its defaults", async (t) => {
  const executor = new ThreadsExecutor(2);
  try {
    for (const [name, entry] of Object.entries(problems)) {
      const dir = tempDir(t);
      const problem = { name, params: {} };
      const report = await runParareal({
        problem,
        y0: entry.y0(entry.defaults),
        t: linspace(0, entry.tEnd, entry.points),
        h: entry.fine.h,
        fineMethod: entry.fine.method,
        coarseMethod: entry.coarse.method,
        tol: 1e-4,
        output: dir,
        saveEvery: 1,
        reference: true,
        executor,
      });
      assert.ok(report.converged, `${name}: converged (${report.iterations} iterations)`);
      assert.ok(report.iterations < entry.points - 1, `${name}: in fewer iterations than slices (${report.iterations})`);
      const scale = Math.max(1, ...report.reference!.flat().map(Math.abs));
      let err = 0;
      report.final.forEach((y, i) => y.forEach((x, j) => (err = Math.max(err, Math.abs(x - report.reference![i]![j]!)))));
      assert.ok(err < 1e-3 * scale, `${name}: parareal differs from the serial fine solution by ${err}`);
      if (name === "heat1d") {
        // and the fine solution is near the exact one, exp(-pi^2 t) sin(pi x)
        const x = heatGrid(31, 1);
        const u = report.reference!.at(-1)!;
        const exact = Array.from(x, (xi) => Math.exp(-Math.PI * Math.PI * entry.tEnd) * Math.sin(Math.PI * xi));
        assert.ok(Math.max(...u.map((v, i) => Math.abs(v - exact[i]!))) < 5e-3);
      }
    }
  } finally {
    await executor.close();
  }
});

test("a user problem module runs a whole parareal, loaded by the driver and by every worker thread", async (t) => {
  const dir = tempDir(t);
  const module = join(repoRoot, "examples", "problems", "decay.mjs");
  const r = await runCli(["run", "--problem", module, "--param", "k=0.5", "--json", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunReport;
  assert.equal(out.converged, true);
  // rk4 with h = 1e-3 is the exact solution to the digits that matter here
  out.reference!.forEach((y, i) => assert.ok(Math.abs(y[0]! - Math.exp(-0.5 * out.t[i]!)) < 1e-9, `reference at t = ${out.t[i]}`));
  out.final.forEach((y, i) => assert.ok(Math.abs(y[0]! - out.reference![i]![0]!) < 1e-4));
  const bad = await runCli(["run", "--problem", module, "--param", "q=1", "--output", dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^parareal: --param q=1: problem `\S+decay\.mjs` has no parameter `q` \(it has: k\)\n$/);
});

test("a Redis worker imports problem modules only when started with --allow-modules", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const module = join(repoRoot, "examples", "problems", "decay.mjs");
  const careful = await startWorker(t, redis.url);
  const refused = await runCli(["run", "--redis", redis.url, "--attempts", "1", "--problem", module, "--output", join(dir, "a")]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /this worker does not load problem modules \(file:\S+decay\.mjs\); start it with --allow-modules/);
  careful.child.kill("SIGTERM");
  await careful.exited;
  const trusting = await startWorker(t, redis.url, ["--allow-modules"]);
  const ok = await runCli(["run", "--redis", redis.url, "--problem", module, "--json", "--output", join(dir, "b")]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as RunReport).converged, true);
  trusting.child.kill("SIGTERM");
  await trusting.exited;
  assert.equal(redis.dbsize(), 0);
});
