/** Black-box solvers: external programs as the fine and coarse solvers, through HDF5 files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import { python, repoRoot, runCli, runPythonCode, startRedis, startWorker, tempDir } from "./helpers.js";

const script = join(repoRoot, "examples", "blackbox", "oscillator.py");
const nodeScript = join(repoRoot, "examples", "blackbox", "oscillator.mjs");
// three slices (t = 0, 0.4, 0.8, 1.2): each job of a command is a process (Node with h5wasm ~0.4 s, Python ~0.2 s)
const small = ["--t-end", "1.2", "--points", "4", "--tol", "1e-3", "--json"];

test("the example black-box solvers (Node as fine, Python as coarse) give the built-in solvers' run, to round-off", async (t) => {
  const dir = tempDir(t);
  const a = await runCli(["run", ...small, "--output", join(dir, "built-in")]);
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli([
    "run",
    ...small,
    "--output",
    join(dir, "black-box"),
    "--fine-cmd",
    `${process.execPath} ${nodeScript} {in} {out} {t0} {t1} {h}`,
    "--coarse-cmd",
    `${python} ${script} {in} {out} {t0} {t1} {h}`,
  ]);
  assert.equal(b.code, 0, b.stderr);
  const [x, y] = [JSON.parse(a.stdout) as RunReport, JSON.parse(b.stdout) as RunReport];
  assert.equal(y.converged, true);
  assert.equal(y.iterations, x.iterations);
  y.maxdif.forEach((d, i) => assert.ok(Math.abs(d - x.maxdif[i]!) <= 1e-12 * x.maxdif[i]!, `maxdif ${i}: ${d} vs ${x.maxdif[i]}`));
  y.final.forEach((s, i) => s.forEach((v, j) => assert.ok(Math.abs(v - x.final[i]![j]!) <= 1e-13, `final ${i}`)));
  y.reference!.forEach((s, i) => s.forEach((v, j) => assert.ok(Math.abs(v - x.reference![i]![j]!) <= 1e-13, `reference ${i}`)));
  // the archive holds the program's whole trajectories, with the original's attributes; no exchange files are left
  const second = readdirSync(join(dir, "black-box", "euler")).sort()[1]!;
  const file = join(dir, "black-box", "euler", second);
  const info = JSON.parse(
    runPythonCode("import h5py,json,sys; f=h5py.File(sys.argv[1]); d=f['data']; print(json.dumps([list(d.shape), float(d.attrs['t0']), float(d.attrs['t1']), int(d.attrs['n'])]))", [file]),
  ) as [number[], number, number, number];
  const n = Math.ceil((x.t[2]! - x.t[1]!) / 0.01);
  assert.deepEqual(info, [[n + 1, 2], x.t[1], x.t[2], n]);
  assert.deepEqual(readdirSync(join(dir, "black-box", "io")), []);
});

test("a failing black-box command fails the run with one line holding its last stderr lines", async (t) => {
  const dir = tempDir(t);
  const failing = await runCli(["run", "--output", join(dir, "failing"), "--fine-cmd", "echo first >&2; echo 'boom: no licence' >&2; exit 3 # {in} {out}"]);
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /^parareal: fine job of iteration 0, slice 1 \(t = 0 to 0\.789\S*\) failed: fine command exited with code 3: .* \| stderr: first \| boom: no licence\n$/);
  const silent = await runCli(["run", "--output", join(dir, "silent"), "--fine-cmd", "true {in} {out}"]);
  assert.equal(silent.code, 1);
  assert.match(silent.stderr, /^parareal: fine job of iteration 0, slice 1 \(t = 0 to 0\.789\S*\) failed: fine command exited 0 but wrote no \{out\} file \(\S+-out\.h5\)\n$/);
  const wrongShape = await runCli(["run", "--output", join(dir, "shape"), "--coarse-cmd", `${python} -c "import h5py,sys; h5py.File(sys.argv[1],'w')['data']=[1.0,2.0,3.0]" {out} {in}`]);
  assert.equal(wrongShape.code, 1);
  assert.match(wrongShape.stderr, /^parareal: coarse job of iteration 0, slice 1 \(t = 0 to 0\.789\S*\) failed: coarse command: dataset `data` of \{out\} has shape \[3\]; expected \[2\] or \[rows, 2\]\n$/);
  for (const [template, message] of [
    ["solve {in}", "the template must contain {out}"],
    ["solve {in} {out} {dt}", "unknown placeholder {dt} (allowed: {in}, {out}, {t0}, {t1}, {iter}, {h})"],
  ] as const) {
    const bad = await runCli(["run", "--output", dir, "--fine-cmd", template]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `parareal: option '--fine-cmd <template>' argument '${template}' is invalid. ${message}.\n`);
  }
});

test("when the run converges, black-box commands still running are killed with their children", async (t) => {
  const dir = tempDir(t);
  const marker = `parareal-test-sleeper-${process.pid}`;
  // iteration 2 onwards never finishes on its own; the run converges at iteration 1 (tol 10)
  const template = `if [ {iter} -ge 2 ]; then exec -a ${marker} sleep 60; fi; ${python} ${script} {in} {out} {t0} {t1} {h}`;
  const started = Date.now();
  const r = await runCli(["run", "--t-end", "2", "--points", "6", "--tol", "10", "--workers", "2", "--json", "--output", dir, "--fine-cmd", template]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunReport).iterations, 1);
  assert.ok(Date.now() - started < 30_000);
  const left = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith(marker));
  assert.deepEqual(left, []);
});

test("a Redis worker runs solver commands only when started with --allow-commands", async (t) => {
  const dir = tempDir(t);
  const redis = await startRedis(t);
  const careful = await startWorker(t, redis.url);
  const template = `${python} ${script} {in} {out} {t0} {t1} {h}`;
  const refused = await runCli(["run", "--redis", redis.url, "--attempts", "1", "--output", join(dir, "a"), "--fine-cmd", template]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /this worker does not run solver commands \(.*oscillator\.py \{in\} \{out\} \{t0\} \{t1\} \{h\}\); start it with --allow-commands\n$/);
  careful.child.kill("SIGTERM");
  await careful.exited;
  const trusting = await startWorker(t, redis.url, ["--allow-commands"]);
  const ok = await runCli(["run", "--redis", redis.url, ...small, "--output", join(dir, "b"), "--fine-cmd", template]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as RunReport).converged, true);
  trusting.child.kill("SIGTERM");
  await trusting.exited;
});
