/**
 * The Redis trust model under attack (issue 11): anyone who can write to Redis but does not hold
 * the key drivers and workers share can neither drive workers nor stop a run; a run whose keys are
 * taken away fails in bounded time; a worker stops on a signal whatever Redis does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { announceKey, CONTROL_CHANNEL, PREFIX, queueName, RUNS_KEY } from "../src/exec/redis/keys.js";
import { sealAnnouncement, sealControl, sealJob } from "../src/exec/redis/messages.js";
import { Signer } from "../src/exec/redis/signing.js";
import { makePayload } from "../src/jobs/payload.js";
import { literal } from "../src/expr/vector.js";
import type { RunReport } from "../src/parareal/driver.js";
import { fineSpec } from "../src/solvers/spec.js";
import { sleep, spawnCli, startRedis, startWorker, tempDir, TEST_KEY } from "./helpers.js";

const problem = { name: "harmonic", params: { omega0: 1, zeta: 0.5 } };
// slices of 5e7 Euler steps (about half a second each)
const heavy = ["--points", "3", "--t-end", "2", "--h", "2e-8", "--save-every", "1000000", "--max-iterations", "2"];

test("without the key, writing to Redis drives no worker: unsigned runs, forged keys and roots of / are refused", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const stolen = Signer.fromText("not-the-key-of-this-cluster-0123456789abcdef", "attacker");
  const right = Signer.fromText(TEST_KEY, "test key");
  const target = join(dir, "target");
  mkdirSync(target);
  const runs = [
    // no announcement at all, as the old workers accepted
    { run: "bare", announce: null },
    // an announcement in plain text, with a forged signature, and one signed with another key
    { run: "plain", announce: JSON.stringify({ body: JSON.stringify({ run: "plain", root: target, modules: [] }), sig: "AAAA" }) },
    { run: "forged", announce: sealAnnouncement(stolen, { run: "forged", root: target, modules: [] }) },
    // signed with the right key, but a root of / or a system directory
    { run: "slash", announce: sealAnnouncement(right, { run: "slash", root: "/", modules: [] }) },
    { run: "etc", announce: sealAnnouncement(right, { run: "etc", root: "/etc", modules: [] }) },
  ];
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    for (const { run, announce } of runs) {
      if (announce !== null) await client.set(announceKey(run), announce);
      await client.sadd(RUNS_KEY, run);
      await client.publish(CONTROL_CHANNEL, JSON.stringify({ type: "start", run }));
      await client.publish(CONTROL_CHANNEL, sealControl(stolen, { type: "start", run }));
      const queue = new Queue(queueName(run), { connection, prefix: PREFIX });
      const escape = run === "slash" ? "/tmp" : join(dir, "outside");
      const payload = makePayload(fineSpec(problem, 1, { h: 0.01, archive: join(escape, `parareal-${run}`) }), literal([1, 0]), 0, 0.5);
      // a job sealed with the right key would still need its run's announcement to be accepted
      await queue.add("solve", sealJob(right, run, `j-${run}`, payload), { jobId: `j-${run}` });
      await queue.add("solve", { payload: JSON.stringify(payload), sig: "forged" }, { jobId: `f-${run}` });
      await queue.close();
    }
    // a worker that starts now finds them all in the set of active runs, and looks at each
    worker = await startWorker(t, redis.url);
    await worker.waitFor(/not serving run etc: its archive root `\/etc` is `\/` or a system directory/, 10_000);
    for (const run of ["slash", "etc"]) await client.publish(CONTROL_CHANNEL, sealControl(right, { type: "start", run }));
    await sleep(1500);
    for (const { run } of runs) {
      assert.doesNotMatch(worker.stderr, new RegExp(`attached to run ${run}\\b`), `${run}: not attached`);
      assert.equal(existsSync(join(dir, "outside", `parareal-${run}`)), false, `${run}: nothing written`);
    }
    assert.match(worker.stderr, /not serving run slash: its archive root `\/` is `\/` or a system directory/);
    assert.match(worker.stderr, /not serving run forged: run forged has no announcement signed with this worker's key/);
    assert.equal(existsSync("/tmp/parareal-slash"), false);
  } finally {
    client.disconnect();
    connection.disconnect();
  }
  assert.equal(worker?.child.exitCode, null, "the worker is still serving");
});

test("unsigned control messages stop nothing; a run whose keys are deleted fails within seconds, in one line", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const worker = await startWorker(t, redis.url);
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    const run = spawnCli(t, ["run", "--json", "--redis", redis.url, ...heavy, "--output", join(dir, "a")]);
    await worker.waitFor(/job \S+ of run (\S+) started/);
    const id = /attached to run (\S+)/.exec(worker.stderr)?.[1] ?? "";
    await client.publish(CONTROL_CHANNEL, JSON.stringify({ type: "end", run: id }));
    await client.publish(CONTROL_CHANNEL, JSON.stringify({ type: "cancel", run: id, jobs: ["j0", "j1", "j2", "j3"] }));
    assert.equal(await run.exited, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as RunReport).iterations, 2, "the run completed as if nothing was said");
    assert.doesNotMatch(worker.stderr, /cancelled by the driver/);

    // someone deletes a running run's keys: the driver says so and ends
    // fine jobs of about 1 s: the run cannot end before the driver's next heartbeat (every 3 s) looks
    const victim = spawnCli(t, ["run", "--redis", redis.url, ...heavy, "--h", "1e-8", "--output", join(dir, "b")]);
    // once the run is announced (a busy machine may take seconds to get there)
    const announcedBy = Date.now() + 20_000;
    while ((await client.keys(`${PREFIX}:run-*:announce`)).length === 0 && Date.now() < announcedBy) await sleep(50);
    assert.equal((await client.keys(`${PREFIX}:run-*:announce`)).length, 1, `the victim's run was announced; driver: ${victim.stderr}`);
    const deleted = Date.now();
    for (const key of await client.keys(`${PREFIX}:*`)) await client.del(key);
    const code = await Promise.race([victim.exited, sleep(20_000).then(() => "hung")]);
    assert.equal(code, 1, `driver: ${victim.stderr}`);
    assert.ok(Date.now() - deleted < 12_000, `failed after ${Date.now() - deleted} ms`);
    assert.match(victim.stderr, /^parareal: .*its keys were removed from Redis while it ran/m);
    assert.equal(victim.stderr.trim().split("\n").filter((l) => l.startsWith("parareal:")).length, 1);
  } finally {
    client.disconnect();
  }
});

test("a worker stops on SIGTERM within 5 s while Redis is down, and at once on a second signal", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const first = await startWorker(t, redis.url);
  const second = await startWorker(t, redis.url);
  // two fine jobs of 1e9 steps each (many seconds), one in each worker's hands
  const driver = spawnCli(t, ["run", "--redis", redis.url, "--no-reference", "--points", "3", "--t-end", "2", "--h", "1e-9", "--save-every", "1000000000", "--output", dir]);
  await Promise.all([first.waitFor(/job \S+ of run \S+ started/), second.waitFor(/job \S+ of run \S+ started/)]);
  await redis.stop();
  let sent = Date.now();
  first.child.kill("SIGTERM");
  const code = await Promise.race([first.exited, sleep(8000).then(() => "hung")]);
  assert.equal(code, 0, first.stderr);
  assert.ok(Date.now() - sent < 5000, `stopped after ${Date.now() - sent} ms`);
  second.child.kill("SIGTERM");
  await sleep(200);
  sent = Date.now();
  second.child.kill("SIGTERM");
  assert.equal(await Promise.race([second.exited, sleep(3000).then(() => "hung")]), 143);
  assert.ok(Date.now() - sent < 1000, `second signal: stopped after ${Date.now() - sent} ms`);
  driver.child.kill("SIGKILL");
});

test("after a run fails on a Redis outage, nothing of it remains on the server once it is back", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const worker = await startWorker(t, redis.url);
  const run = spawnCli(t, ["run", "--redis", redis.url, "--redis-outage", "2", ...heavy, "--output", dir]);
  await worker.waitFor(/job \S+ of run \S+ started/);
  await redis.stop();
  const code = await Promise.race([run.exited, sleep(20_000).then(() => "hung")]);
  assert.equal(code, 1, run.stderr);
  assert.match(run.stderr, /lost the connection to Redis at \S+ for 2 s/);
  await redis.restart();
  // give the worker time to reconnect and do whatever it would do
  await sleep(3000);
  assert.deepEqual(redis.keys(), [], "nothing of the failed run is left");
  assert.equal(worker.child.exitCode, null, "the worker survived the outage");
});
