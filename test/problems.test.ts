import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveRunConfig } from "../src/config/run-config.js";
import { linspace } from "../src/ode/linspace.js";
import { inlineExecutor, threadsExecutor } from "../src/jobs/executors.js";
import { heatGrid } from "../src/models/systems.js";
import { runParareal } from "../src/parareal/driver.js";
import { problems } from "../src/models/builtin.js";
import type { RunReport } from "../src/parareal/driver.js";
import { repoRoot, runCli, startRedis, startWorker, tempDir } from "./helpers.js";
import { join } from "node:path";

test("every built-in problem converges to its serial fine solution with its defaults", async (t) => {
  const executor = threadsExecutor(2);
  try {
    for (const [name, entry] of Object.entries(problems)) {
      const report = await runParareal(await resolveRunConfig({ problem: name, tol: 1e-4, output: tempDir(t) }), executor);
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

test("grid mappings: regrid restricts and interpolates heat1d states between grids", async () => {
  const { regrid } = await import("../src/models/systems.js");
  const fine = heatGrid(31, 1);
  const coarse = heatGrid(15, 1);
  const u = fine.map((x) => Math.sin(Math.PI * x));
  // every coarse point is a fine point: restriction is exact there
  const restricted = regrid(u, 15);
  restricted.forEach((v, j) => assert.ok(Math.abs(v - Math.sin(Math.PI * coarse[j]!)) < 1e-15));
  // interpolation back is second-order accurate: error <= (dx^2 / 8) max|u''|
  const back = regrid(restricted, 31);
  const dx = 1 / 16;
  back.forEach((v, i) => assert.ok(Math.abs(v - u[i]!) <= ((dx * dx) / 8) * Math.PI ** 2 + 1e-15, `at ${i}`));
  // and a piecewise linear function through the walls is reproduced exactly
  const hat = (x: number) => Math.min(x, 1 - x);
  regrid(coarse.map(hat), 31).forEach((v, i) => assert.ok(Math.abs(v - hat(fine[i]!)) < 1e-15));
});

test("grid mappings: heat1d's coarse solver on a coarser grid gives the original's c2f(C(f2c(y))) iterates and converges to the fine-grid solution", async (t) => {
  const { backwardEuler } = await import("../src/ode/backward-euler.js");
  const { heat1d, regrid } = await import("../src/models/systems.js");
  const { iterateSolution } = await import("../src/ode/iterate.js");
  const { parareal } = await import("../src/parareal/serial.js");
  const entry = problems.heat1d!;
  const tt = linspace(0, entry.tEnd, entry.points);
  const y0 = entry.y0(entry.defaults);
  // the oracle: the original's parareal with c2f and f2c, on plain arrays
  const C = backwardEuler(heat1d(15, 1, 1));
  const [c2f, f2c] = [(y: Float64Array) => regrid(y, 31), (y: Float64Array) => regrid(y, 15)];
  const step = parareal(C, iterateSolution(backwardEuler(heat1d(31, 1, 1)), entry.fine.h), c2f, f2c);
  let oracle: Float64Array[] = [Float64Array.from(y0)];
  for (let i = 1; i < tt.length; i++) oracle.push(c2f(C(f2c(oracle[i - 1]!), tt[i - 1]!, tt[i]!)));
  for (let k = 1; k <= 2; k++) oracle = step(oracle, tt);
  const config = await resolveRunConfig({ problem: "heat1d", coarseParams: { n: 15 }, tol: 1e-300, maxIterations: 2, reference: false, output: tempDir(t) });
  const report = await runParareal(config, inlineExecutor());
  assert.equal(report.iterations, 2);
  report.final.forEach((y, i) => y.forEach((v, j) => assert.ok(Math.abs(v - oracle[i]![j]!) <= 1e-13, `slice ${i} component ${j}: ${v} vs ${oracle[i]![j]}`)));

  // from the CLI: converges to the serial fine (31-point) solution in fewer iterations than slices
  const dir = tempDir(t);
  const r = await runCli(["run", "--problem", "heat1d", "--coarse-param", "n=15", "--json", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunReport & { parameters: { coarseParams: Record<string, number> } };
  assert.equal(out.converged, true);
  assert.ok(out.iterations < entry.points - 1, `${out.iterations} iterations`);
  assert.deepEqual(out.parameters.coarseParams, { n: 15 });
  let err = 0;
  out.final.forEach((y, i) => y.forEach((v, j) => (err = Math.max(err, Math.abs(v - out.reference![i]![j]!)))));
  assert.ok(err < 1e-4, `differs from the fine-grid solution by ${err}`);
  assert.equal(out.final[0]!.length, 31);

  const bad = await runCli(["run", "--coarse-param", "n=15", "--output", dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^parareal: --coarse-param: problem `harmonic` has no grid mapping \(regrid\); only problems on a grid, such as heat1d, can run their coarse solver on another grid\n$/);
  const zero = await runCli(["run", "--problem", "heat1d", "--coarse-param", "n=0", "--output", dir]);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /^parareal: --coarse-param n=0: `n` of `heat1d` sets a size: give an integer from 1 to 100000\n$/);
});

test("a TypeScript problem module type-checks against the package and runs a whole parareal", async (t) => {
  const module = join(repoRoot, "examples", "problems", "logistic.ts");
  const { execFileSync } = await import("node:child_process");
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  // as a user's editor would: strict, against the built package's types
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--skipLibCheck", module], {
    cwd: repoRoot,
    stdio: "pipe",
  });
  const dir = tempDir(t);
  const r = await runCli(["run", "--problem", module, "--json", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunReport;
  assert.equal(out.converged, true);
  out.reference!.forEach((y, i) => assert.ok(Math.abs(y[0]! - 10 / (1 + 19 * Math.exp(-out.t[i]!))) < 1e-9, `reference at t = ${out.t[i]}`));
  out.final.forEach((y, i) => assert.ok(Math.abs(y[0]! - out.reference![i]![0]!) < 1e-3));
});
