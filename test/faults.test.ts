/**
 * Fault injection: over several short runs, kill a worker, restart Redis and kill the driver (then
 * resume) at random moments; every run must end with the undisturbed run's result.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import { runCli, sleep, spawnCli, startRedis, startWorker, tempDir, type Proc } from "./helpers.js";

// fine jobs of about 15 ms: a run takes a few seconds on three single-thread workers
const args = ["--h", "5e-7", "--save-every", "100000", "--json"];

/** mulberry32: the same moments for the same seed, so a failure can be replayed */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("killed workers, a restarted Redis and a killed then resumed driver still give the undisturbed result", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const quiet = await runCli(["run", ...args, "--output", join(dir, "undisturbed")]);
  assert.equal(quiet.code, 0, quiet.stderr);
  const expected = JSON.parse(quiet.stdout) as RunReport;

  const redis = await startRedis(t);
  const workers: Proc[] = [];
  const addWorker = async () => workers.push(await startWorker(t, redis.url, ["--lock-seconds", "2"]));
  for (let i = 0; i < 3; i++) await addWorker();

  /** fine files written so far: the run's progress, whatever the machine's speed */
  const progress = (out: string) => ["euler", "parareal"].reduce((n, sub) => {
    try {
      return n + readdirSync(join(out, sub)).filter((f) => f.endsWith(".h5")).length;
    } catch {
      return n;
    }
  }, 0);
  const total = 19 + expected.fineJobs;
  let resumedRounds = 0;
  for (const seed of [1, 2]) {
    const rand = random(seed);
    const out = join(dir, `round-${seed}`);
    // three faults once a random number of fine files exist (in the first three quarters of the run), in random order
    const faults = [
      { at: Math.floor(3 + 0.75 * total * rand()), what: "kill a worker" },
      { at: Math.floor(3 + 0.75 * total * rand()), what: "restart Redis" },
      { at: Math.floor(3 + 0.75 * total * rand()), what: "kill the driver" },
    ].sort((a, b) => a.at - b.at);
    const what = `seed ${seed}: ${faults.map((f) => `${f.what} after ${f.at} files`).join(", ")}`;
    const driver = spawnCli(t, ["run", ...args, "--redis", redis.url, "--output", out]);
    let killed = false;
    for (const f of faults) {
      while (progress(out) < f.at && driver.child.exitCode === null && driver.child.signalCode === null) await sleep(10);
      if (f.what === "kill a worker") {
        const victim = workers.splice(Math.floor(rand() * workers.length), 1)[0]!;
        victim.child.kill("SIGKILL");
        await victim.exited;
        await addWorker();
      } else if (f.what === "restart Redis") {
        await redis.restart();
      } else if (driver.child.exitCode === null) {
        driver.child.kill("SIGKILL");
        killed = true;
      }
    }
    const exit = await driver.exited;
    let result: RunReport;
    if (killed && exit === "SIGKILL") {
      const resumed = await runCli(["run", ...args, "--redis", redis.url, "--resume", "--output", out], { timeoutMs: 120_000 });
      assert.equal(resumed.code, 0, `${what}: resume failed: ${resumed.stderr}`);
      result = JSON.parse(resumed.stdout) as RunReport;
      if (result.resumedJobs + result.referenceResumedJobs > 0) resumedRounds++;
    } else {
      assert.equal(exit, 0, `${what}: the driver failed: ${driver.stderr}`);
      result = JSON.parse(driver.stdout) as RunReport;
    }
    assert.equal(result.iterations, expected.iterations, what);
    assert.deepEqual(result.maxdif, expected.maxdif, what);
    assert.deepEqual(result.final, expected.final, what);
    assert.deepEqual(result.reference, expected.reference, what);
  }
  for (const w of workers) assert.equal(w.child.exitCode, null, "workers survive every fault");
  assert.ok(resumedRounds >= 1, "at least one round was killed mid-way and resumed from its files");
});
