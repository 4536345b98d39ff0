/** Load: 1,000 slices of tiny jobs, through threads and through Redis with three workers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import { runCli, startRedis, startWorker, tempDir } from "./helpers.js";

// 1,000 slices of 10 Euler steps, exactly 2 iterations (--tol 0): about 2,000 fine and 3,000 coarse jobs
const args = ["run", "--points", "1001", "--t-end", "100", "--h", "0.01", "--no-reference", "--tol", "0", "--max-iterations", "2", "--json"];

test("1,000 slices through threads and through Redis with 3 workers: the same result, no keys left", async (t) => {
  const dir = tempDir(t);
  const threads = await runCli([...args, "--output", join(dir, "threads")], { timeoutMs: 120_000 });
  assert.equal(threads.code, 0, threads.stderr);
  const a = JSON.parse(threads.stdout) as RunReport;
  assert.equal(a.iterations, 2);
  assert.equal(a.maxdif.length, 2);
  assert.equal(a.final.length, 1001);
  assert.ok(a.fineJobs >= 1000 * a.iterations - (a.iterations * (a.iterations - 1)) / 2, `${a.fineJobs} fine jobs`);

  const redis = await startRedis(t);
  const workers = await Promise.all([1, 2, 3].map(() => startWorker(t, redis.url)));
  const viaRedis = await runCli([...args, "--redis", redis.url, "--output", join(dir, "redis")], { timeoutMs: 180_000 });
  assert.equal(viaRedis.code, 0, viaRedis.stderr);
  const b = JSON.parse(viaRedis.stdout) as RunReport;
  assert.equal(b.iterations, a.iterations);
  assert.deepEqual(b.maxdif, a.maxdif);
  assert.deepEqual(b.final, a.final);
  assert.equal(b.workers, 3, "every worker took jobs");
  for (const w of workers) {
    assert.equal(w.child.exitCode, null, "workers keep serving");
    w.child.kill("SIGTERM");
    assert.equal(await w.exited, 0);
  }
  assert.deepEqual(redis.keys(), [], "no keys are left");
});
