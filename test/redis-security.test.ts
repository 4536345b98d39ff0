/** Redis security: ACL users and passwords in the URL, TLS with a CA of one's own. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import { freePort, runCli, spawnCli, startRedis, tempDir } from "./helpers.js";

function oneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
}

/** What the connection carries is the point here, not the run: two iterations over five slices, every job through Redis. */
const SHORT = ["--points", "6", "--tol", "0", "--max-iterations", "2", "--no-reference"];

test("an ACL user with a password in the URL runs a run; wrong credentials get one line", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t, { user: "alice", password: "s3cret-pw" });
  assert.match(redis.url, /^redis:\/\/alice:s3cret-pw@127\.0\.0\.1:\d+$/);
  const worker = spawnCli(t, ["worker", "--concurrency", "2", "--log", "info"], { PARAREAL_REDIS: redis.url });
  await worker.waitFor(/worker: serving/);
  const r = await runCli(["run", "--redis", redis.url, ...SHORT, "--json", "--output", join(dir, "ok")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunReport).iterations, 2);
  assert.doesNotMatch(worker.stderr, /s3cret-pw/, "the password never appears in logs");
  const base = `127.0.0.1:${redis.port}`;
  const wrong = await runCli(["run", "--redis", `redis://alice:wrong@${base}`, "--output", join(dir, "a")]);
  assert.equal(wrong.code, 1);
  oneLine(wrong.stderr, /^parareal: cannot reach Redis at redis:\/\/alice:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS invalid username-password pair or user is disabled\.\n$/);
  const nobody = await runCli(["run", "--redis", `redis://mallory:s3cret-pw@${base}`, "--output", join(dir, "b")]);
  assert.equal(nobody.code, 1);
  oneLine(nobody.stderr, /WRONGPASS/);
  const anonymous = await runCli(["run", "--redis", `redis://${base}`, "--output", join(dir, "c")]);
  assert.equal(anonymous.code, 1);
  oneLine(anonymous.stderr, /^parareal: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/?: NOAUTH Authentication required\.\n$/);
  worker.child.kill("SIGTERM");
  assert.equal(await worker.exited, 0);
  assert.deepEqual(redis.keys(), [], "nothing of ours is left");
});

test("TLS: rediss:// with --redis-ca runs a run; an unknown CA or plain redis:// to a TLS port gets one line", async (t) => {
  const dir = tempDir(t);
  const pem = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pem("ca.key"), "-out", pem("ca.crt"), "-days", "2", "-subj", "/CN=parareal test CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", pem("server.key"), "-out", pem("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(pem("ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl("x509", "-req", "-in", pem("server.csr"), "-CA", pem("ca.crt"), "-CAkey", pem("ca.key"), "-CAcreateserial", "-out", pem("server.crt"), "-days", "2", "-extfile", pem("ext"));
  const tlsPort = await freePort();
  const redis = await startRedis(t, {
    password: "tls-pw",
    config: [`tls-port ${tlsPort}`, `tls-cert-file ${pem("server.crt")}`, `tls-key-file ${pem("server.key")}`, `tls-ca-cert-file ${pem("ca.crt")}`, "tls-auth-clients no"],
  });
  const url = `rediss://:tls-pw@127.0.0.1:${tlsPort}`;
  const worker = spawnCli(t, ["worker", "--redis", url, "--redis-ca", pem("ca.crt"), "--concurrency", "2", "--log", "info"]);
  await worker.waitFor(/worker: serving/);
  const r = await runCli(["run", "--redis", url, "--redis-ca", pem("ca.crt"), ...SHORT, "--json", "--output", join(dir, "ok")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunReport).iterations, 2);
  const untrusted = await runCli(["run", "--redis", url, "--output", join(dir, "a")]);
  assert.equal(untrusted.code, 1);
  oneLine(untrusted.stderr, /^parareal: cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: self-signed certificate in certificate chain\n$/);
  const plain = await runCli(["run", "--redis", `redis://:tls-pw@127.0.0.1:${tlsPort}`, "--output", join(dir, "b")]);
  assert.equal(plain.code, 1);
  oneLine(plain.stderr, /^parareal: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*\(a TLS port\? use rediss:\/\/\)\n$/);
  worker.child.kill("SIGTERM");
  assert.equal(await worker.exited, 0);
  assert.deepEqual(redis.keys(), []);
});
