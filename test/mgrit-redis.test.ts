/**
 * The serial MGRIT oracle (src/mgrit/serial.ts, plain arrays) equals MGRIT scheduled on futures
 * (src/mgrit/scheduler.ts) on worker threads and on two `parareal worker` processes through
 * Redis, bit for bit at every iterate, with exactly the oracle's propagations as jobs.
 * About 8 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { reduceAsync } from "../src/evaluate/reduce.js";
import { Signer } from "../src/exec/redis/signing.js";
import { literal } from "../src/expr/vector.js";
import { redisExecutor, threadsExecutor } from "../src/jobs/executors.js";
import type { SolverExecutor } from "../src/jobs/solver-job.js";
import { buildHierarchy } from "../src/mgrit/hierarchy.js";
import { RELAX_DIR, ResidualStopping } from "../src/mgrit/run-method.js";
import { MgritScheduler } from "../src/mgrit/scheduler.js";
import { mgrit } from "../src/mgrit/serial.js";
import { buildProblem } from "../src/models/catalogue.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { makeMethod } from "../src/ode/methods.js";
import { startRedis, startWorker, tempDir, TEST_KEY } from "./helpers.js";
import { config } from "./mgrit-helpers.js";
import type { RunParameters } from "../src/config/run-config.js";

/** The scheduled MGRIT of a configuration on an executor: every iterate, reduced. */
async function scheduled(executor: SolverExecutor, c: Awaited<ReturnType<typeof config>>, maxIterations: number) {
  const h = buildHierarchy(c.t, c.mgrit!.levels, c.mgrit!.coarsening);
  const s = new MgritScheduler(executor, { coarse: (k) => c.coarse(k), fine: (k, relax) => c.fine(k, join(c.layout.parareal, relax ? RELAX_DIR : "")) }, h, c.mgrit!.relax, { maxIterations });
  const stopping = new ResidualStopping({ ...c.criteria, tol: 0 }, h);
  const iterates: number[][][] = [];
  s.schedule(literal(c.y0), c.t);
  const result = await s.wait(async (it) => {
    iterates.push(await Promise.all(it.u.map(async (v) => Array.from(await reduceAsync(v)))));
    return stopping.test(it);
  });
  return { result, iterates, residual: stopping.residual };
}

test("the serial oracle equals the scheduled MGRIT on threads and on Redis workers, bit for bit, every iterate", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const workers = await Promise.all([startWorker(t, redis.url), startWorker(t, redis.url)]);
  const K = 3;
  // lorenz on 3 levels with FCF: every kind of step (fine, coarse on two levels, combines, interpolation).
  // (vanderpol and brusselator on 3 levels overflow to NaN in the oracle: a scheduled fine job refuses that.)
  const cases = [
    { problem: "lorenz", mgrit: { levels: 3, coarsening: 2, relax: "FCF" as const } },
    { problem: "harmonic", mgrit: { levels: 2, coarsening: 4, relax: "F" as const } },
  ];
  for (const { problem, mgrit: settings } of cases) {
    const c = await config(problem, join(dir, problem, "threads"), settings);
    const p = buildProblem(c.problem);
    const oracle = mgrit(iterateSolution(makeMethod((c.parameters as RunParameters).fine, p), (c.parameters as RunParameters).h), makeMethod((c.parameters as RunParameters).coarse, p), c.y0, c.t, { ...settings, maxIterations: K, criteria: { tol: 0 } });
    const threads = threadsExecutor(2);
    const onThreads = await scheduled(threads, c, K).finally(() => threads.close());
    const viaRedis = await redisExecutor({ url: redis.url }, { root: dir, signer: Signer.fromText(TEST_KEY, "test key") });
    const onRedis = await scheduled(viaRedis, await config(problem, join(dir, problem, "redis"), settings), K).finally(() => viaRedis.close());
    const runs = { threads: onThreads, redis: onRedis };
    for (const [name, run] of Object.entries(runs)) {
      assert.equal(run.result.iterations, K);
      assert.equal(run.iterates.length, K + 1);
      run.iterates.forEach((u, k) => assert.deepEqual(u, oracle.history[k]!.u.map((x) => Array.from(x)), `${problem} on ${name}: iterate ${k}`));
      assert.deepEqual(run.residual, oracle.history.map((h) => h.residual), `${problem} on ${name}: residuals`);
    }
    // the same propagations as the oracle's plan: one job each, nothing more
    for (const e of [threads, viaRedis]) {
      assert.equal(e.stats.completed.fine, oracle.fineSolves, "fine jobs");
      assert.equal(e.stats.completed.coarse, oracle.coarseSolves, "coarse jobs");
    }
    assert.equal(viaRedis.workersSeen.size, 2, "both Redis workers ran jobs");
  }
  for (const w of workers) w.child.kill("SIGTERM");
  for (const w of workers) assert.equal(await w.exited, 0, w.stderr);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});
