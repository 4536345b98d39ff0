/**
 * Archive tools that never lie (issue 11, points 10-13): a real run's directory, damaged in one way
 * per case (files rewritten by h5py, as another program would), must make combine, plot and
 * inspect fail with one line naming the files, or with --allow-gaps leave them out and say so.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadHdf5 } from "../src/archive/hdf5.js";
import { describeInspection, inspectionFailed, inspectRun } from "../src/cli/inspect-command.js";
import { runCli, runPythonCode, tempDir, type Completed } from "./helpers.js";

let pristine = "";
/** the clean run's parareal iterate 1, as CSV */
let iterate1Csv = "";

before(async () => {
  await loadHdf5();
  pristine = mkdtempSync(join(tmpdir(), "parareal-consistency-"));
  process.on("exit", () => rmSync(pristine, { recursive: true, force: true }));
    // 7 slices of 5/7: times that are not round, 7 + 28 files
  const r = await runCli(["run", "--executor", "inline", "--t-end", "5", "--points", "8", "--output", pristine]);
  assert.equal(r.code, 0, r.stderr);
  iterate1Csv = (await runCli(["combine", join(pristine, "parareal"), "--iteration", "1"])).stdout;
});

/** `parareal inspect DIR` in this process (one CLI run of it per case would cost 0.5 s of CPU each). */
async function inspectHere(dir: string): Promise<Completed> {
  const i = inspectRun(dir);
  return { code: inspectionFailed(i) ? 1 : 0, stdout: describeInspection(i) + "\n", stderr: "" };
}

/** A copy of the clean run to damage. */
function copyRun(t: { after: (fn: () => void) => void }): string {
  const dir = join(tempDir(t), "run");
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

/** Change fine files as another program would: h5py, given Python statements with `h5py`, `np`, `d` (the directory). */
function h5py(dir: string, code: string): void {
  runPythonCode(`import sys, h5py, numpy as np\nd = sys.argv[1]\n${code}`, [dir]);
}

function oneLineError(r: Completed, code: number, pattern: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, `${what}: one line, got ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|is not a function|Cannot read properties/, `${what}: no JavaScript internals`);
}

function times(csv: string): number[] {
  return csv.trim().split("\n").slice(1).map((l) => Number(l.split(",")[0]));
}

test("a missing reference file is a gap: combine fails naming the slice, --allow-gaps says what it skips", async (t) => {
  const dir = copyRun(t);
  const euler = join(dir, "euler");
  unlinkSync(join(euler, "fine-0000-002142-002857.h5"));
  const [strict, inspect, plot] = await Promise.all([runCli(["combine", euler]), inspectHere(dir), runCli(["plot", dir, "--kind", "trajectory", "-o", join(dir, "p.svg")])]);
  oneLineError(strict, 1, /^parareal: gap: no file for slice 4 \[2\.142857142857143, 2\.857142857142857\] in \S+euler \(such as fine-0000-002142-002857\.h5\); give --allow-gaps/, "combine");
  oneLineError(plot, 1, /gap: no file for slice 4/, "plot");
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /missing: iteration 0: 1 of 7 slices/);
  assert.match(inspect.stdout, /problem: gap: no file for slice 4 /);

  const skip = await runCli(["combine", euler, "--allow-gaps"]);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stderr, /^WARNING:parareal:--allow-gaps: gap: no file for slice 4 /);
  assert.equal(skip.stderr.trim().split("\n").length, 1);
  const t0 = times(skip.stdout);
  // 6 slices of 73 rows (n = 72 steps), joined where they meet (4 times): the first row after the gap stays
  assert.equal(t0.length, 6 * 73 - 4);
  // the time column jumps over the gap, and only there
  const jumps = t0.slice(1).map((x, i) => x - t0[i]!).filter((d) => d > 0.011);
  assert.equal(jumps.length, 1);

  // without run.json the gap is found between the neighbouring files
  unlinkSync(join(dir, "run.json"));
  oneLineError(await runCli(["combine", euler]), 1, /^parareal: gap between \S+fine-0000-001428-002142\.h5 \(ends at t = 2\.142857142857143\) and \S+fine-0000-002857-003571\.h5 \(starts at t = 2\.857142857142857\)/, "combine without run.json");
});

test("attributes with t0 > t1, attributes contradicting the name: errors naming the file, in combine and inspect", async (t) => {
  const dir = copyRun(t);
  h5py(
    dir,
    `
with h5py.File(f"{d}/euler/fine-0000-002142-002857.h5", "r+") as f:
    a = f["data"].attrs; t0, t1 = a["t0"], a["t1"]; a["t0"] = t1; a["t1"] = t0
with h5py.File(f"{d}/parareal/fine-0001-002857-003571.h5", "r+") as f:
    a = f["data"].attrs; a["t0"] = 3.5714285714285716; a["t1"] = 4.285714285714286
`,
  );
  const [euler, parareal, inspect] = await Promise.all([runCli(["combine", join(dir, "euler")]), runCli(["combine", join(dir, "parareal"), "--iteration", "1"]), inspectHere(dir)]);
  oneLineError(euler, 1, /^parareal: \S+euler\/fine-0000-002142-002857\.h5: t0 = 2\.857142857142857 is not before t1 = 2\.142857142857143/, "t0 > t1");
  oneLineError(parareal, 1, /^parareal: \S+parareal\/fine-0001-002857-003571\.h5: the attributes t0 = 3\.5714285714285716, t1 = 4\.285714285714286 contradict the name \(they make fine-0001-003571-004285\.h5\)/, "contradiction");
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /problem: \S+fine-0000-002142-002857\.h5: t0 = \S+ is not before t1/);
  assert.match(inspect.stdout, /problem: \S+fine-0001-002857-003571\.h5: the attributes .* contradict the name/);
});

test("overlapping slices: the time column never goes backwards", async (t) => {
  const dir = copyRun(t);
  const euler = join(dir, "euler");
  // a file consistent in itself (name, attributes, rows) whose slice starts inside the one before
  h5py(
    dir,
    `
import os
src = f"{d}/euler/fine-0000-001428-002142.h5"
with h5py.File(src, "r+") as f:
    f["data"].attrs["t0"] = 1.3
os.rename(src, f"{d}/euler/fine-0000-001300-002142.h5")
`,
  );
  oneLineError(await runCli(["combine", euler]), 1, /^parareal: \S+fine-0000-001300-002142\.h5: slice \[1\.3, 2\.142857142857143\] is not one of run\.json's time slices \(linspace\(0, 5, 8\)\)/, "with run.json");
  unlinkSync(join(dir, "run.json"));
  const [strict, inspect, skip] = await Promise.all([runCli(["combine", euler]), inspectHere(euler), runCli(["combine", euler, "--allow-gaps"])]);
  oneLineError(strict, 1, /^parareal: \S+fine-0000-001300-002142\.h5: slice \[1\.3, 2\.142857142857143\] overlaps \S+fine-0000-000714-001428\.h5 \(slice \[0\.7142857142857143, 1\.4285714285714286\]\)/, "overlap");
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /problem: \S+fine-0000-001300-002142\.h5: slice \[1\.3, \S+\] overlaps/);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stderr, /^WARNING:parareal:--allow-gaps: skipped \S+fine-0000-001300-002142\.h5: slice \[1\.3, \S+\] overlaps \S+fine-0000-000714-001428\.h5/m);
  const ts = times(skip.stdout);
  assert.ok(ts.every((x, i) => i === 0 || x > ts[i - 1]!), "time increases");
});

test("a duplicate fine-00001-... full of NaN beside the real file: an error; --allow-gaps takes the real file", async (t) => {
  const dir = copyRun(t);
  const pr = join(dir, "parareal");
  h5py(
    dir,
    `
with h5py.File(f"{d}/parareal/fine-0001-000000-000714.h5", "r") as f:
    x = f["data"]; a = dict(x.attrs); shape = x.shape
with h5py.File(f"{d}/parareal/fine-00001-000000-000714.h5", "w") as f:
    ds = f.create_dataset("data", data=np.full(shape, np.nan))
    for k, v in a.items(): ds.attrs[k] = v
`,
  );
  const [strict, inspect, skip] = await Promise.all([runCli(["combine", pr, "--iteration", "1"]), runCli(["inspect", dir]), runCli(["combine", pr, "--iteration", "1", "--allow-gaps"])]);
  oneLineError(strict, 1, /^parareal: \S+fine-00001-000000-000714\.h5: not in the original's format <name>-<iteration:04>-<ms:06>-<ms:06>\.h5 \(expected fine-0001-000000-000714\.h5\) \(and 2 more problems\)/, "duplicate");
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /problem: \S+fine-00001-000000-000714\.h5: 146 of 146 values are NaN or infinite/);
  assert.match(inspect.stdout, /problem: \S+fine-00001-000000-000714\.h5 and \S+fine-0001-000000-000714\.h5: 2 files for iteration 1, slice \[0, 0\.7142857142857143\]/);
  assert.equal(skip.code, 0, skip.stderr);
  assert.equal(skip.stdout, iterate1Csv, "the real file, not the NaN one");
  assert.match(skip.stderr, /^WARNING:parareal:--allow-gaps: skipped \S+fine-00001-000000-000714\.h5: not in the original's format/);
  assert.equal(skip.stderr.trim().split("\n").length, 1, "one line per skipped file");
  // a name that is a fine file's in all but the width of its fields is reported too, not ignored
  renameSync(join(pr, "fine-00001-000000-000714.h5"), join(pr, "fine-1-000000-000714.h5"));
  oneLineError(await runCli(["combine", pr, "--iteration", "1"]), 1, /^parareal: \S+fine-1-000000-000714\.h5: not in the original's format/, "short name");
});

test("all-NaN data in a correctly named file: combine and inspect say so", async (t) => {
  const dir = copyRun(t);
  h5py(dir, `with h5py.File(f"{d}/euler/fine-0000-000714-001428.h5", "r+") as f: f["data"][...] = np.nan`);
  const [combine, inspect] = await Promise.all([runCli(["combine", join(dir, "euler")]), inspectHere(dir)]);
  oneLineError(combine, 1, /^parareal: \S+fine-0000-000714-001428\.h5: 146 of 146 values are NaN or infinite \(and 1 more problem\); give --allow-gaps/, "NaN");
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /problem: \S+fine-0000-000714-001428\.h5: 146 of 146 values are NaN or infinite/);
});

test("a stale slice: a lost file of iterate k is not replaced silently by an older iteration's", async (t) => {
  const dir = copyRun(t);
  const pr = join(dir, "parareal");
  unlinkSync(join(pr, "fine-0003-002857-003571.h5"));
  const [combine, inspect, later] = await Promise.all([runCli(["combine", pr, "--iteration", "3"]), inspectHere(dir), runCli(["combine", pr])]);
  oneLineError(
    combine,
    1,
    /^parareal: \S+fine-0003-002857-003571\.h5 is missing: iteration 3 recomputed the slices from t = 1\.4285714285714286 on, so iterate 3 would take slice \[2\.857142857142857, 3\.5714285714285716\] from \S+fine-0002-002857-003571\.h5 of iteration 2/,
    "stale",
  );
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /missing: iteration 3: 1 of 5 slices \(t0 = 2\.857142857142857\)/);
  // the converged iterate 7 takes that slice from iteration 5: unaffected
  assert.equal(later.code, 0, later.stderr);
});

test("run.json: a huge iteration count is bounded by the files; bad values are one line naming run.json", async (t) => {
  const dir = copyRun(t);
  const runFile = join(dir, "run.json");
  const good = readFileSync(runFile, "utf8");
  const record = JSON.parse(good) as Record<string, unknown>;
  const write = (value: unknown) => writeFileSync(runFile, typeof value === "string" ? value : JSON.stringify(value));
  // a claim of 10^12 iterations: refused against the run's own maxIterations, at once
  const started = Date.now();
  write({ ...record, iterations: 1e12 });
  const [inspect, plot] = await Promise.all([runCli(["inspect", dir], { timeoutMs: 20_000 }), runCli(["plot", dir, "-o", join(dir, "x.svg")], { timeoutMs: 20_000 })]);
  assert.ok(Date.now() - started < 15_000, "bounded, not a loop over the claim");
  assert.equal(inspect.code, 1, inspect.stderr);
  assert.match(inspect.stdout, /problem: \S+run\.json: 1000000000000 iterations, more than maxIterations 7 \(iterations\)/);
  oneLineError(plot, 1, /^parareal: \S+run\.json: 1000000000000 iterations, more than maxIterations 7 \(iterations\)\n$/, "plot, 1e12 iterations");
  // ... and a count the run allows but the files do not hold: bounded by the directory
  write({ ...record, parameters: { ...(record.parameters as object), maxIterations: 10 }, iterations: 9, maxdif: [...(record.maxdif as number[]), 1e-5, 1e-6] });
  const [inspect9, plot9] = await Promise.all([inspectHere(dir), runCli(["plot", dir, "-o", join(dir, "x.svg")])]);
  assert.equal(inspect9.code, 1);
  assert.match(inspect9.stdout, /problem: \S+run\.json: 9 iterations, but \S+parareal holds iterations 1 to 7 \(iterations\)/);
  oneLineError(plot9, 1, /^parareal: \S+run\.json: 9 iterations, but \S+parareal holds iterations 1 to 7 \(iterations\)\n$/, "plot, 9 iterations");

  // one reader serves every command: the crashes through the command that showed each, the rest through combine
  type Command = "plot" | "combine" | "inspect";
  const cases: [unknown, RegExp, Command[]][] = [
    [{ ...record, maxdif: 5 }, /run\.json: must be an array of numbers, not 5 \(maxdif\)$/, ["plot"]],
    [null, /run\.json: run record must be a JSON object, not null \(top level\)$/, ["combine", "inspect"]],
    [good.replace(/\n\}\n$/, ",\n}\n"), /run\.json: not valid JSON: .* \(line \d+, column \d+\)$/, ["inspect"]],
    [{ ...record, iterations: 2.5 }, /run\.json: must be an integer, not 2\.5 \(iterations\)$/, ["combine"]],
    [{ ...record, jobs: [{ kind: "fine", phase: "reference", iteration: 0, slice: 1, submitted: 0, status: "lost" }] }, /run\.json: must be done, reused, cancelled or failed, not "lost" \(jobs\[0\]\.status\)$/, ["combine"]],
    [{ ...record, parameters: { ...(record.parameters as object), points: "20" } }, /run\.json: must be a number, not "20" \(parameters\.points\)$/, ["combine"]],
    [{ ...record, status: undefined }, /run\.json: is missing \(status\)$/, ["combine"]],
  ];
  for (const [value, pattern, commands] of cases) {
    write(value);
    const what = (c: string) => `${c}, ${String(pattern)}`;
    await Promise.all(
      commands.map(async (c) => {
        if (c === "inspect") {
          const i = await inspectHere(dir);
          assert.equal(i.code, 1, what(c));
          assert.match(i.stdout, new RegExp(`problem: \\S+${pattern.source.replace(/\$$/, "")}`, "m"), what(c));
          return;
        }
        const r = await runCli(c === "plot" ? ["plot", dir, "--kind", "convergence", "-o", join(dir, "x.svg")] : ["combine", join(dir, "parareal")]);
        oneLineError(r, 1, new RegExp(`^parareal: \\S+${pattern.source}`, "m"), what(c));
      }),
    );
  }
});

test("plot reads each fine file once; __proto__ and constructor keys in run.json do nothing", async (t) => {
  const dir = copyRun(t);
  const runFile = join(dir, "run.json");
  const text = readFileSync(runFile, "utf8")
    .replace(/^\{/, '{"__proto__": {"iterations": 3, "status": "failed"}, "constructor": {"name": "x"},')
    .replace('"params": {', '"params": {"__proto__": {"zeta": 2}, "constructor": 7, ');
  writeFileSync(runFile, text);
  const [inspect, plot] = await Promise.all([inspectHere(dir), runCli(["plot", dir, "--kind", "trajectory", "--log", "debug", "-o", join(dir, "t.svg")])]);
  assert.equal(inspect.code, 0, inspect.stdout + inspect.stderr);
  assert.match(inspect.stdout, /status: converged, 7 iterations/);
  assert.equal(plot.code, 0, plot.stderr);
  const svg = readFileSync(join(dir, "t.svg"), "utf8");
  assert.match(svg, /parareal run run: harmonic omega0=1 zeta=0\.5, converged after 7 iterations/);
  assert.doesNotMatch(svg, /__proto__|constructor|object Object/);
  // the 7 iterates are made from one read of each file
  const reads = [...plot.stderr.matchAll(/^DEBUG:parareal:reading (\S+)$/gm)].map((m) => m[1]!);
  const files = ["euler", "parareal"].flatMap((sub) => readdirSync(join(dir, sub)).map((n) => join(dir, sub, n)));
  assert.equal(files.length, 35);
  assert.deepEqual([...reads].sort(), files.sort(), "every file, once");
  assert.equal((svg.match(/series: iterate \d+"/g) ?? []).length, 7, "every iterate drawn");
});
