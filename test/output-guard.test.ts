/**
 * The output directory, its lock and the files the commands write, as the attack report (B.12-B.21,
 * C.22, C.23, C.28, E.37, E.39) broke them: each case reproduces its attack with real processes,
 * files, FIFOs and filesystem limits, and asserts the exact outcome (exit code, one line, nothing
 * left behind). Cases run side by side within a test: most are short refusals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { cliPath, repoRoot, tempDir } from "./helpers.js";
import { rootProblem } from "../src/jobs/confine.js";
import { loadHdf5, readDataset, writeHdf5, type AttributeValue } from "../src/archive/hdf5.js";
import { takeLock } from "../src/cli/dir-lock.js";
import type { RunLayout } from "../src/archive/layout.js";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI (optionally under a command such as prlimit), stdout to a pipe or to the fd given. */
function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdout?: number; prefix?: readonly string[]; timeoutMs?: number } = {}): Promise<Result> {
  const [command, ...rest] = [...(options.prefix ?? []), process.execPath, cliPath, ...args];
  const child = spawn(command!, rest, { env: options.env ?? process.env, stdio: ["ignore", options.stdout ?? "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function oneLine(r: Result, code: number, pattern: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.equal(r.stderr.trim().split("\n").length, 1, `${what}: one line: ${r.stderr}`);
}

const SMALL = ["--points", "4", "--h", "0.05"];
const record = (dir: string) => JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { status: string; error?: string };
const lockOf = (dir: string): RunLayout => ({ lock: join(dir, ".parareal.lock") }) as RunLayout;

/** A pid no process has: one that just exited. */
function deadPid(): number {
  const pid = Number(execFileSync("sh", ["-c", "sh -c 'echo $$'"], { encoding: "utf8" }).trim());
  assert.throws(() => process.kill(pid, 0));
  return pid;
}

test("B.12, B.13, B.39: a stale lock is taken over by exactly one of two racing drivers; a live one is refused with how to remove it", async (t) => {
  const dir = tempDir(t);
  const dead = deadPid();
  // B.12: two processes take the same stale lock at the same instant, 4 times over
  // each holds what it won until the test has heard from both (stdin closed): a late starter never finds it released
  const racer = `const { takeLock } = await import(${JSON.stringify(join(repoRoot, "dist/src/cli/dir-lock.js"))});
    const [dir, at] = [process.argv[1], Number(process.argv[2])];
    while (Date.now() < at);
    let lock;
    try { lock = takeLock({ lock: dir + "/.parareal.lock" }, dir); console.log("won"); }
    catch (e) { console.log("lost: " + e.message); }
    process.stdin.resume().once("end", () => lock?.release());`;
  const at = Date.now() + 1000;
  const trials = Array.from({ length: 4 }, (_, i) => {
    const d = join(dir, `race-${i}`);
    mkdirSync(d);
    writeFileSync(join(d, ".parareal.lock"), JSON.stringify({ host: hostname(), pid: dead, started: new Date().toISOString() }));
    return Promise.all([racerOutcome(racer, d, at), racerOutcome(racer, d, at)]);
  });
  const outcomes = await Promise.all(trials);
  for (const pair of outcomes) for (const o of pair) o.release();
  for (const [a, b] of outcomes.map((pair) => pair.map((o) => o.line))) {
    assert.equal([a, b].filter((o) => o === "won").length, 1, `exactly one winner: ${a} / ${b}`);
    assert.match(a === "won" ? b! : a!, /^lost: output directory .* is in use by a run in progress \(pid \d+ on .*\); if no run uses it any more, remove \S+\.parareal\.lock$/);
  }
  // B.13: pid 1 always runs, but a lock naming another start time is not its; without a start time it is refused, saying how to remove it
  const reused = join(dir, "reused");
  mkdirSync(reused);
  writeFileSync(join(reused, ".parareal.lock"), JSON.stringify({ host: hostname(), pid: 1, started: "2020-01-01T00:00:00Z", start: "1" }));
  takeLock(lockOf(reused), reused).release();
  writeFileSync(join(reused, ".parareal.lock"), JSON.stringify({ host: hostname(), pid: 1 }));
  assert.throws(() => takeLock(lockOf(reused), reused), /is in use by a run in progress \(pid 1 on .*\); if no run uses it any more, remove \S+reused\/\.parareal\.lock$/);
  // B.39: an empty lock (a driver killed between creating and writing it) is refused while it may be being written, taken over once old
  const empty = join(dir, "empty");
  mkdirSync(empty);
  writeFileSync(join(empty, ".parareal.lock"), "");
  assert.throws(() => takeLock(lockOf(empty), empty), /another driver, whose lock is empty or damaged\); if no run uses it any more, remove/);
  const old = new Date(Date.now() - 60_000);
  utimesSync(join(empty, ".parareal.lock"), old, old);
  const r = await cli(["run", ...SMALL, "--output", empty, "--resume"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(join(empty, ".parareal.lock")), false, "released at the end");
});

/** A racer's first line, and how to let it go (it holds a lock it won until then). */
function racerOutcome(code: string, dir: string, at: number): Promise<{ line: string; release(): void }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", code, dir, String(at)], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  return new Promise((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve({ line: out.split("\n")[0]!, release: () => child.stdin.end() });
    });
    child.once("close", (c) => resolve({ line: `exited ${c}: ${out}`, release: () => undefined }));
  });
}

test("B.14, B.16, B.15: FIFOs in a run directory are refused at once; many attributes read in linear time; slices sharing a file name are refused", async (t) => {
  const dir = tempDir(t);
  const base = join(dir, "base");
  assert.equal((await cli(["run", ...SMALL, "--output", base])).code, 0);
  const fifoRun = join(dir, "fifo-run");
  mkdirSync(fifoRun);
  execFileSync("mkfifo", [join(fifoRun, "run.json")]);
  const fifoLock = join(dir, "fifo-lock");
  mkdirSync(fifoLock);
  execFileSync("mkfifo", [join(fifoLock, ".parareal.lock")]);
  const fifoFine = join(dir, "fifo-fine");
  cpSync(base, fifoFine, { recursive: true });
  rmSync(join(fifoFine, "euler", "fine-0000-005000-010000.h5"));
  execFileSync("mkfifo", [join(fifoFine, "euler", "fine-0000-005000-010000.h5")]);
  const [inspect, run, resume, combine, clash] = await Promise.all([
    cli(["inspect", fifoRun], { timeoutMs: 15_000 }),
    cli(["run", ...SMALL, "--output", fifoLock], { timeoutMs: 15_000 }),
    cli(["run", ...SMALL, "--output", fifoRun, "--resume"], { timeoutMs: 15_000 }),
    cli(["combine", join(fifoFine, "euler")], { timeoutMs: 15_000 }),
    cli(["run", "--t-end", "0.001", "--h", "1e-6", "--points", "20", "--output", join(dir, "clash")]),
  ]);
  assert.equal(inspect.code, 1, `inspect, run.json a FIFO: ${inspect.stderr}`);
  assert.match(inspect.stdout, /problem: \S+run\.json: not a regular file \(a FIFO\); remove it or give another path\n/);
  oneLine(run, 2, /\.parareal\.lock is a FIFO; a run reads and writes only files and directories there/, "run, the lock a FIFO");
  oneLine(resume, 2, /^parareal: output directory `\S+\/fifo-run`: run\.json is a FIFO; a run reads and writes only files and directories there \(remove it\)\n$/, "run --resume, run.json a FIFO");
  oneLine(combine, 1, /fine-0000-005000-010000\.h5: not a readable fine file .*not a regular file \(a FIFO\)/, "combine, a fine file a FIFO");
  oneLine(clash, 2, /^parareal: --points 20 over --t-end 0\.001: slice 1 \(t = 0 to \S+\) is shorter than the 1 ms that fine file names resolve/, "B.15");
  assert.equal(existsSync(join(dir, "clash")), false);
  // B.16: 20,000 attributes besides the five a fine file has (before: minutes, quadratic)
  await loadHdf5();
  const attributes: Record<string, AttributeValue> = { t0: { dtype: "float64", value: 0 }, t1: { dtype: "float64", value: 5 }, h: { dtype: "float64", value: 1.25 }, n: { dtype: "int64", value: 4 }, stride: { dtype: "int64", value: 1 } };
  for (let i = 0; i < 20_000; i++) attributes[`junk${i}`] = { dtype: "float64", value: i };
  const many = join(dir, "many.h5");
  writeHdf5(many, [{ name: "data", data: new Float64Array(10), shape: [5, 2], attributes }]);
  const started = performance.now();
  const read = readDataset(many, "data");
  assert.deepEqual(Object.keys(read.attributes).sort(), ["h", "n", "stride", "t0", "t1"]);
  assert.ok(performance.now() - started < 5000, `read in ${performance.now() - started} ms`);
});

test("B.17, B.18, C.28: results that cannot be written fail the command naming the file; a log file that cannot be written fails nothing", async (t) => {
  const dir = tempDir(t);
  const base = join(dir, "base");
  assert.equal((await cli(["run", ...SMALL, "--output", base])).code, 0);
  // B.17: a file size limit between the largest other file and the final run.json (its job
  // records make it the largest): the run computes everything, then cannot record it
  const size = (name: string) => statSync(join(base, name)).size;
  const others = Math.max(size("events.jsonl"), size("result.h5"), ...readdirSync(join(base, "euler")).map((f) => size(join("euler", f))));
  assert.ok(size("run.json") - others > 1000, `calibration: run.json ${size("run.json")} bytes, others up to ${others}`);
  const limit = Math.floor((others + size("run.json")) / 2);
  const full = join(dir, "full");
  const resultDir = join(dir, "result-dir");
  mkdirSync(join(resultDir, "result.h5"), { recursive: true });
  const devFull = openSync("/dev/full", "w");
  t.after(() => closeSync(devFull));
  const [fsize, result, combine, inspect, logFile] = await Promise.all([
    cli(["run", ...SMALL, "--output", full], { prefix: ["prlimit", `--fsize=${limit}`] }),
    cli(["run", ...SMALL, "--output", resultDir]),
    cli(["combine", join(base, "euler")], { stdout: devFull }),
    cli(["inspect", "--json", base], { stdout: devFull }),
    cli(["run", ...SMALL, "--max-iterations", "2", "--output", join(dir, "log"), "--log-file", "/dev/full"]),
  ]);
  oneLine(fsize, 1, /^parareal: cannot write \S+\/full\/run\.json: EFBIG \(the run ended not converged, but its record still says running\)\n$/, "final run.json");
  assert.equal(fsize.stdout, "", "no summary of a run that failed");
  assert.equal(record(full).status, "running");
  oneLine(result, 1, /^parareal: cannot write \S+\/result-dir\/result\.h5: EISDIR\n$/, "result.h5");
  assert.equal(record(resultDir).status, "failed");
  oneLine(combine, 1, /^parareal: cannot write the output to stdout: no space left on the device\n$/, "combine > /dev/full");
  oneLine(inspect, 1, /^parareal: cannot write the output to stdout: no space left on the device\n$/, "inspect --json > /dev/full");
  assert.equal(logFile.code, 0, logFile.stderr);
  assert.match(logFile.stderr, /^parareal: --log-file \/dev\/full: cannot append to it \(ENOSPC\); log lines that cannot be written there go to stderr\nWARNING:parareal:not converged after 2 iterations/);
  assert.equal(record(join(dir, "log")).status, "not converged");
});

test("C.22, C.23, B.21: bad options and system directories are refused before anything is written", async (t) => {
  const dir = tempDir(t);
  const taken = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => taken.once("listening", r));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const keyFile = join(dir, "key");
  writeFileSync(keyFile, "ab".repeat(32), { mode: 0o644 });
  const noKey = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PARAREAL_KEY")));
  const out = (name: string) => join(dir, name);
  const cases: [string[], number, RegExp, NodeJS.ProcessEnv?][] = [
    [["--dashboard", "abc", "--output", out("d1")], 2, /^parareal: --dashboard `abc` is not allowed: give a port from 0/],
    [["--dashboard", "0", "--dashboard-host", "203.0.113.5", "--output", out("d3")], 2, /^parareal: dashboard: cannot listen on 203\.0\.113\.5:0: no such address on this machine/],
    [["--dashboard", String(port), "--output", out("d4")], 1, new RegExp(`^parareal: dashboard: 127\\.0\\.0\\.1:${port} is in use`)],
    [["--redis", "http://127.0.0.1:1", "--output", out("r1")], 2, /^parareal: --redis: `http:\/\/127\.0\.0\.1:1\/?` is not a Redis URL/],
    [["--redis", "redis://127.0.0.1:1", "--output", out("r2")], 2, /^parareal: --redis needs the key it shares with its workers/, noKey],
    [["--redis", "redis://127.0.0.1:1", "--key-file", keyFile, "--output", out("r3")], 2, /^parareal: key file \S+ is readable by others \(mode 644\); chmod 600 it/, noKey],
    [["--redis", "redis://127.0.0.1:1", "--redis-ca", out("no-ca.pem"), "--output", out("r4")], 2, /^parareal: --redis-ca \S+no-ca\.pem: cannot read it \(ENOENT\)/],
  ];
  const systems = ["/var/log/parareal-test-x", "/root/.ssh/parareal-test-x"];
  // the same rule in process, for the other trees the report found open (workers judge their roots by it too)
  for (const o of ["/run/parareal-test-x", "/var/lib/dpkg/parareal-test-x", "/opt/parareal-test-x", "/srv/parareal-test-x", "/var/log"]) assert.match(rootProblem(o) ?? "", /system directory/, o);
  const outputs = [
    ["combine", out("base/euler"), "-o", "/nonexistent-dir/x.csv"],
    ["project", "--fine-cost", "1", "--coarse-cost", "0.1", "--points", "5", "--iterations", "2", "-o", "/nonexistent-dir/x.png"],
    ["study", "--zeta", "0.5", ...SMALL, "--output", out("s1"), "-o", "/nonexistent-dir/x.png"],
  ];
  const results = await Promise.all([
    ...cases.map(([args, , , env]) => cli(["run", ...SMALL, ...args], env ? { env } : {})),
    ...systems.map((o) => cli(["run", ...SMALL, "--output", o])),
    ...outputs.map((args) => cli(args)),
  ]);
  cases.forEach(([args, code, pattern], i) => {
    oneLine(results[i]!, code, pattern, args.join(" "));
    assert.equal(existsSync(args.at(-1)!), false, `${args.join(" ")}: nothing written`);
  });
  systems.forEach((o, i) => {
    oneLine(results[cases.length + i]!, 2, new RegExp(`^parareal: --output \`${o}\` is \`/\` or a system directory: give a directory of its own\n$`), o);
    assert.equal(existsSync(o), false, o);
    // workers judge the roots they are sent by the same rule
    assert.match(rootProblem(o) ?? "", /system directory/);
  });
  assert.equal(rootProblem("/var/tmp/parareal-x"), undefined);
  outputs.forEach((args, i) => oneLine(results[cases.length + systems.length + i]!, 2, /^parareal: -o `\/nonexistent-dir\/x\.(csv|png|svg)`: no directory \/nonexistent-dir to write it in\n$/, args.join(" ")));
  assert.equal(existsSync(out("s1")), false, "study refused before it ran");
});

test("B.19: study claims its run directories as run does", async (t) => {
  const dir = tempDir(t);
  const elsewhere = join(dir, "elsewhere");
  mkdirSync(elsewhere);
  const linked = join(dir, "linked");
  mkdirSync(linked);
  symlinkSync(elsewhere, join(linked, "zeta-0.5"));
  const inner = join(dir, "inner");
  mkdirSync(join(inner, "zeta-0.5"), { recursive: true });
  symlinkSync(elsewhere, join(inner, "zeta-0.5", "parareal"));
  const busy = join(dir, "busy");
  mkdirSync(join(busy, "zeta-0.5"), { recursive: true });
  const held = takeLock(lockOf(join(busy, "zeta-0.5")), join(busy, "zeta-0.5"));
  t.after(() => held.release());
  const study = (...args: string[]) => cli(["study", ...SMALL, ...args]);
  const done = join(dir, "done");
  const [dup, empty, tmp, link, innerLink, inUse, first] = await Promise.all([
    study("--zeta", "0.1,0.10", "--output", join(dir, "dup")),
    study("--zeta", "0.5", "--output", ""),
    study("--zeta", "0.5", "--output", "/tmp"),
    study("--zeta", "0.1,0.5", "--output", linked),
    study("--zeta", "0.5", "--output", inner),
    study("--zeta", "0.1,0.5", "--output", busy),
    study("--zeta", "0.5", "--output", done),
  ]);
  oneLine(dup, 2, /^parareal: --zeta: 0\.1 and 0\.1 are one value \(both would write zeta-0\.1\); give each once\n$/, "0.1,0.10");
  oneLine(empty, 2, /^parareal: --output ``: give a directory/, "--output ''");
  oneLine(tmp, 2, /^parareal: --output `\/tmp` is `\/` or a system directory/, "--output /tmp");
  oneLine(link, 2, /^parareal: output directory `\S+\/linked\/zeta-0\.5` is a symbolic link; a study writes only inside its own --output \(remove the link\)\n$/, "zeta dir a link");
  oneLine(innerLink, 2, /^parareal: output directory `\S+\/inner\/zeta-0\.5`: parareal is a symbolic link/, "parareal a link");
  oneLine(inUse, 2, /^parareal: output directory `\S+\/busy\/zeta-0\.5` is in use by a run in progress \(pid \d+/, "a study in progress");
  assert.deepEqual(readdirSync(elsewhere), [], "nothing written through the links");
  assert.deepEqual(readdirSync(linked), ["zeta-0.5"], "zeta-0.1 made and removed again when zeta-0.5 was refused");
  assert.deepEqual(readdirSync(busy).sort(), ["zeta-0.5"]);
  assert.equal(existsSync(join(dir, "dup")), false);
  assert.equal(first.code, 0, first.stderr);
  const again = await study("--zeta", "0.5", "--output", done);
  oneLine(again, 2, /^parareal: output directory `\S+\/done\/zeta-0\.5` holds fine files of a run: give --force to overwrite it, or another --output\n$/, "a second study");
  assert.equal((await study("--zeta", "0.5", "--output", done, "--force")).code, 0);
  assert.equal(existsSync(join(done, "zeta-0.5", ".parareal.lock")), false, "locks released");
});

test("B.20: --mpi rank 0 checks and claims the output before starting Redis, and never removes another launch's scheduler file", async (t) => {
  const dir = tempDir(t);
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OMPI_|PMIX_|PMI_|SLURM_)/.test(k))), OMPI_COMM_WORLD_RANK: "0", OMPI_COMM_WORLD_SIZE: "2", OMPI_MCA_orte_ess_jobid: "launch-b" };
  // launch A holds the directory: its lock, its scheduler file
  const out = join(dir, "out");
  mkdirSync(out);
  const held = takeLock(lockOf(out), out);
  t.after(() => held.release());
  const scheduler = JSON.stringify({ launch: "launch-a", url: "redis://127.0.0.1:1", run: "a", key: "k" });
  writeFileSync(join(out, "scheduler.json"), scheduler);
  const [system, inUse] = await Promise.all([
    cli(["run", "--mpi", ...SMALL, "--output", "/usr/lib/parareal-attack-test/x"], { env }),
    cli(["run", "--mpi", ...SMALL, "--output", out], { env }),
  ]);
  oneLine(system, 2, /^parareal: --output `\/usr\/lib\/parareal-attack-test\/x` is `\/` or a system directory/, "a system directory");
  assert.equal(existsSync("/usr/lib/parareal-attack-test"), false);
  oneLine(inUse, 2, /^parareal: output directory `\S+\/out` is in use by a run in progress/, "launch B on A's directory");
  assert.equal(readFileSync(join(out, "scheduler.json"), "utf8"), scheduler, "launch A's scheduler file untouched");
  assert.ok(lstatSync(join(out, ".parareal.lock")).isFile());
});

test("E.37: combine refuses slices that do not join up", async (t) => {
  const dir = tempDir(t);
  const [plain, windowed] = [join(dir, "plain"), join(dir, "windowed")];
  const runs = await Promise.all([cli(["run", ...SMALL, "--output", plain]), cli(["run", "--points", "7", "--h", "0.05", "--window", "2", "--output", windowed])]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  // fine files without run.json (which gives the span), the first slice gone: they start at t = 5
  const loose = join(dir, "loose");
  cpSync(join(plain, "euler"), loose, { recursive: true });
  rmSync(join(loose, "fine-0000-000000-005000.h5"));
  // a windowed run whose middle window is gone
  rmSync(join(windowed, "parareal", "window-0002"), { recursive: true });
  const [start, gap, allowed] = await Promise.all([cli(["combine", loose]), cli(["combine", join(windowed, "parareal")]), cli(["combine", loose, "--allow-gaps"])]);
  oneLine(start, 1, /^parareal: the fine files of \S+\/loose start at t = 5, but a run starts at t = 0 \(no run\.json beside it gives the run's span\): the files of that span are missing; give --allow-gaps to combine the slices anyway\n$/, "not from 0");
  oneLine(gap, 1, /^parareal: \S+\/window-0003 starts at t = 10, but the window before ends at t = 5: the files of that span are missing/, "a window missing");
  assert.equal(start.stdout + gap.stdout, "");
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^t,y0,y1\n5,/);
});
