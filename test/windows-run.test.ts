/**
 * Time windows in the real run (--window W), through the CLI: W = slices is today's run, W = 1 is
 * the serial fine solution with one fine job per slice, any W equals the windowed oracle on plain
 * arrays; the archive keeps each window apart, run.json and --json report each window, `combine`
 * joins the windows, and a run killed inside a window resumes there. MGRIT runs on windows too.
 * About 12 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import type { WindowRecord } from "../src/parareal/windowed.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { windowedParareal } from "../src/parareal/windows.js";
import { maxAbs, runCli, spawnCli, tempDir } from "./helpers.js";

type Report = RunReport & { parameters: { window?: number } };
const parse = (r: { stdout: string }) => JSON.parse(r.stdout) as Report;
const N = 19; // the demo's slices

async function run(args: string[]): Promise<Report> {
  const r = await runCli(["run", "--json", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return parse(r);
}

test("--window N is today's run, bit for bit, in window-0001; --window 1 is the serial fine solution, one fine job per slice", async (t) => {
  const dir = tempDir(t);
  const [today, whole, single] = await Promise.all([
    run(["--output", join(dir, "today")]),
    run(["--window", String(N), "--output", join(dir, "whole")]),
    run(["--window", "1", "--output", join(dir, "single")]),
  ]);
  assert.deepEqual(whole.final, today.final);
  assert.deepEqual(whole.maxdif, today.maxdif);
  assert.equal(whole.iterations, today.iterations);
  assert.equal(whole.parameters.window, N);
  assert.equal(whole.windows!.length, 1);
  assert.deepEqual(readdirSync(join(dir, "whole", "parareal")), ["window-0001"]);
  const names = (d: string) => readdirSync(d).filter((n) => Number(n.split("-")[1]) <= today.iterations).sort();
  assert.deepEqual(names(join(dir, "whole", "parareal", "window-0001")), names(join(dir, "today", "parareal")), "the same files, one directory down");

  assert.equal(single.fineJobs, N, "one fine job per slice");
  assert.equal(single.windows!.length, N);
  assert.ok(single.windows!.every((w) => w.iterations === 1 && w.exact && w.fineJobs === 1));
  assert.equal(single.converged, true, "every window is exact");
  const scale = Math.max(...single.reference!.flat().map(Math.abs));
  single.final.forEach((y, i) => assert.ok(maxAbs(y, single.reference![i]!) <= 1e-15 * scale, `point ${i}: ${y} vs the serial fine ${single.reference![i]}`));
});

test("--window 4 equals the windowed oracle; run.json and --json report every window; the archive keeps windows apart; combine joins them", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "w4");
  const r = await run(["--window", "4", "--output", out]);
  const osc = harmonicOscillator(1, 0.5);
  const oracle = windowedParareal(forwardEuler(osc), iterateSolution(forwardEuler(osc), 0.01), Float64Array.of(1, 0), linspace(0, 15, 20), 4);
  assert.equal(r.windows!.length, 5);
  assert.deepEqual(r.windows!.map((w) => [w.start, w.end]), [[0, 4], [4, 8], [8, 12], [12, 16], [16, 19]], "the original's time_windows");
  r.windows!.forEach((w, i) => {
    const o = oracle.windows[i]!;
    assert.equal(w.iterations, o.iterations, `window ${w.window}: iterations`);
    assert.equal(w.converged, o.converged);
    assert.equal(w.maxdif.length, w.iterations);
    w.maxdif.forEach((d, k) => assert.ok(Math.abs(d - o.measurements[k]!.absolute) <= 1e-12, `window ${w.window}, maxdif ${k + 1}`));
    assert.equal(w.directory, `window-000${i + 1}`);
    // iteration k recomputes slices k..W of its window
    const files = readdirSync(join(out, "parareal", w.directory));
    for (let k = 1; k <= w.iterations; k++) assert.equal(files.filter((f) => f.startsWith(`fine-000${k}-`)).length, w.end - w.start - k + 1, `window ${w.window}, iteration ${k}`);
  });
  oracle.final.forEach((y, i) => assert.ok(maxAbs(r.final[i]!, y) < 1e-12, `point ${i}`));
  assert.equal(r.iterations, r.windows!.reduce((s, w) => s + w.iterations, 0));
  assert.deepEqual(r.maxdif, r.windows!.flatMap((w) => w.maxdif));
  assert.equal(r.fineJobs, r.windows!.reduce((s, w) => s + w.fineJobs, 0));

  const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { status: string; parameters: { window: number }; windows: WindowRecord[] };
  assert.equal(record.status, "converged");
  assert.equal(record.parameters.window, 4);
  assert.deepEqual(record.windows.map((w) => [w.window, w.directory, w.iterations, w.maxdif]), r.windows!.map((w) => [w.window, w.directory, w.iterations, w.maxdif]));

  // combine: each window's converged iterate, joined on the reference's time grid
  const [joined, reference] = await Promise.all([runCli(["combine", join(out, "parareal")]), runCli(["combine", join(out, "euler")])]);
  assert.equal(joined.code, 0, joined.stderr);
  const rows = (csv: string) => csv.trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const [a, b] = [rows(joined.stdout), rows(reference.stdout)];
  assert.equal(a.length, b.length);
  a.forEach((row, i) => assert.equal(row[0], b[i]![0], `time of row ${i}`));
  assert.ok(a.every((row, i) => maxAbs(row, b[i]!) < 1e-3), "close to the serial fine trajectory");
  const oneWindow = await runCli(["combine", join(out, "parareal"), "--iteration", "2"]);
  assert.equal(oneWindow.code, 2);
  assert.match(oneWindow.stderr, /holds time windows \(window-NNNN\), each with its own iterations; give one window's directory/);
  const second = await runCli(["combine", join(out, "parareal", "window-0002"), "--iteration", "2"]);
  assert.equal(second.code, 0, second.stderr);
});

// fine jobs of about 20 ms, so the driver can be killed inside a window
const slow = ["--h", "4e-7", "--save-every", "100000", "--workers", "2", "--no-reference", "--window", "4"];

test("a windowed run killed inside its third window resumes there: earlier windows from their files, the same result", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "killed");
  const wholeRun = run([...slow, "--output", join(dir, "whole")]);
  const driver = spawnCli(t, ["run", ...slow, "--log", "info", "--output", out]);
  await driver.waitFor(/window 3 of 5[^]*maxdif of/, 60_000);
  driver.child.kill("SIGKILL");
  await driver.exited;
  const during = JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { status: string; windows: WindowRecord[] };
  assert.equal(during.status, "running");
  assert.deepEqual(during.windows.map((w) => w.window), [1, 2], "run.json has the windows done");

  const [resumed, whole] = await Promise.all([run([...slow, "--resume", "--output", out]), wholeRun]);
  assert.deepEqual(resumed.final, whole.final);
  assert.deepEqual(resumed.maxdif, whole.maxdif);
  const [w1, w2, w3] = resumed.windows!;
  assert.ok(w1!.fineJobs === 0 && w2!.fineJobs === 0, "windows 1 and 2 entirely from their files");
  assert.equal(w1!.resumedJobs + w2!.resumedJobs, whole.windows![0]!.fineJobs + whole.windows![1]!.fineJobs);
  assert.ok(w3!.resumedJobs > 0, "window 3 continues from the files it had");
  assert.ok(resumed.fineJobs < whole.fineJobs, `computed ${resumed.fineJobs}, the whole run ${whole.fineJobs}`);
});

test("MGRIT on windows: each window converges from the end of the one before; FCF's files stay in its window", async (t) => {
  const dir = tempDir(t);
  const r = await run(["--method", "mgrit", "--levels", "2", "--window", "8", "--output", join(dir, "m")]);
  assert.equal(r.converged, true);
  assert.equal(r.windows!.length, 3);
  assert.equal(r.residual!.length, r.windows!.reduce((s, w) => s + w.iterations + 1, 0), "a residual per iterate 0..K of every window");
  const scale = Math.max(...r.reference!.flat().map(Math.abs));
  r.final.forEach((y, i) => assert.ok(maxAbs(y, r.reference![i]!) < 1e-3 * scale, `point ${i}`));
  assert.ok(readdirSync(join(dir, "m", "parareal", "window-0001", "relax")).length > 0);
  const bad = await runCli(["run", "--method", "mgrit", "--levels", "3", "--window", "9", "--output", join(dir, "bad")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--window 9: a window of 1 interval: --levels 3 --coarsening 2: level 0 has 1 interval and cannot be coarsened/);
});
