/** Hostile input to workers: payloads checked against a schema, paths confined to the run's root. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { encode } from "../src/expr/codec.js";
import { literal, H5Snap } from "../src/expr/vector.js";
import { index } from "../src/ndarray/indexing.js";
import { checkPayload } from "../src/jobs/payload-schema.js";
import { makePayload } from "../src/jobs/payload.js";
import { PREFIX, queueName } from "../src/exec/redis/keys.js";
import { openFailure, sealJob } from "../src/exec/redis/messages.js";
import { Signer } from "../src/exec/redis/signing.js";
import type { RunReport } from "../src/parareal/driver.js";
import { coarseSpec, fineSpec } from "../src/solvers/spec.js";
import { runCli, startRedis, startWorker, tempDir, TEST_KEY } from "./helpers.js";
import { announceSignedRun, type SignedRun } from "./signed-run.js";

const problem = { name: "harmonic", params: { omega0: 1, zeta: 0.5 } };
// a real directory: confinement resolves symbolic links, so the root must exist
const root = mkdtempSync(join(tmpdir(), "parareal-payload-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const good = () => JSON.parse(JSON.stringify(makePayload(fineSpec(problem, 1, { h: 0.01, archive: `${root}/parareal` }), literal([1, 0]), 0, 0.5))) as Record<string, unknown>;

/** What is wrong with a payload, as the worker says it. */
function refusal(payload: unknown): string {
  try {
    checkPayload(payload, root);
  } catch (e) {
    return (e as Error).message;
  }
  return "accepted";
}

test("payloads are checked against the schema: wrong types, unknown operations and methods, oversized arrays", () => {
  assert.equal(refusal(good()), "accepted");
  assert.equal(refusal(makePayload(coarseSpec(problem, 0), literal([1, 0]), 0, 0.5)), "accepted");
  const with_ = (change: (p: Record<string, unknown> & { solver: Record<string, unknown> }) => void) => {
    const p = good() as Record<string, unknown> & { solver: Record<string, unknown> };
    change(p);
    return refusal(p);
  };
  assert.match(refusal(null), /^malformed job payload: payload: Invalid type: Expected Object but received null$/);
  assert.match(with_((p) => (p.t0 = "0")), /^malformed job payload: t0: Invalid type: Expected number but received "0"$/);
  assert.match(with_((p) => (p.t1 = Number.NaN)), /^malformed job payload: t1: /);
  assert.match(with_((p) => (p.solver.kind = "medium")), /^malformed job payload: solver\.kind: /);
  assert.match(with_((p) => (p.solver.method = "leapfrog")), /^malformed job payload: solver\.method: Invalid type: Expected \("euler" \| "rk4" \| "dopri5" \| "backward-euler"\)/);
  assert.match(with_((p) => (p.solver.saveEvery = 0)), /^malformed job payload: solver\.saveEvery: /);
  assert.match(with_((p) => (p.solver.h = -1)), /^malformed job payload: solver\.h: /);
  assert.match(with_((p) => (p.solver.extra = 1)), /^malformed job payload: solver\.extra: /);
  assert.match(with_((p) => (p.solver.problem = { name: "harmonic", params: { "__proto__ x": 1 } })), /^malformed job payload: solver\.problem\.params/);
  assert.match(with_((p) => (p.input = { op: "exec", command: "rm -rf /" })), /^malformed job payload: input: unknown expression operation "exec"/);
  assert.match(with_((p) => (p.input = { op: "literal", value: new Array((1 << 24) + 1).fill(0) })), /^malformed job payload: input: literal of \d+ numbers exceeds the limit of 16777216/);
  assert.match(with_((p) => (p.hints = [["k", new Array(5000).fill(1)]])), /^malformed job payload: hints\.0\.1: Invalid length: Expected <=4096 but received 5000$/);
  assert.match(with_((p) => (p.solver.name = "../evil")), /^malformed job payload: solver\.name: /);
});

test("every path in a payload is confined to the run's archive root", () => {
  const at = (archive: string) => refusal({ ...good(), solver: { ...(good().solver as object), archive } });
  assert.equal(at(`${root}/elsewhere/deeper`), "accepted");
  assert.equal(at("/etc"), `archive \`/etc\` is outside the run's archive root ${root}`);
  assert.equal(at(`${root}/../../etc`), `archive \`${root}/../../etc\` is not an absolute, normalised path`);
  assert.equal(at("relative/dir"), "archive `relative/dir` is not an absolute, normalised path");
  assert.equal(at(`${root}-other`), `archive \`${root}-other\` is outside the run's archive root ${root}`);
  const snap = { ...good(), input: encode(new H5Snap("/home/someone/.ssh/id_rsa.h5", "data", index(-1))) };
  assert.equal(refusal(snap), `snapshot file \`/home/someone/.ssh/id_rsa.h5\` is outside the run's archive root ${root}`);
  const cmd = { ...good(), solver: { ...(good().solver as object), command: { template: "x {in} {out}", workdir: "/tmp" } } };
  assert.equal(refusal(cmd), `command directory \`/tmp\` is outside the run's archive root ${root}`);
});

test("a Redis worker refuses malformed and hostile jobs one by one, without retries, and goes on serving", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const worker = await startWorker(t, redis.url);
  // a run of someone else's making, announced as the driver does
  const run = "hostile-1";
  // announced (and kept beating) with the key, as a driver does: the payloads themselves are hostile
  const signer = Signer.fromText(TEST_KEY, "test key");
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  mkdirSync(join(dir, "hostile"));
  const hostile: SignedRun = await announceSignedRun(client, signer, run, join(dir, "hostile"));
  await worker.waitFor(/attached to run hostile-1/);
  const connections = [new Redis(redis.url, { maxRetriesPerRequest: null }), new Redis(redis.url, { maxRetriesPerRequest: null })];
  const queue = new Queue(queueName(run), { connection: connections[0]!, prefix: PREFIX });
  const events = new QueueEvents(queueName(run), { connection: connections[1]!, prefix: PREFIX });
  try {
    await hostileJobs();
  } finally {
    // before the server stops (after-hooks run first to last): closed clients do not reconnect forever
    await hostile.end();
    await queue.close();
    await events.close();
    client.disconnect();
    for (const c of connections) c.disconnect(); // BullMQ leaves connections it was given open
  }
  async function hostileJobs(): Promise<void> {
  await events.waitUntilReady();
  const outside = join(dir, "outside");
  const bad: [string, unknown, RegExp][] = [
    ["garbage", "not a payload", /malformed job payload: payload: Invalid type: Expected Object/],
    ["operation", { ...good(), solver: { ...(good().solver as object), archive: join(dir, "hostile") }, input: { op: "eval", code: "1" } }, /unknown expression operation "eval"/],
    ["escape", { ...good(), solver: { ...(good().solver as object), archive: outside } }, /is outside the run's archive root/],
    ["traversal", { ...good(), solver: { ...(good().solver as object), archive: `${join(dir, "hostile")}/../outside` } }, /is not an absolute, normalised path/],
    [
      "module",
      { ...good(), solver: { ...(good().solver as object), archive: join(dir, "hostile"), problem: { name: "evil", params: {}, module: "file:///tmp/evil.mjs" } } },
      /job names problem module file:\/\/\/tmp\/evil\.mjs, which its run did not announce/,
    ],
  ];
  for (const [name, data, reason] of bad) {
    const jobId = `hostile-${name}`;
    const job = await queue.add(name, sealJob(signer, run, jobId, data), { attempts: 3, jobId });
    const failed = await new Promise<string>((resolve, reject) => {
      setTimeout(() => reject(new Error(`job ${name} did not fail in time; worker said: ${worker.stderr.slice(-2000)}`)), 15_000);
      const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
        if (jobId === job.id) {
          events.off("failed", onFailed);
          resolve(failedReason);
        }
      };
      events.on("failed", onFailed);
    });
    // the job was signed: the worker signs why it failed, for the driver to believe it
    assert.match(openFailure(signer, run, jobId, failed) ?? `unsigned: ${failed}`, reason, name);
    const state = await queue.getJob(job.id!);
    assert.equal(state?.attemptsMade, 1, `${name}: not retried`);
  }
  assert.equal(existsSync(outside), false, "nothing was written outside the root");
  }
  // the same worker then serves a real run to the end
  const r = await runCli(["run", "--redis", redis.url, "--json", "--output", join(dir, "real")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunReport).iterations, 14);
  assert.equal(worker.child.exitCode, null, "the worker is still running");
  assert.match(worker.stderr, /job hostile-garbage of run hostile-1 refused: malformed job payload/);
});
