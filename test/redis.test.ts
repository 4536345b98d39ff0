import type { RunReport } from "../src/parareal/driver.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadHdf5, readDataset } from "../src/archive/hdf5.js";
import { spawn } from "node:child_process";
import { Future } from "../src/exec/future.js";
import { Signer } from "../src/exec/redis/signing.js";
import { redisExecutor } from "../src/jobs/executors.js";
import { literal, type Vector } from "../src/expr/vector.js";
import { fineSpec } from "../src/solvers/spec.js";
import { cliPath, runCli, spawnCli, startRedis, startWorker, tempDir, sleep, TEST_KEY, type Proc } from "./helpers.js";


const parse = (r: { stdout: string }) => JSON.parse(r.stdout) as RunReport;

/** Worker processes exit 0 on SIGTERM; collect them. */
async function stopWorkers(...workers: Proc[]): Promise<void> {
  for (const w of workers) w.child.kill("SIGTERM");
  for (const w of workers) assert.equal(await w.exited, 0, `worker exit; stderr: ${w.stderr}`);
}

function sameFiles(a: string, b: string, filter: (name: string) => boolean = () => true): number {
  const names = readdirSync(a).filter(filter).sort();
  assert.deepEqual(readdirSync(b).filter(filter).sort(), names);
  for (const name of names) {
    const x = readDataset(join(a, name), "data");
    const y = readDataset(join(b, name), "data");
    assert.deepEqual(y.shape, x.shape, name);
    assert.deepEqual(Array.from(y.data), Array.from(x.data), name);
    assert.deepEqual(y.attributes, x.attributes, name);
  }
  return names.length;
}

test("Redis workers give the threads run's history, numbers and files; no key is left", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w1 = await startWorker(t, redis.url);
  const w2 = await startWorker(t, redis.url);
  const [viaRedis, viaThreads] = await Promise.all([
    runCli(["run", "--json", "--redis", redis.url, "--output", join(dir, "redis")]),
    runCli(["run", "--json", "--output", join(dir, "threads")]),
  ]);
  assert.equal(viaRedis.code, 0, viaRedis.stderr);
  assert.equal(viaThreads.code, 0, viaThreads.stderr);
  const r = parse(viaRedis);
  const th = parse(viaThreads);
  assert.equal(r.iterations, 14);
  assert.deepEqual(r.maxdif, th.maxdif);
  assert.deepEqual(r.final, th.final);
  assert.deepEqual(r.reference, th.reference);
  assert.equal(r.workers, 2, "both worker processes ran jobs");
  assert.equal(sameFiles(join(dir, "redis", "euler"), join(dir, "threads", "euler")), 19);
  const upTo14 = (name: string) => Number(name.split("-")[1]) <= 14;
  assert.equal(sameFiles(join(dir, "redis", "parareal"), join(dir, "threads", "parareal"), upTo14), 175);
  await stopWorkers(w1, w2);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("two concurrent runs on one Redis never mix, and clean up after themselves", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w1 = await startWorker(t, redis.url);
  const w2 = await startWorker(t, redis.url);
  const [a, b] = await Promise.all([
    runCli(["run", "--json", "--redis", redis.url, "--no-reference", "--zeta", "0.5", "--output", join(dir, "a")]),
    runCli(["run", "--json", "--redis", redis.url, "--no-reference", "--zeta", "0.2", "--output", join(dir, "b")]),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const [ia, ib] = [
    await runCli(["run", "--json", "--executor", "inline", "--no-reference", "--zeta", "0.5", "--output", join(dir, "ia")]),
    await runCli(["run", "--json", "--executor", "inline", "--no-reference", "--zeta", "0.2", "--output", join(dir, "ib")]),
  ];
  assert.deepEqual(parse(a).maxdif, parse(ia).maxdif);
  assert.deepEqual(parse(b).maxdif, parse(ib).maxdif);
  assert.notDeepEqual(parse(a).maxdif, parse(b).maxdif);
  await stopWorkers(w1, w2);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

// Slices of 5e7 Euler steps (about half a second each): long enough to kill a worker mid-job.
const heavy = ["--points", "3", "--t-end", "2", "--h", "2e-8", "--save-every", "1000000", "--max-iterations", "2"];

test("a worker killed with SIGKILL mid-job: its job runs again elsewhere, same result", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const victim = await startWorker(t, redis.url, ["--lock-seconds", "1"]);
  const run = spawnCli(t, ["run", "--json", "--redis", redis.url, ...heavy, "--output", dir]);
  await victim.waitFor(/job \S+ of run \S+ started/);
  victim.child.kill("SIGKILL");
  assert.equal(await victim.exited, "SIGKILL");
  const rescuer = await startWorker(t, redis.url, ["--lock-seconds", "1"]);
  assert.equal(await run.exited, 0, run.stderr);
  const out = JSON.parse(run.stdout) as RunReport;
  assert.equal(out.iterations, 2);
  // after N iterations parareal is the serial fine solution, to round-off
  out.final.forEach((y, i) => y.forEach((x, j) => assert.ok(Math.abs(x - out.reference![i]![j]!) < 1e-12, `state ${i}`)));
  assert.match(rescuer.stderr, /job \S+ of run \S+ started/);
  await stopWorkers(rescuer);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("SIGTERM: a worker finishes its job and exits 0; the run completes on the others", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const leaving = await startWorker(t, redis.url);
  const staying = await startWorker(t, redis.url);
  const run = spawnCli(t, ["run", "--json", "--redis", redis.url, ...heavy, "--output", dir]);
  await leaving.waitFor(/job \S+ of run \S+ started/);
  leaving.child.kill("SIGTERM");
  assert.equal(await leaving.exited, 0, leaving.stderr);
  assert.match(leaving.stderr, /worker: SIGTERM, finishing the jobs in hand/);
  assert.match(leaving.stderr, /worker: stopped after [1-9]\d* jobs/, "the job in hand was finished, not dropped");
  assert.equal(await run.exited, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as RunReport).iterations, 2);
  await stopWorkers(staying);
  assert.equal(redis.dbsize(), 0);
});

test("a job that keeps failing is retried, then the run fails with one line naming iteration and slice", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w = await startWorker(t, redis.url);
  const r = await runCli(["run", "--redis", redis.url, "--attempts", "2", "--omega0", "1e200", "--output", dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^parareal: fine job of iteration 0, slice 1 \(t = 0 to 0\.78\d+\) failed: fine solver produced a non-finite value/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  // the reference is a serial chain: its first fine job is the only one that ever starts
  assert.equal((w.stderr.match(/job \S+ of run \S+ started/g) ?? []).length, 2, "tried twice, no more");
  await stopWorkers(w);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("Redis restarting mid-run: clients reconnect and the run completes", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w = await startWorker(t, redis.url, ["--lock-seconds", "2"]);
  const run = spawnCli(t, ["run", "--json", "--log", "info", "--redis", redis.url, ...heavy, "--output", dir]);
  await w.waitFor(/job \S+ of run \S+ started/);
  await redis.restart();
  const code = await Promise.race([run.exited, sleep(60_000).then(() => "hung")]);
  assert.equal(code, 0, `driver:\n${run.stderr}\nworker:\n${w.stderr}`);
  assert.match(run.stderr, /reconnected to Redis, resubmitting/);
  assert.equal((JSON.parse(run.stdout) as RunReport).iterations, 2);
  await stopWorkers(w);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("SIGINT to the driver cancels its jobs, removes its keys and exits non-zero", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w = await startWorker(t, redis.url);
  const run = spawnCli(t, ["run", "--redis", redis.url, ...heavy, "--output", dir]);
  await w.waitFor(/job \S+ of run \S+ started/);
  run.child.kill("SIGINT");
  assert.equal(await run.exited, 130);
  assert.match(run.stderr, /SIGINT: cancelling the run/);
  await stopWorkers(w);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("an unreachable or refusing Redis: exit 1 with one line, quickly", async (t) => {
  const redis = await startRedis(t, { password: "right-password" });
  const dir = tempDir(t);
  const start = Date.now();
  const r = await runCli(["run", "--redis", `redis://127.0.0.1:${redis.port + 1}`, "--output", dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^parareal: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: /);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  const w = await runCli(["run", "--redis", `redis://:wrong@127.0.0.1:${redis.port}`, "--output", dir]);
  assert.equal(w.code, 1);
  assert.match(w.stderr, /^parareal: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS/);
  assert.ok(Date.now() - start < 20_000);
  const bad = await runCli(["run", "--redis", "http://x", "--output", dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^parareal: --redis: .* is not a Redis URL/);
});

test("a running job that is cancelled is told to stop, and stops between chunks", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const w = await startWorker(t, redis.url);
  const executor = await redisExecutor({ url: redis.url }, { root: dir, signer: Signer.fromText(TEST_KEY, "test key") });
  try {
    // 1e10 Euler steps: minutes of work, unless it is stopped
    const spec = fineSpec({ name: "harmonic", params: {} }, 1, { h: 1e-9, archive: dir, saveEvery: 1_000_000_000 });
    const job = executor.submit({ solver: spec, t0: 0, t1: 10, slice: 1 }, Future.resolved<Vector>(literal([1, 0])));
    await w.waitFor(/job \S+ of run \S+ started/);
    const cancelledAt = Date.now();
    job.cancel();
    await w.waitFor(/stopped: cancelled by the driver/, 10_000);
    assert.ok(Date.now() - cancelledAt < 5000, "stopped within seconds, not at the end of the slice");
    assert.deepEqual(readdirSync(dir), [], "a stopped job writes nothing");
  } finally {
    await executor.close();
  }
  await stopWorkers(w);
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});

test("a worker that cannot reach the archive says so, and the run fails with that line", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  // this worker sees an empty read-only filesystem where the archive is (its own mount namespace)
  const blind = spawn("unshare", ["-m", "sh", "-c", `mount -t tmpfs -o ro none "$1" && exec "$2" "$3" worker --redis "$4" --concurrency 1`, "sh", dir, process.execPath, cliPath, redis.url], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  blind.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  t.after(() => void blind.kill("SIGKILL"));
  const r = await runCli(["run", "--redis", redis.url, "--attempts", "1", "--no-reference", "--output", dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^parareal: fine job of iteration 1, slice \d+ \(t = [\d.]+ to [\d.]+\) failed: cannot reach the archive directory \S+parareal from \S+ \(EROFS[^)]*\); it must be on a filesystem every worker shares\n$/);
  assert.match(stderr, /ERROR:parareal:job \S+ of run \S+ failed \(attempt 1\): cannot reach the archive directory/);
  blind.kill("SIGTERM");
  await new Promise((resolve) => blind.once("exit", resolve));
  assert.equal(redis.dbsize(), 0, `keys left: ${redis.keys().join(" ")}`);
});
