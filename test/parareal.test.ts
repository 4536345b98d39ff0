import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { reduceAsync } from "../src/evaluate/reduce.js";
import { literal, type Vector } from "../src/expr/vector.js";
import { inlineExecutor, threadsExecutor } from "../src/jobs/executors.js";
import type { SolverExecutor } from "../src/jobs/solver-job.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulate } from "../src/ode/tabulate.js";
import { History } from "../src/parareal/history.js";
import { Parareal } from "../src/parareal/scheduler.js";
import { maxAbsDiff, parareal } from "../src/parareal/serial.js";
import { coarseSpec, fineSpec } from "../src/solvers/spec.js";
import { DRIVER_FINE_NUMBERS, DRIVER_FINE_WORK, fineRunsInDriver } from "../src/config/driver-jobs.js";
import { buildProblem } from "../src/models/catalogue.js";
import { tempDir } from "./helpers.js";

const [omega0, zeta, h] = [1, 0.5, 0.01];
const problem = { name: "harmonic", params: { omega0, zeta } };
const t = linspace(0, 15, 20);
const N = t.length - 1;
const y0 = Float64Array.of(1, 0);
const coarse = forwardEuler(harmonicOscillator(omega0, zeta));
const fine = iterateSolution(forwardEuler(harmonicOscillator(omega0, zeta)), h);
const serialFine = tabulate(fine, y0, t);

/** y^0 .. y^N from the serial oracle. */
function oracleIterates(): Float64Array[][] {
  const step = parareal(coarse, fine);
  const ys = [tabulate(coarse, y0, t)];
  for (let k = 1; k <= N; k++) ys.push(step(ys[k - 1]!, t));
  return ys;
}
const oracle = oracleIterates();

test("serial oracle: slices i <= k equal the serial fine solution after k iterations", () => {
  for (let k = 0; k <= N; k++) {
    for (let i = 0; i <= k; i++) {
      const d = maxAbsDiff([oracle[k]![i]!], [serialFine[i]!]);
      assert.ok(d < 1e-14, `iteration ${k}, slice ${i}: off by ${d}`);
    }
  }
  // and not before: parareal's iterate 1 is not yet the fine solution at slice 2
  assert.ok(maxAbsDiff([oracle[1]![2]!], [serialFine[2]!]) > 1e-3);
});

test("serial oracle reaches the fine solution within N iterations", () => {
  assert.ok(maxAbsDiff(oracle[N]!, serialFine) < 1e-14);
  const first = maxAbsDiff(oracle[1]!, oracle[0]!);
  assert.equal(first.toFixed(6), "1.338596");
});

async function scheduled(executor: SolverExecutor, archive: string, tol: number) {
  const p = new Parareal(
    executor,
    (k) => coarseSpec(problem, k),
    (k) => fineSpec(problem, k, { h, archive }),
  );
  const history = new History(tol);
  const result = await p.wait(p.schedule(literal(y0), t), async (y: Vector[]) => history.convergenceTest(await Promise.all(y.map(reduceAsync))));
  return { result, history };
}

for (const [name, make] of [
  ["inline", () => inlineExecutor()],
  ["threads", () => threadsExecutor(2)],
] as const) {
  test(`scheduler on the ${name} executor equals the oracle, skipping exact slices`, async (ctx) => {
    const dir = tempDir(ctx);
    const executor = make();
    try {
      // tol 0: never converges, so all N iterations run
      const { result, history } = await scheduled(executor, dir, 0);
      assert.equal(result.converged, false);
      assert.equal(result.iterations, N);
      assert.equal(history.iterates.length, N + 1);
      history.iterates.forEach((y, k) => {
        const d = maxAbsDiff(y, oracle[k]!);
        assert.ok(d < 1e-12, `iterate ${k} differs from the oracle by ${d}`);
      });
      // fine work: N*K - K(K-1)/2 solves instead of N*K; coarse: one per distinct state
      const K = N;
      assert.equal(executor.stats.completed.fine, N * K - (K * (K - 1)) / 2);
      assert.equal(executor.stats.completed.coarse, N + (N * K - (K * (K + 1)) / 2));
      assert.equal(readdirSync(dir).length, executor.stats.completed.fine, "one HDF5 file per fine job");
      if (name === "threads") assert.equal(executor.workersSeen.size, 2, "both threads did work");
    } finally {
      await executor.close();
    }
  });
}

test("cheap fine jobs run in the driver: the oracle's numbers, no thread started, one job at a time, the event loop served", async (ctx) => {
  const dir = tempDir(ctx);
  const executor = threadsExecutor(2);
  const p = new Parareal(
    executor,
    (k) => coarseSpec(problem, k),
    (k) => fineSpec(problem, k, { h, archive: dir, inDriver: true }),
  );
  const history = new History(0);
  const running = new Set<number>();
  let most = 0;
  executor.onEvent((e) => {
    if (e.state === "running") running.add(e.id);
    else running.delete(e.id);
    most = Math.max(most, running.size);
  });
  // timers fire while the driver works through hundreds of cheap jobs
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const result = await p.wait(p.schedule(literal(y0), t), async (y: Vector[]) => history.convergenceTest(await Promise.all(y.map(reduceAsync))));
    assert.equal(result.iterations, N);
    history.iterates.forEach((y, k) => assert.ok(maxAbsDiff(y, oracle[k]!) < 1e-12, `iterate ${k}`));
    assert.equal(executor.threads, 0, "no worker thread was started");
    assert.equal(executor.workersSeen.size, 0);
    assert.equal(most, 1, "one job at a time");
    assert.ok(ticks >= 1, "the event loop had turns during the run");
  } finally {
    clearInterval(timer);
    await executor.close();
  }
});

test("which fine jobs the driver runs: little work of a known cost, and never with --driver-jobs coarse", () => {
  const harmonic = harmonicOscillator(1, 0.5);
  const demo = { problem: harmonic, method: "euler" as const, steps: 79, rows: 80 };
  assert.equal(fineRunsInDriver("cheap", demo), true, "the demo: 79 Euler steps of 2 numbers");
  assert.equal(fineRunsInDriver("coarse", demo), false);
  assert.equal(fineRunsInDriver("cheap", { ...demo, method: "dopri5" }), false, "adaptive steps: cost unknown");
  assert.equal(fineRunsInDriver("cheap", { ...demo, method: "backward-euler" }), false, "Newton iterations: cost unknown");
  assert.equal(fineRunsInDriver("cheap", { ...demo, problem: { dim: 2, rhs: harmonic.rhs } }), false, "a plain callback may sleep or call out");
  assert.equal(fineRunsInDriver("cheap", { ...demo, method: "rk4", steps: DRIVER_FINE_WORK / 8 }), true, "rk4: 4 stages of 2 components");
  assert.equal(fineRunsInDriver("cheap", { ...demo, method: "rk4", steps: DRIVER_FINE_WORK / 8 + 1 }), false);
  assert.equal(fineRunsInDriver("cheap", { ...demo, steps: 1, rows: DRIVER_FINE_NUMBERS / 2 + 1 }), false, "a large file");
  const heat = buildProblem({ name: "heat1d", params: { n: 1000 } });
  assert.equal(fineRunsInDriver("cheap", { problem: heat, method: "euler", steps: 100, rows: 101 }), false, "100 steps of 1,000 components");
});

test("convergence cancels the jobs left: queued ones never start", async (ctx) => {
  const dir = tempDir(ctx);
  const executor = inlineExecutor();
  try {
    const { result, history } = await scheduled(executor, dir, 1e-4);
    assert.equal(result.converged, true);
    assert.equal(result.iterations, 14);
    assert.equal(history.maxdif.length, 14);
    const s = executor.stats;
    const fineJobs = s.completed.fine ?? 0;
    const needed = N * 14 - (14 * 13) / 2; // 175 fine solves make iterates 1..14
    assert.ok(fineJobs >= needed && fineJobs < 190, `fine jobs run: ${fineJobs}`);
    assert.ok(s.cancelledQueued > 0, "some jobs were cancelled before starting");
    assert.equal((s.completed.coarse ?? 0) + fineJobs + s.cancelledQueued + s.cancelledRunning, s.submitted, "every job ran or was cancelled");
    const files = readdirSync(dir);
    const late = files.filter((f) => Number(f.split("-")[1]) >= 16);
    assert.deepEqual(late, [], "no job of iteration 16 or later ran");
    // closing waits for every job still running: none may start after convergence
    await executor.close();
    assert.equal(readdirSync(dir).length, files.length, "nothing runs after cancellation");
    assert.equal(s.completed.fine ?? 0, fineJobs, "no fine job completed after convergence");
  } finally {
    await executor.close();
  }
});

test("a failing job fails the run with a message naming the iteration and slice", async (ctx) => {
  const dir = tempDir(ctx);
  const executor = inlineExecutor();
  try {
    const bad = { name: "harmonic", params: { omega0: 1e200, zeta: 0.5 } };
    const p = new Parareal(executor, (k) => coarseSpec(bad, k), (k) => fineSpec(bad, k, { h, archive: join(dir, "x") }));
    await assert.rejects(
      p.wait(p.schedule(literal(y0), t), () => false),
      /coarse job of iteration 0, slice 1 \(t = 0 to 0\.789\d*\) failed: coarse solver produced a non-finite value/,
    );
    assert.equal(executor.stats.failed, 1);
  } finally {
    await executor.close();
  }
});
