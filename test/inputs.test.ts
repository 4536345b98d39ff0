/**
 * Sizes, problem modules and run.json as input (attack findings C24-C27, E36, E38): each is one
 * line on stderr naming what is wrong, exit 2 (1 for a failure at run time), nothing left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Future } from "../src/exec/future.js";
import { literal, type Vector } from "../src/expr/vector.js";
import type { SolverExecutor } from "../src/jobs/solver-job.js";
import { Parareal } from "../src/parareal/scheduler.js";
import { linspace } from "../src/ode/linspace.js";
import { cliPath, runCli, spawnCli, tempDir, type Completed } from "./helpers.js";

/** Exit `code` with exactly one line on stderr matching `pattern`, free of terminal escapes. */
function oneLine(r: Completed, code: number, pattern: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.equal(r.stderr.trim().split("\n").length, 1, `${what}: one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, `${what}: no control characters`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack`);
}

/** Several CLI runs, two at a time (the machine has two cores). */
async function all(runs: readonly (readonly string[])[]): Promise<Completed[]> {
  const out: Completed[] = [];
  for (let i = 0; i < runs.length; i += 2) out.push(...(await Promise.all(runs.slice(i, i + 2).map((a) => runCli(a, { timeoutMs: 30_000 })))));
  return out;
}

test("C24, C27: sizes beyond the bounds are refused at once, naming the option and the bound", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "out");
  const cases: [string[], RegExp][] = [
    [["run", "--problem", "heat1d", "--param", "n=1e9"], /^parareal: --param n=1000000000: `n` of `heat1d` sets a size: give an integer from 1 to 100000\n$/],
    [["run", "--problem", "heat1d", "--coarse-param", "n=1e9"], /^parareal: --coarse-param n=1000000000: `n` of `heat1d` sets a size: give an integer from 1 to 100000\n$/],
    [["run", "--problem", "heat1d", "--param", "n=2.5"], /^parareal: --param n=2\.5: `n` of `heat1d` sets a size/],
    [["run", "--problem", "heat1d", "--param", "n=100000", "--points", "101"], /^parareal: --points 101: with a state of 100000 numbers an iterate holds 10100000 numbers, at most 8388608 \(64 MiB\); give --points 83 or fewer\n$/],
    [["run", "--points", "20002"], /^parareal: --points 20002: at most 20001 time points/],
    [["project", "--points", "1e9", "--fine-cost", "1", "--coarse-cost", "0.1", "--iterations", "3"], /^parareal: --points 1000000000: at most 20001 time points\n$/],
  ];
  const started = Date.now();
  const results = await all(cases.map(([args]) => [...args, ...(args[0] === "run" ? ["--output", out] : [])]));
  results.forEach((r, i) => oneLine(r, 2, cases[i]![1], cases[i]![0].join(" ")));
  assert.ok(Date.now() - started < 15_000, "refused at once");
  assert.equal(existsSync(out), false, "nothing was written");
});

test("C24: the largest heat1d grid runs with a run.json of a few MB, a short events line, and SIGTERM ends it cleanly", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "out");
  const driver = spawnCli(t, ["run", "--problem", "heat1d", "--param", "n=100000", "--coarse-param", "n=1000", "--points", "11", "--no-progress", "--output", out]);
  const runFile = join(out, "run.json");
  const deadline = Date.now() + 20_000;
  while (!(existsSync(runFile) && readFileSync(runFile, "utf8").includes('"status": "running"'))) {
    assert.ok(Date.now() < deadline, `run.json never said running; stderr ${driver.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  driver.child.kill("SIGTERM");
  const code = await driver.exited;
  assert.equal(code, 143, driver.stderr);
  const record = JSON.parse(readFileSync(runFile, "utf8")) as { status: string; parameters: { y0: number[] } };
  assert.equal(record.status, "interrupted");
  assert.equal(record.parameters.y0.length, 100_000, "run.json keeps y0 whole (--resume compares it)");
  assert.ok(statSync(runFile).size < 5e6, `run.json is ${statSync(runFile).size} bytes`);
  const first = readFileSync(join(out, "events.jsonl"), "utf8").split("\n")[0]!;
  assert.ok(first.length < 4096, `the run event is ${first.length} characters`);
  assert.match(first, /"y0":"100000 numbers: /);
  assert.equal(existsSync(join(out, ".parareal.lock")), false, "the lock is released");
});

test("C27: with many slices the scheduler lays out fewer iterations ahead", () => {
  let submitted = 0;
  const executor = {
    submit: () => {
      submitted++;
      return new Future<Vector>();
    },
  } as unknown as SolverExecutor;
  const spec = () => ({}) as never;
  const laidOut = (points: number) => {
    submitted = 0;
    new Parareal(executor, spec, spec, {}).schedule(literal([1]), linspace(0, 1, points));
    return submitted / (points - 1);
  };
  // iteration 0: one coarse job per slice; each iteration after it: one fine and one coarse job
  assert.ok(laidOut(101) > 8, "few slices: four iterations ahead");
  const many = laidOut(10_001);
  assert.ok(many <= 5, `10,000 slices: ${many} jobs per slice laid out, two iterations ahead`);
});

const base =
  "defaults: { k: 1 }, build: (p) => ({ dim: 1, rhs(_t, y, d) { d[0] = -p.k * y[0]; } }), y0: () => [1], tEnd: 1, points: 3, fine: { method: 'rk4', h: 0.01 }, coarse: { method: 'euler' }";

test("C25: problem modules are checked when loaded: each fault is one line naming the field", async (t) => {
  const dir = tempDir(t);
  const modules: [string, string, number, RegExp][] = [
    ["nofine", `export default { ${base.replace(/fine: \{[^}]*\}, /, "")} };`, 2, /nofine\.mjs: fine is missing\n$/],
    ["frac", `export default { ${base}, points: 2.5 };`, 2, /frac\.mjs: points must be an integer, not 2\.5\n$/],
    ["unknown", `export default { ${base}, coarse: { method: 'rk5' } };`, 2, /unknown\.mjs: coarse\.method must be one of euler, rk4, dopri5, backward-euler, not "rk5"\n$/],
    ["negative", `export default { ${base}, fine: { method: 'rk4', h: -1 } };`, 2, /negative\.mjs: fine\.h must be > 0, not -1\n$/],
    ["strings", `export default { ${base}, y0: () => ['1'] };`, 2, /problem `\S+strings\.mjs`: y0\[0\] is "1"; give finite numbers\n$/],
    ["infinite", `export default { ${base}, y0: () => [Infinity] };`, 2, /problem `\S+infinite\.mjs`: y0\[0\] is Infinity; give finite numbers\n$/],
    ["lines", `export default { ${base}, build: () => { throw new Error('boom\\nsecond line\\n\\u001b[31mthird'); } };`, 2, /^parareal: --problem \S+lines\.mjs: boom\\nsecond line\\n\\u001b\[31mthird\n$/],
    ["dense", `export default { ${base}, build: () => ({ dim: 3000, rhs() {} }), y0: () => new Array(3000).fill(0), fine: { method: 'backward-euler', h: 0.01 } };`, 2, /^parareal: --fine backward-euler: a state of 3000 numbers with no tridiagonal Jacobian/],
    ["wide", `export default { ${base}, build: () => ({ dim: 1e6, rhs() {} }) };`, 2, /^parareal: --problem \S+wide\.mjs: a state of 1000000 numbers; at most 100000\n$/],
    // throws from a timer of the driver's once the run has begun (run.json written), while its jobs (20 ms per step) run
    [
      "late",
      `import { isMainThread } from 'node:worker_threads';\nimport { existsSync } from 'node:fs';\n` +
        `if (isMainThread) { const poll = setInterval(() => { if (existsSync(${JSON.stringify(join(dir, "out-late", "run.json"))})) { clearInterval(poll); throw new Error('late\\nboom'); } }, 20); }\n` +
        `const pause = new Int32Array(new SharedArrayBuffer(4));\n` +
        `export default { ${base}, build: () => ({ dim: 1, rhs(_t, y, d) { Atomics.wait(pause, 0, 0, 20); d[0] = -y[0]; } }) };`,
      1,
      /^parareal: late\\nboom\n$/,
    ],
  ];
  for (const [name, text] of modules) writeFileSync(join(dir, `${name}.mjs`), text + "\n");
  const results = await all(modules.map(([name]) => ["run", "--problem", join(dir, `${name}.mjs`), "--no-progress", "--output", join(dir, `out-${name}`)]));
  results.forEach((r, i) => oneLine(r, modules[i]![2], modules[i]![3], modules[i]![0]));
  // bad input writes nothing; the late throw fails the run it interrupts, and run.json says so
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith("out-")), ["out-late"]);
  const late = JSON.parse(readFileSync(join(dir, "out-late", "run.json"), "utf8")) as { status: string; error: string };
  assert.equal(late.status, "failed");
  assert.equal(late.error, "late\\nboom");
  assert.equal(existsSync(join(dir, "out-late", ".parareal.lock")), false);
});

test("C26, E38: --resume checks run.json and refuses when the module or the solver program changed; run.json's text is never printed raw", async (t) => {
  const dir = tempDir(t);
  const module = join(dir, "decay.mjs");
  writeFileSync(module, `export default { ${base} };\n`);
  const out = join(dir, "out");
  const args = ["run", "--problem", module, "--no-progress", "--output", out];
  // a solver program that fails at once: its run.json records it all the same
  const program = join(dir, "solver.sh");
  writeFileSync(program, "exit 3\n");
  const cmdOut = join(dir, "cmd");
  const cmd = ["run", "--points", "3", "--no-progress", "--output", cmdOut, "--fine-cmd", `sh ${program} {in} {out}`];
  const [first, failed] = await all([args, cmd]);
  assert.equal(first!.code, 0, first!.stderr);
  assert.equal(failed!.code, 1, failed!.stderr);
  const runFile = join(out, "run.json");
  const original = readFileSync(runFile, "utf8");
  type Editable = Record<string, unknown> & { parameters: Record<string, unknown> };
  const edits: [(r: Editable) => void, RegExp][] = [
    [(r) => (r.maxdif = ["x"]), /run\.json: must be a number or null \(NaN\), not "x" \(maxdif\[0\]\)/],
    [(r) => (r.maxdif = {}), /run\.json: must be an array of numbers, not \{\} \(maxdif\)/],
    [(r) => (r.parameters = null as never), /run\.json: must be an object, not null \(parameters\)/],
    [(r) => (r.started = "\u001b[2J\u001b[31mEVIL\nline2"), /run\.json: must be an ISO time, not "\\u001b\[2J\\u001b\[31mEVIL\\nline2" \(started\)/],
    [(r) => (r.iterations = "1e9 <script>"), /run\.json: must be a number, not "1e9 <script>" \(iterations\)/],
    // a kept unknown key, with C1 controls (CSI) and a line separator JSON leaves alone
    [(r) => (r.parameters.note = "\u009b31mred\u2028next"), /other parameters \(note: none now, "\\u009b31mred\\u2028next" then\)/],
  ];
  // each edit in a copy of the run directory of its own
  edits.forEach(([change], i) => {
    cpSync(out, join(dir, `edit-${i}`), { recursive: true });
    const r = JSON.parse(original) as Editable;
    change(r);
    writeFileSync(join(dir, `edit-${i}`, "run.json"), JSON.stringify(r));
  });
  const edited = await all(edits.map((_, i) => ["run", "--problem", module, "--no-progress", "--resume", "--output", join(dir, `edit-${i}`)]));
  edited.forEach((r, i) => oneLine(r, 2, edits[i]![1], edits[i]![1].source));

  const digests = (JSON.parse(readFileSync(join(cmdOut, "run.json"), "utf8")) as { parameters: { sources: { fineCommand: Record<string, string> } } }).parameters.sources.fineCommand;
  assert.match(digests[program] ?? "", /^[0-9a-f]{64}$/, "the script is recorded");
  appendFileSync(module, "// changed\n");
  appendFileSync(program, "# changed\n");
  // inspect prints run.json's text on one line each, its escapes made harmless
  cpSync(out, join(dir, "inspected"), { recursive: true });
  writeFileSync(join(dir, "inspected", "run.json"), JSON.stringify({ ...(JSON.parse(original) as Editable), error: "\u001b[31mforged\nsecond line\u009b", executor: "x\u202eevil" }));
  const [module2, program2, inspected] = await all([[...args, "--resume"], [...cmd, "--resume"], ["inspect", join(dir, "inspected")]]);
  oneLine(module2!, 2, /^parareal: --resume: the run in `\S+` was made with other parameters \(sources \(SHA-256 of the problem module and of the files solver commands name: one of them changed\): \{"module":"[0-9a-f]{64}"\} now, \{"module":"[0-9a-f]{64}"\} then\); give --force/, "changed module");
  oneLine(program2!, 2, /other parameters \(sources \(SHA-256 .*\): \{"fineCommand":/, "changed program");
  writeFileSync(module, `export default { ${base} };\n`);
  const same = await runCli([...args, "--resume"]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(inspected!.code, 0, inspected!.stderr);
  assert.match(inspected!.stdout, /^ {2}error: \\u001b\[31mforged\\nsecond line\\u009b$/m);
  assert.match(inspected!.stdout, /executor x\\u202eevil$/m);
  assert.doesNotMatch(inspected!.stdout, /[\u001b\u009b\u202e]/);
});

test("E36: HDF5 under an address-space limit: one line naming the limit and the way out, which works", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "out");
  assert.equal((await runCli(["run", "--points", "3", "--no-progress", "--output", out])).code, 0);
  const limited = (env: NodeJS.ProcessEnv): Promise<Completed> =>
    new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", `ulimit -v 4000000 && exec "${process.execPath}" "${cliPath}" inspect "${out}"`], { env: { ...process.env, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
  const [refused, remedied] = await Promise.all([limited({}), limited({ NODE_OPTIONS: "--disable-wasm-trap-handler" })]);
  oneLine(refused, 1, /^parareal: cannot start HDF5 \(h5wasm\): .*Out of memory.*; the address-space limit \(ulimit -v 4000000 kB\) leaves WebAssembly no room: raise it, or set NODE_OPTIONS=--disable-wasm-trap-handler\n$/, "ulimit -v");
  assert.equal(remedied.code, 0, remedied.stderr);
  assert.match(remedied.stdout, /consistent: every file readable/);
});
