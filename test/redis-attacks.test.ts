/**
 * The attack report's Redis findings (A1-A11, E35), reproduced for real: one redis-server for the
 * file, real `parareal run` and `parareal worker` processes, and an attacker who can read and write
 * Redis (a plain ioredis client, BullMQ's own Queue) but does not hold the key.
 */
import { after, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { aliveKey, announceKey, CONTROL_CHANNEL, deleteRunKeys, HEARTBEAT_TIMEOUT_MS, PREFIX, queueName, redisTime, RUNS_KEY } from "../src/exec/redis/keys.js";
import { MAX_MESSAGE_CHARS, sealControl, sealHeartbeat } from "../src/exec/redis/messages.js";
import { Signer } from "../src/exec/redis/signing.js";
import type { RunReport } from "../src/parareal/driver.js";
import { secondsFrom } from "../src/cli/parse.js";
import { checkUrl } from "../src/exec/redis/url.js";
import { sleep, spawnCli, startRedis, startWorker, tempDir, TEST_KEY, type Proc } from "./helpers.js";

const redis = await startRedis({ after });
const attacker = new Redis(redis.url, { maxRetriesPerRequest: null });
after(() => attacker.disconnect());
const signer = Signer.fromText(TEST_KEY, "test key");
// the server requires no password: this one is never needed, and must never be printed
const withUnneededPassword = redis.url.replace("redis://", "redis://:not-needed@");

/** What a finished process said on stderr, checked to be exactly one line of ours. */
async function oneLineExit(p: Proc, code: number): Promise<string> {
  assert.equal(await p.exited, code, p.stderr);
  assert.match(p.stderr, /^parareal: [^\n\u001b]*\n$/, `one line: ${JSON.stringify(p.stderr)}`);
  return p.stderr;
}

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 20_000, context: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context()}`);
    await sleep(25);
  }
}

const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length;

/**
 * A7, A10, A11, E35: bad timers, keys, URLs, CA files and databases end at start with one line, exit
 * 2, no password shown; E33: a black-box command's stderr comes back as one plain line.
 */
async function badOptions(t: TestContext): Promise<void> {
  const dir = tempDir(t);
  let n = 0;
  const output = () => join(dir, `out-${n++}`);
  // as processes, one of each kind: option parsing, the key, the URL, the CA file, the server's answer
  const cases: [Proc, RegExp][] = [
    [spawnCli(t, ["run", "--output", output(), "--redis", redis.url, "--redis-outage", "1e7"]), /--redis-outage.*`1e7` is not allowed: give a number of seconds > 0 and at most 2147483\./],
    [spawnCli(t, ["worker", "--redis", redis.url], { PARAREAL_KEY: "a".repeat(32) }), /^parareal: PARAREAL_KEY: the key has only 1 distinct characters; give a random one with at least 8/],
    [spawnCli(t, ["run", "--output", output(), "--redis", "redis://:hunter2@127.0.0.1:99999"]), /^parareal: --redis: `redis:\/\/\*\*\*@127\.0\.0\.1:99999` is not a Redis URL/],
    [spawnCli(t, ["worker", "--redis", redis.url.replace("redis:", "rediss:"), "--redis-ca", join(dir, "missing.pem")]), /^parareal: --redis-ca: cannot read `\S+missing\.pem` \(ENOENT\)/],
    [spawnCli(t, ["run", "--output", output(), "--redis", `${withUnneededPassword}/99999`]), /^parareal: --redis: \S+ names database 99999, which the server does not have \(it has 16: 0 to 15\)$/m],
  ];
  // E33: what a black-box command writes to stderr (escapes, line breaks) reaches the terminal and
  // run.json as one plain line
  const blackBox = output();
  const failing = spawnCli(t, ["run", "--points", "3", "--no-reference", "--output", blackBox, "--fine-cmd", "printf '\\033[2J\\033[31mred\\nsecond line\\n' >&2; exit 3 # {in} {out}"]);
  assert.match(await oneLineExit(failing, 1), /fine command exited with code 3: .* \| stderr: red \| second line\n$/);
  const record = JSON.parse(readFileSync(join(blackBox, "run.json"), "utf8")) as { status: string; error: string };
  assert.equal(record.status, "failed");
  assert.match(record.error, /stderr: red \| second line$/);
  assert.doesNotMatch(record.error, /[\u0000-\u001f]/);
  for (const [p, message] of cases) {
    const said = await oneLineExit(p, 2);
    assert.match(said, message);
    assert.doesNotMatch(said, /hunter2|not-needed/, "no password in messages");
  }
  // the same checks behind the other spellings of the report
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  assert.match(refusal(() => secondsFrom(1)("1e7")), /`1e7` is not allowed: give a number of seconds from 1 to 2147483\./);
  assert.equal(secondsFrom(1)("2147483"), 2147483);
  for (const url of ["redis://:hunter2@", "redis://:hunter2@[::1:6391", "redis://user:hunter2@host:1:2"]) {
    assert.match(refusal(() => checkUrl(url)), /^`redis:\/\/\*\*\*@\S*` is not a Redis URL/, url);
    assert.doesNotMatch(refusal(() => checkUrl(url)), /hunter2/);
  }
  assert.match(refusal(() => checkUrl(`${redis.url}/x`)), /names database `x`: give a database number/);
  const weakKey = join(dir, "weak.key");
  writeFileSync(weakKey, "ab".repeat(20));
  chmodSync(weakKey, 0o600);
  assert.match(refusal(() => Signer.fromFile(weakKey)), /^key file \S+weak\.key: the key has only 2 distinct characters/);
  assert.equal(refusal(() => Signer.fromText(TEST_KEY, "test key")), "accepted");
}

/** What an eavesdropper records of a run: its signed announcement, heartbeat, control messages and job data. */
interface Recording {
  run?: string;
  announce?: string;
  alive?: string;
  readonly jobs: Map<string, string>;
  readonly control: string[];
  stop(): void;
}

/** The root a signed announcement names (readable by anyone: it is signed, not encrypted). */
function announcedRoot(announce: string | null): string | undefined {
  if (announce === null) return undefined;
  return (JSON.parse((JSON.parse(announce) as { body: string }).body) as { root: string }).root;
}

/** Record the run whose announcement names `root`. */
function eavesdrop(root: string): Recording {
  const subscriber = new Redis(redis.url, { maxRetriesPerRequest: null });
  let stopped = false;
  const record: Recording = {
    jobs: new Map(),
    control: [],
    stop() {
      stopped = true;
      subscriber.disconnect();
    },
  };
  void subscriber.subscribe(CONTROL_CHANNEL);
  subscriber.on("message", (_channel: string, text: string) => record.control.push(text));
  // until stopped, or until the server is gone
  void (async () => {
    while (!stopped) {
      for (const run of record.run === undefined ? await attacker.smembers(RUNS_KEY) : [record.run]) {
        const announce = await attacker.get(announceKey(run));
        if (record.run === undefined && announcedRoot(announce) !== root) continue;
        record.run = run;
        record.announce = announce ?? record.announce;
        record.alive = (await attacker.get(aliveKey(run))) ?? record.alive;
        for (const key of await attacker.keys(`${PREFIX}:${queueName(run)}:j*`)) {
          const data = await attacker.hget(key, "data").catch(() => null);
          if (data !== null) record.jobs.set(key.slice(key.lastIndexOf(":") + 1), data);
        }
      }
      await sleep(30);
    }
  })().catch(() => record.stop());
  return record;
}

// the scenarios go on at once (one server, each run served only by its own workers: --archive-root)
test("A1-A5, A7-A11, E33, E35: Redis under attack, and bad options", { concurrency: true, timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "a"));
  mkdirSync(join(dir, "b"));
  await Promise.all([
    t.test("A7, A10, A11, E33, E35: bad timers, keys, URLs, CA files and databases end at start with one line, exit 2, no password shown", () => badOptions(t)),
    t.test("A1, A2, A3, A8: forged failures and results, a malformed event, a removed job, a paused queue, a huge unsigned job: the run completes; A4, A5: replayed, it serves nothing", async () => {
      const output = join(dir, "a", "out");
      const recording = eavesdrop(output);
      t.after(() => recording.stop());
      // five slices, two iterations; no worker yet, so that its jobs wait in Redis while the attacker
      // works on them
      const run = spawnCli(t, ["run", "--json", "--redis", withUnneededPassword, "--points", "6", "--max-iterations", "2", "--no-reference", "--output", output]);
      const id = await until("the run's announcement", async () => (recording.announce === undefined ? undefined : recording.run));
      const queue = `${PREFIX}:${queueName(id)}`;
      const waiting = await until("two waiting jobs", async () => {
        const ids = await attacker.zrange(`${queue}:prioritized`, 0, -1);
        return ids.length >= 2 ? ids : undefined;
      }, 20_000, () => `; driver: ${run.stderr}`);
      const [victim, removed] = waiting as [string, string];
      // A1: a forged failure with escapes and a second line, then a flood of forged results
      await attacker.xadd(`${queue}:events`, "*", "event", "failed", "jobId", victim, "failedReason", "\u001b[31mforged failure\nsecond line", "prev", "active");
      for (let i = 0; i < 30; i++) {
        await attacker.xadd(`${queue}:events`, "*", "event", "completed", "jobId", waiting[i % waiting.length]!, "returnvalue", JSON.stringify(JSON.stringify({ output: "[]", sig: "forged" })));
      }
      // A2: an event BullMQ cannot parse ends its read loop
      await attacker.xadd(`${queue}:events`, "*", "event", "completed", "jobId", "nobody", "returnvalue", "not json");
      // A3: a waiting job removed, the queue paused
      await attacker.zrem(`${queue}:prioritized`, removed);
      await attacker.del(`${queue}:${removed}`);
      const connection = attacker.duplicate();
      const bull = new Queue(queueName(id), { connection, prefix: PREFIX });
      try {
        // A8: a job bigger than any worker accepts, refused before its signature is computed
        await bull.add("solve", { payload: "x".repeat(MAX_MESSAGE_CHARS + 1), sig: "forged" }, { jobId: "huge" });
        await bull.pause();
      } finally {
        await bull.close();
        connection.disconnect();
      }
      // served by a worker given a password the server does not need (A11): one warning, no ioredis [WARN]
      const worker = await startWorker(t, withUnneededPassword, ["--archive-root", join(dir, "a")]);
      assert.equal(await run.exited, 0, run.stderr);
      recording.stop();
      assert.equal((JSON.parse(run.stdout) as RunReport).iterations, 2);
      assert.equal((JSON.parse(readFileSync(join(output, "run.json"), "utf8")) as { status: string }).status, "not converged");
      await worker.waitFor(new RegExp(`job huge of run ${id} refused: job data is ${MAX_MESSAGE_CHARS + 1} characters long; at most ${MAX_MESSAGE_CHARS} are accepted`), 10_000);
      assert.doesNotMatch(run.stderr, /forged|second line|\u001b|no job started/);
      assert.equal(count(run.stderr, /ignored a result or failure that no worker holding the run's key signed/), 1, run.stderr);
      assert.equal(count(run.stderr, /its Redis queue was paused \(by another client\); resumed it/), 1, run.stderr);
      assert.equal(count(run.stderr, /a job vanished from Redis; put it back/), 1, run.stderr);
      for (const p of [run, worker]) {
        assert.equal(count(p.stderr, /requires no password: the one in the URL is not used/), 1, p.stderr);
        assert.doesNotMatch(p.stderr, /\[WARN\]|not-needed/);
      }
      await worker.waitFor(new RegExp(`run ${id} ended`), 15_000);
      assert.equal(worker.child.exitCode, null, "the worker goes on serving");
      await replay(t, recording, worker, output);
    }),
    t.test("A9: workers stopped by SIGTERM (once: after the grace; twice: at once) mid-command remove their exchange files", async () => {
      const root = join(dir, "b");
      const workers = await Promise.all([0, 1].map(() => startWorker(t, redis.url, ["--allow-commands", "--archive-root", root])));
      const run = spawnCli(t, ["run", "--redis", redis.url, "--points", "3", "--no-reference", "--fine-cmd", "sleep 30; cp {in} {out}", "--output", join(root, "out")]);
      const io = join(root, "out", "io");
      const mine = (w: Proc) => (name: string) => name.includes(`-${w.child.pid}-`);
      // both fine jobs of iteration 0 running, one in each worker, each with its {in} file written
      await until("a command in each worker", async () => {
        const names = (() => {
          try {
            return readdirSync(io);
          } catch {
            return [];
          }
        })();
        return workers.every((w) => names.some(mine(w))) ? true : undefined;
      });
      const [graceful, hasty] = workers as [Proc, Proc];
      graceful.child.kill("SIGTERM");
      hasty.child.kill("SIGTERM");
      await hasty.waitFor(/worker: SIGTERM, finishing the jobs in hand/, 5000);
      hasty.child.kill("SIGTERM");
      assert.equal(await hasty.exited, 143, hasty.stderr);
      assert.equal(await graceful.exited, 0, graceful.stderr);
      const left = readdirSync(io);
      for (const w of workers) assert.deepEqual(left.filter(mine(w)), [], `exchange files of worker ${w.child.pid}`);
      run.child.kill("SIGINT");
      assert.notEqual(await run.exited, 0);
    }),
  ]);
});

/**
 * A4, A5: a finished run's recorded messages, replayed, serve nothing: not to a worker that saw it
 * end, nor with a heartbeat older than its timeout (as a replayed heartbeat always becomes).
 */
async function replay(t: TestContext, recording: Recording, worker: Proc, output: string): Promise<void> {
  assert.ok(recording.run && recording.announce && recording.alive, "run A was recorded");
  const run = recording.run;
  assert.ok(recording.jobs.size > 0, "jobs recorded");
  const start = recording.control.find((m) => m.includes('"start"') && m.includes(run));
  assert.ok(start, "the run's signed start message was recorded");
  const files = () => readdirSync(join(output, "parareal")).map((name) => `${name} ${statSync(join(output, "parareal", name)).mtimeMs}`);
  const before = files();
  // the whole run as it was: announcement, heartbeat (seconds old), every job, the start message
  await attacker.set(announceKey(run), recording.announce);
  await attacker.set(aliveKey(run), recording.alive, "PX", HEARTBEAT_TIMEOUT_MS);
  await attacker.sadd(RUNS_KEY, run);
  // whatever fails below, the replayed run is not left for the next test to find
  t.after(async () => {
    await attacker.srem(RUNS_KEY, run);
    await deleteRunKeys(attacker, run);
  });
  const connection = attacker.duplicate();
  const bull = new Queue(queueName(run), { connection, prefix: PREFIX });
  try {
    for (const [jobId, data] of recording.jobs) await bull.add("solve", JSON.parse(data) as object, { jobId });
  } finally {
    await bull.close();
    connection.disconnect();
  }
  await attacker.publish(CONTROL_CHANNEL, start);
  // a control message the worker reads after the replayed one: once it answers, the replay was handled
  await attacker.publish(CONTROL_CHANNEL, sealControl(signer, { type: "start", run: "probe" }));
  await worker.waitFor(/not serving run probe/, 15_000);
  assert.equal(count(worker.stderr, new RegExp(`attached to run ${run}\\b`)), 1, "the worker that saw the run end does not serve it again");
  // a worker that did not see it end: the heartbeat, as recorded more than a timeout ago (A5: a
  // replayed heartbeat keeps nothing alive), is refused
  const stale = (await redisTime(attacker)) - HEARTBEAT_TIMEOUT_MS - 1000;
  await attacker.set(aliveKey(run), sealHeartbeat(signer, run, stale), "PX", HEARTBEAT_TIMEOUT_MS);
  const fresh = await startWorker(t, redis.url, ["--archive-root", dirname(output)]);
  await fresh.waitFor(new RegExp(`not serving run ${run}: its heartbeat is (1[6-9]|[2-9]\\d) s old \\(its driver is gone, or its messages are replayed\\)`), 15_000);
  assert.doesNotMatch(fresh.stderr, new RegExp(`attached to run ${run}\\b`));
  assert.deepEqual(files(), before, "run A's files untouched");
  for (const p of [worker, fresh]) p.child.kill("SIGKILL");
  await Promise.all([worker.exited, fresh.exited]);
}

test("A6: a run failed by a Redis outage, with Redis back during its shutdown, leaves nothing in Redis", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const run = spawnCli(t, ["run", "--redis", redis.url, "--redis-outage", "0.5", "--points", "3", "--no-reference", "--output", dir]);
  // this driver's run (its id holds the pid), not what an earlier test may have left in the set
  const id = await until("the run", async () => (await attacker.smembers(RUNS_KEY)).find((r) => r.includes(`-${run.child.pid}-`)));
  // Redis refuses every client for a while: the run fails after 0.5 s, and its shutdown waits
  await attacker.config("SET", "maxclients", "1");
  await attacker.client("KILL", "TYPE", "normal", "SKIPME", "yes");
  await attacker.client("KILL", "TYPE", "pubsub");
  await sleep(1500);
  await attacker.config("SET", "maxclients", "10000");
  assert.equal(await run.exited, 1, run.stderr);
  assert.match(run.stderr, /lost the connection to Redis at \S+ for 0\.5 s/);
  assert.ok(!(await attacker.smembers(RUNS_KEY)).includes(id), `run ${id} left in the set of runs`);
  assert.deepEqual(await attacker.keys(`${PREFIX}:${queueName(id)}:*`), []);
});
