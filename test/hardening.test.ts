/**
 * Hostile and careless input found by an attack on the CLI (issue 11): each case failed once and
 * must hold now. Bad input: one line on stderr naming the value, exit 2, nothing run or written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliPath, runCli, sleep, spawnCli, tempDir, type Completed } from "./helpers.js";

function badInput(r: Completed, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.equal(r.stderr.trim().split("\n").length, 1, `${what}: one line: ${r.stderr}`);
  assert.equal(r.stdout, "", what);
}

test("parameter names from the prototype chain are no parameters", async (t) => {
  const dir = tempDir(t);
  for (const key of ["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) {
    const r = await runCli(["run", "--param", `${key}=1`, "--output", join(dir, key)]);
    badInput(r, new RegExp(`--param ${key}=1: problem \`harmonic\` has no parameter \`${key}\``), key);
  }
  badInput(await runCli(["run", "--param", "__proto__=1", "--output", join(dir, "p")]), /--param <key=value>.*`__proto__=1` is not allowed: give key=value/, "__proto__");
  const grid = await runCli(["run", "--problem", "heat1d", "--coarse-param", "constructor=3", "--output", join(dir, "g")]);
  badInput(grid, /--coarse-param constructor=3: problem `heat1d` has no parameter `constructor`/, "coarse-param");
  assert.deepEqual(readdirSync(dir), [], "nothing was written");
});

test("values that could only fail later, or never end, are refused before anything runs", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "out");
  const cases: [string[], RegExp][] = [
    [["--h", "1e-300"], /^parareal: --h 1e-300: .* fine steps per slice; at most 1e\+13 \(give a larger --h\)\n$/],
    [["--h", "1e-9"], /^parareal: --h 1e-9: each fine file would hold .* numbers, at most 268435456 \(2 GiB\); give --save-every \d+ or more/],
    [["--coarse-h", "1e-300"], /^parareal: --coarse-h 1e-300: smaller than --h 0\.01; the coarse solver must be cheaper than the fine one\n$/],
    [["--points", "1000000"], /^parareal: --points 1000000: at most 20001 time points/],
    [["--points", "10000", "--t-end", "15"], /^parareal: --h 0\.01: the slices are 0\.0015\d* wide, narrower than the fine step/],
    [["--output", ""], /^parareal: --output ``: give a directory/],
    [["--output", "/"], /^parareal: --output `\/` is `\/` or a system directory: give a directory of its own\n$/],
    [["--output", "/etc"], /--output `\/etc` is `\/` or a system directory/],
    [["--log-file", join(dir, "no", "such", "dir", "run.log")], /^parareal: --log-file \S+run\.log: cannot append to it \(ENOENT\)\n$/],
    [["--workers", "2000"], /--workers <n>' argument '2000' is invalid\. `2000` is not allowed: give an integer from 1 to \d+ \(8 per core, at least 16/],
  ];
  for (const [args, pattern] of cases) {
    const started = Date.now();
    const full = ["run", ...(args.includes("--output") ? [] : ["--output", out]), ...args];
    badInput(await runCli(full, { timeoutMs: 20_000 }), pattern, args.join(" "));
    assert.ok(Date.now() - started < 10_000, `${args.join(" ")}: refused at once`);
  }
  assert.equal(existsSync(out), false, "nothing was written");
  assert.deepEqual(readdirSync(dir), [], "not even the log file");
});

test("a problem module that loops at import is named while it loads", async (t) => {
  const dir = tempDir(t);
  const module = join(dir, "spin.mjs");
  writeFileSync(module, "for (;;) {}\nexport default {};\n");
  const p = spawnCli(t, ["run", "--problem", module, "--output", join(dir, "out")]);
  await p.waitFor(/problem module file:\/\/\S+spin\.mjs is still loading after 3 s \(does it loop at import\?\)/, 15_000);
  p.child.kill("SIGKILL");
  await p.exited;
});

test("two drivers started at once on one --output: one runs, the other is refused", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "out");
  const args = ["run", "--h", "1e-4", "--save-every", "100", "--json", "--output", out];
  const [a, b] = await Promise.all([runCli(args, { timeoutMs: 120_000 }), runCli(args, { timeoutMs: 120_000 })]);
  const results = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
  assert.equal(results[0]!.code, 0, results[0]!.stderr);
  badInput(results[1]!, /^parareal: output directory `\S+` (is in use by a run in progress \(pid \d+ on \S+, started \S+\)|holds a run \(\S+, started \S+\): give --resume)/, "the second driver");
  assert.equal(existsSync(join(out, ".parareal.lock")), false, "the lock is released at the end");
  // a lock left by a driver that was killed does not hold the directory
  const killed = spawnCli(t, ["run", "--h", "1e-5", "--save-every", "1000", "--output", join(dir, "k")]);
  for (let i = 0; i < 200 && !existsSync(join(dir, "k", "run.json")); i++) await sleep(25);
  killed.child.kill("SIGKILL");
  await killed.exited;
  assert.equal(existsSync(join(dir, "k", ".parareal.lock")), true, "a killed driver leaves its lock");
  const resumed = await runCli(["run", "--h", "1e-5", "--save-every", "1000", "--resume", "--json", "--output", join(dir, "k")], { timeoutMs: 120_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
});

test("symbolic links in an output directory are never written or deleted through", async (t) => {
  const dir = tempDir(t);
  const elsewhere = join(dir, "elsewhere");
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, "precious.tmp"), "keep me");
  writeFileSync(join(elsewhere, "precious.h5"), "keep me");
  const out = join(dir, "out");
  mkdirSync(out);
  symlinkSync(elsewhere, join(out, "parareal"));
  for (const extra of [[], ["--resume"], ["--force"]]) {
    const r = await runCli(["run", ...extra, "--output", out]);
    badInput(r, /^parareal: output directory `\S+`: parareal is a symbolic link; a run writes and deletes only inside its own directory/, extra.join(" ") || "plain");
  }
  assert.deepEqual(readdirSync(elsewhere).sort(), ["precious.h5", "precious.tmp"], "the link's target is untouched");
});

/** Processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return readFileSync(`/proc/${n}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function gone(marker: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (processesWith(marker).length === 0) return true;
    await sleep(50);
  }
  return false;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} to a driver running solver commands kills them within 2 s and removes the exchange files`, async (t) => {
    const dir = tempDir(t);
    const marker = `parareal-test-sleep-${signal}-${process.pid}`;
    const out = join(dir, "out");
    const p = spawnCli(t, ["run", "--fine-cmd", `sleep 300 # ${marker} {in} {out}`, "--output", out]);
    for (let i = 0; i < 400 && processesWith(marker).length < 2; i++) await sleep(25);
    assert.ok(processesWith(marker).length >= 1, "the commands are running");
    const sent = Date.now();
    p.child.kill(signal);
    assert.equal(await p.exited, signal === "SIGINT" ? 130 : 143);
    assert.ok(Date.now() - sent < 2000, `exited after ${Date.now() - sent} ms`);
    assert.ok(await gone(marker, 500), `commands left running: ${processesWith(marker).join(" ")}`);
    assert.deepEqual(readdirSync(join(out, "io")).filter((n) => n.endsWith(".h5")), [], "no exchange file is left");
    assert.match(readFileSync(join(out, "run.json"), "utf8"), /"status": "interrupted"/);
  });
}

test("a driver killed with SIGKILL takes its solver commands with it", async (t) => {
  const dir = tempDir(t);
  const marker = `parareal-test-orphan-${process.pid}`;
  const p = spawnCli(t, ["run", "--fine-cmd", `sleep 300 # ${marker} {in} {out}`, "--output", join(dir, "out")]);
  for (let i = 0; i < 400 && processesWith(marker).length < 2; i++) await sleep(25);
  assert.ok(processesWith(marker).length >= 1, "the commands are running");
  p.child.kill("SIGKILL");
  await p.exited;
  assert.ok(await gone(marker, 3000), `orphaned commands: ${processesWith(marker).join(" ")}`);
});

test("a full disk fails the run with one line naming the file and the job, and run.json says why", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "small");
  mkdirSync(out);
  // a 2 MB filesystem of its own (a mount namespace); files of 1.3 MB fill it at the second
  // run.json is copied out before the namespace (and its filesystem) goes
  const script = `mount -t tmpfs -o size=2m none "$1" || exit 9; "$2" "$3" run --h 1e-5 --output "$1/run"; s=$?; cp "$1/run/run.json" "$4/run.json"; exit $s`;
  const child = spawn("unshare", ["-m", "sh", "-c", script, "sh", out, process.execPath, cliPath, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(code, 1, stderr);
  assert.equal(stdout, "");
  assert.match(stderr, /^parareal: fine job of iteration 0, slice \d+ \(t = \S+ to \S+\) failed: cannot write \S+\/run\/euler\/fine-0000-\d+-\d+\.h5: no space left on the device( \(and \S+run\.json could not be updated: ENOSPC\))?\n$/);
  assert.equal(stderr.trim().split("\n").length, 1);
  const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { status: string; error?: string };
  assert.equal(record.status, "failed");
  assert.match(record.error ?? "", /no space left on the device/);
});
