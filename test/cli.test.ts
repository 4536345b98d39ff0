import type { RunReport } from "../src/parareal/driver.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { addRunOptions } from "../src/cli/run-options.js";
import { maxAbs, originalDemo, runCli, tempDir, type OriginalResult } from "./helpers.js";

/** The Python original's numbers, computed once, when a test needs them (with a clear reason if it cannot). */
let originalResult: OriginalResult | undefined;
function original(): OriginalResult {
  try {
    originalResult ??= originalDemo();
  } catch (e) {
    throw new Error(`the Python original (test/parity/original.py) needs /usr/bin/python3 with NumPy (Debian: python3-numpy): ${(e as Error).message}`);
  }
  return originalResult;
}

test("default run: the original's files, 14 iterations, first maxdif 1.338596, equal to the original to round-off", async (t) => {
  const dir = tempDir(t);
  const o = original();
  const r = await runCli(["run", "--json", "--output", join(dir, "output")]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunReport;
  assert.equal(out.converged, true);
  assert.equal(out.iterations, 14);
  assert.equal(out.maxdif[0]!.toFixed(6), "1.338596");
  assert.equal(out.iterations, o.iterations);
  out.maxdif.forEach((d, k) => assert.ok(Math.abs(d - o.maxdif[k]!) <= 1e-12 * Math.max(1, d), `maxdif ${k + 1}: ${d} vs ${o.maxdif[k]}`));
  out.final.forEach((y, i) => assert.ok(maxAbs(y, o.final[i]!) < 1e-13, `final state ${i}`));
  out.reference!.forEach((y, i) => assert.deepEqual(y, o.reference[i], `reference state ${i} is bit-identical`));
  assert.equal(out.final.length, 20);
  for (const key of ["fineJobs", "coarseJobs", "cancelledJobs", "wallSeconds", "referenceSeconds"] as const) {
    assert.equal(typeof out[key], "number", key);
  }
  assert.ok(out.fineJobs >= 175 && out.fineJobs < 190, `fineJobs ${out.fineJobs}`);
  assert.ok(out.cancelledJobs > 0);

  const euler = readdirSync(join(dir, "output", "euler")).sort();
  assert.deepEqual(euler, [...o.referenceFiles].sort());
  const pr = readdirSync(join(dir, "output", "parareal"));
  // one file per fine job, abandoned ones (running when convergence cancelled them) included
  assert.ok(pr.length >= out.fineJobs && pr.length <= out.fineJobs + out.cancelledJobs, `${pr.length} files, ${out.fineJobs} fine jobs`);
  for (let k = 1; k <= 14; k++) {
    // iteration k recomputes slices k..19 only
    assert.equal(pr.filter((f) => f.startsWith(`fine-${String(k).padStart(4, "0")}-`)).length, 20 - k, `files of iteration ${k}`);
  }

  // every reference file reads with h5dump, with the original's attributes
  for (const [i, name] of euler.entries()) {
    const dump = execFileSync("h5dump", ["-A", join(dir, "output", "euler", name)], { encoding: "utf8" });
    assert.match(dump, /ATTRIBUTE "n" \{\s+DATATYPE\s+H5T_STD_I64LE\s+DATASPACE\s+SCALAR\s+DATA \{\s+\(0\): (\d+)/);
    assert.equal(Number(/ATTRIBUTE "n"[^}]*\(0\): (\d+)/.exec(dump)![1]), o.steps[i]);
  }
});

test("the human summary names iterations, jobs and timings; the threads and inline executors agree", async (t) => {
  const dir = tempDir(t);
  const a = await runCli(["run", "--output", join(dir, "a")]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^converged after 14 iterations/);
  // the demo's fine jobs take microseconds: the driver runs them, and no thread is started
  assert.match(a.stdout, /jobs: \d+ fine, \d+ coarse, \d+ cancelled in the driver \(/);
  assert.match(a.stdout, /wall time: reference [\d.]+ s \(19 fine jobs\), parareal [\d.]+ s \(no worker started\)/);
  assert.match(a.stdout, /speedup [\d.]+ over the serial fine reference, efficiency [\d.]+ on the driver alone/);
  const [b, c] = await Promise.all([
    runCli(["run", "--json", "--executor", "inline", "--no-reference", "--output", join(dir, "b")]),
    runCli(["run", "--json", "--executor", "threads", "--workers", "2", "--driver-jobs", "coarse", "--no-reference", "--output", join(dir, "c")]),
  ]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(c.code, 0, c.stderr);
  const [jb, jc] = [JSON.parse(b.stdout) as RunReport, JSON.parse(c.stdout) as RunReport];
  assert.equal(jb.fineInDriver, true);
  assert.equal(jc.fineInDriver, undefined, "--driver-jobs coarse: fine jobs on the workers");
  assert.ok(jc.startupSeconds > 0, "threads were started for them");
  assert.equal(jc.workers, 2);
  const threadsRecord = JSON.parse(readFileSync(join(dir, "c", "run.json"), "utf8")) as { jobs: { kind: string; worker?: string }[] };
  const fineWorkers = new Set(threadsRecord.jobs.filter((j) => j.kind === "fine" && j.worker !== undefined).map((j) => j.worker));
  assert.ok(fineWorkers.size >= 1 && ![...fineWorkers].some((w) => w?.endsWith(":0")), `fine jobs ran on worker threads, not the main thread: ${[...fineWorkers].join(", ")}`);
  assert.equal(jb.reference, undefined);
  assert.equal(jb.iterations, jc.iterations);
  assert.deepEqual(jb.maxdif, jc.maxdif, "inline and threads: the same maxdif, bit for bit");
  assert.deepEqual(jb.final, jc.final, "and the same iterate");
  // the human summary printed the same maxdif values
  for (const [k, d] of jb.maxdif.entries()) assert.match(a.stdout, new RegExp(`\\s${k + 1}\\s+${d.toExponential(6).replace(/[.+]/g, "\\$&")}\\s`), `maxdif ${k + 1} in the summary`);
  assert.deepEqual(readdirSync(join(dir, "b", "euler")), []);
});

test("--log info logs maxdif lines like the original", async (t) => {
  const dir = tempDir(t);
  const r = await runCli(["run", "--log", "INFO", "--no-reference", "--max-iterations", "3", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /INFO:parareal:maxdif of 1\.338596\n/);
  assert.match(r.stdout, /^not converged after 3 iterations/);
  const logFile = join(dir, "run.log");
  const q = await runCli(["run", "--log", "debug", "--log-file", logFile, "--no-reference", "--max-iterations", "2", "--force", "--output", dir]);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stderr, "");
  assert.match(execFileSync("cat", [logFile], { encoding: "utf8" }), /INFO:parareal:maxdif of 2\.929575/);
});

test("bad input: one line on stderr naming the value, exit 2, no stack trace", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "package.json"), "{}\n");
  const cases: [string[], RegExp][] = [
    [["run", "--log", "loud"], /^parareal: Invalid log level `loud` \(allowed: debug, info, warning, error, critical\)\n$/],
    [["run", "--h", "abc"], /^parareal: option '--h <x>' argument 'abc' is invalid\. `abc` is not allowed: give a finite number > 0\.\n$/],
    [["run", "--h", "-1"], /--h <x>.*`-1` is not allowed/],
    [["run", "--points", "1"], /--points <n>.*`1` is not allowed: give an integer >= 2/],
    [["run", "--workers", "0"], /--workers <n>.*`0` is not allowed: give an integer from 1 to \d+/],
    [["run", "--tol", "NaN"], /--tol <x>.*`NaN` is not allowed/],
    [["run", "--save-every", "2.5"], /--save-every <k>.*`2\.5` is not allowed/],
    [["run", "--y0", "1"], /--y0 `1` has 1 values; the oscillator's state has 2/],
    [["run", "--y0", "1,x"], /--y0 <list>.*`1,x` is not allowed/],
    [["run", "--executor", "gpu"], /--executor.*'gpu' is invalid\. Allowed choices are threads, inline/],
    [["run", "--frobnicate"], /^parareal: unknown option '--frobnicate'/],
    [["run", "--problem", "nope"], /^parareal: unknown problem `nope` \(known: harmonic, lorenz, vanderpol, brusselator, heat1d, or a path to a module\)\n$/],
    [["run", "--problem", "./nope.mjs"], /^parareal: --problem: no such module file: \.\/nope\.mjs\n$/],
    [["run", "--problem", "lorenz", "--param", "foo=1"], /--param foo=1: problem `lorenz` has no parameter `foo` \(it has: sigma, rho, beta\)/],
    [["run", "--problem", "lorenz", "--param", "rho"], /--param <key=value>.*`rho` is not allowed: give key=value/],
    [["run", "--problem", "lorenz", "--omega0", "2"], /--omega0 is a parameter of the harmonic problem, not of `lorenz`/],
    [["run", "--problem", "lorenz", "--y0", "1,2"], /--y0 `1,2` has 2 values; the state of `lorenz` has 3/],
    [["run", "--fine", "magic"], /--fine <method>' argument 'magic' is invalid\. Allowed choices are euler, rk4, dopri5, backward-euler/],
    [["fly"], /^parareal: unknown command 'fly'/],
    [["run", "--t-end", "abc"], /--t-end <x>.*`abc` is not allowed: give a finite number > 0/],
    [["run", "--t-end", "0"], /--t-end <x>.*`0` is not allowed: give a finite number > 0/],
    [["run", "--y0", "1,NaN"], /--y0 <list>.*`1,NaN` is not allowed: give finite numbers/],
    [["run", "--max-iterations", "0"], /--max-iterations <k>.*`0` is not allowed: give an integer >= 1/],
    [["run", "--resume", "--force"], /^parareal: --resume and --force: give one of them/],
    [["run", "--fine-cmd", "solve {in}"], /--fine-cmd <template>.*the template must contain \{out\}/],
    [["worker"], /^parareal: required option '--redis <url>' not specified\n$/],
    [["combine", "nope"], /^parareal: cannot read directory nope: ENOENT\n$/],
    [["plot", "nope", "-o", "x.png"], /^parareal: no such directory: nope\n$/],
    [["run", "--output", "/proc/parareal-out"], /--output `\/proc\/parareal-out` is `\/` or a system directory/],
    [["run", "--output", "package.json/out"], /cannot write to output directory `package\.json\/out`: ENOTDIR/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli(args, { cwd: dir, timeoutMs: 20_000 });
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(r.stdout, "");
  }
  assert.deepEqual(readdirSync(dir), ["package.json"], "bad input writes nothing");
});

test("--help explains every option", async () => {
  const top = await runCli(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /parareal/);
  assert.match(top.stdout, /run \[options\]/);
  const r = await runCli(["run", "--help"]);
  assert.equal(r.code, 0);
  // every option the command defines, each with its text
  const options = addRunOptions(new Command("run")).options;
  assert.ok(options.length >= 35, `${options.length} options`);
  for (const opt of options) {
    assert.match(r.stdout, new RegExp(`${opt.long}[ ,\\n]`), `${opt.long} is in run --help`);
    assert.ok((opt.description ?? "").length > 10, `${opt.long} says what it does`);
  }
  for (const sub of ["worker", "combine", "inspect", "plot", "study", "project"]) {
    const h = await runCli([sub, "--help"]);
    assert.equal(h.code, 0, sub);
    assert.match(h.stdout, new RegExp(`Usage: parareal ${sub}`), sub);
  }
});

test("every built-in problem converges to its serial fine solution from the CLI, with its defaults", async (t) => {
  const dir = tempDir(t);
  for (const problem of ["lorenz", "vanderpol", "brusselator", "heat1d"]) {
    const r = await runCli(["run", "--problem", problem, "--json", "--output", join(dir, problem)]);
    assert.equal(r.code, 0, `${problem}: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as RunReport;
    assert.equal(out.converged, true, problem);
    assert.equal(out.final.length, out.reference!.length);
    const scale = Math.max(1, ...out.reference!.flat().map(Math.abs));
    out.final.forEach((y, i) => assert.ok(maxAbs(y, out.reference![i]!) < 1e-4 * scale, `${problem}: state ${i}`));
  }
  const dp = await runCli(["run", "--problem", "lorenz", "--param", "rho=20", "--fine", "dopri5", "--rtol", "1e-8", "--json", "--output", join(dir, "dp")]);
  assert.equal(dp.code, 0, dp.stderr);
  const d = JSON.parse(dp.stdout) as RunReport & { parameters: { fine: string; problem: { params: Record<string, number> } } };
  assert.equal(d.converged, true);
  assert.equal(d.parameters.fine, "dopri5");
  assert.deepEqual(d.parameters.problem.params, { rho: 20 });
});
