/**
 * Stopping criteria in the real run (--norm, --tol, --rtol-iterate, --tol 0), through the CLI,
 * against hand computations: the iterates from the serial oracle, every norm written out here.
 * About 6 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunReport } from "../src/parareal/driver.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulate } from "../src/ode/tabulate.js";
import { parareal } from "../src/parareal/serial.js";
import { runCli, tempDir } from "./helpers.js";

// the demo: oscillator, 20 points on [0, 15], fine Euler h = 0.01, coarse one Euler step per slice
const t = linspace(0, 15, 20);
const N = t.length - 1;
const osc = harmonicOscillator(1, 0.5);
const coarse = forwardEuler(osc);
const fine = iterateSolution(forwardEuler(osc), 0.01);
const iterates = [tabulate(coarse, Float64Array.of(1, 0), t)];
for (let k = 1; k <= N; k++) iterates.push(parareal(coarse, fine)(iterates[k - 1]!, t));

type Norm = "max" | "rms" | "l2";

/** The norm of the values of rows 1..N (the initial state, row 0, is never compared), by hand. */
function handNorm(norm: Norm, rows: readonly Float64Array[]): number {
  const xs = rows.slice(1).flatMap((r) => Array.from(r));
  if (norm === "max") return Math.max(...xs.map(Math.abs));
  const sum = xs.reduce((s, x) => s + x * x, 0);
  return norm === "l2" ? Math.sqrt(sum) : Math.sqrt(sum / xs.length);
}

const diff = (a: Float64Array[], b: Float64Array[]) => a.map((r, i) => r.map((x, j) => x - b[i]![j]!));

/** What iteration k measures: ||y^k - y^(k-1)||, ||y^k||, and per time point ||y^k_i - y^(k-1)_i||. */
function hand(norm: Norm, k: number) {
  const d = diff(iterates[k]!, iterates[k - 1]!);
  const absolute = handNorm(norm, d);
  const size = handNorm(norm, iterates[k]!);
  const perSlice = d.map((row, i) => (i === 0 ? 0 : handNorm(norm, [row, row])));
  return { absolute, size, relative: absolute / size, perSlice };
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1e-12, Math.abs(b)), `${what}: ${a} vs ${b} by hand`);

async function run(dir: string, name: string, args: string[]): Promise<{ report: RunReport; stderr: string }> {
  const r = await runCli(["run", "--json", "--no-reference", "--executor", "inline", "--output", join(dir, name), ...args]);
  assert.equal(r.code, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as RunReport, stderr: r.stderr };
}

test("--tol 0 runs exactly --max-iterations in every norm; each iteration's measures equal the hand computation and are logged", async (t) => {
  const dir = tempDir(t);
  for (const norm of ["max", "rms", "l2"] as const) {
    const { report, stderr } = await run(dir, norm, ["--norm", norm, "--tol", "0", "--max-iterations", "3", "--log", "info"]);
    assert.equal(report.converged, false);
    assert.equal(report.iterations, 3);
    assert.equal(report.maxdif.length, 3, "exactly --max-iterations maxdif entries");
    assert.deepEqual(report.criteria, { norm, tol: 0 });
    assert.equal(report.measurements.length, 3);
    for (let k = 1; k <= 3; k++) {
      const h = hand(norm, k);
      const m = report.measurements[k - 1]!;
      assert.equal(m.iteration, k);
      close(m.absolute, h.absolute, `${norm}, iteration ${k}, absolute`);
      close(report.maxdif[k - 1]!, h.absolute, `${norm}, iteration ${k}, maxdif`);
      close(m.size, h.size, `${norm}, iteration ${k}, size`);
      close(m.relative, h.relative, `${norm}, iteration ${k}, relative`);
      m.perSlice!.forEach((d, i) => close(d, h.perSlice[i]!, `${norm}, iteration ${k}, slice ${i}`));
      // tol 0: every slice that changed at all still moves; parareal leaves slices < k exactly as they were
      assert.deepEqual(m.moving, [[k, N]], `${norm}, iteration ${k}: slices ${k}..${N} move`);
      assert.equal(m.movingCount, N - k + 1);
      // the log line of this iteration carries the same numbers
      const line = new RegExp(`INFO:parareal:iteration ${k}: ${norm} \\|y\\^k - y\\^\\(k-1\\)\\| = ([-+.e\\d]+) \\(tol 0\\), relative ([-+.e\\d]+); ${N - k + 1} of ${N} slices moving, first ${k}\\n`).exec(stderr);
      assert.ok(line, `${norm}: log line of iteration ${k} in ${stderr}`);
      assert.ok(Math.abs(Number(line[1]) - h.absolute) <= 1e-6 * h.absolute, "logged absolute (7 digits)");
      assert.ok(Math.abs(Number(line[2]) - h.relative) <= 1e-6 * h.relative, "logged relative");
    }
    // the original's line stays under the max norm only
    assert.equal(/maxdif of 1\.338596/.test(stderr), norm === "max", `${norm}: ${stderr}`);
    const record = JSON.parse(readFileSync(join(dir, norm, "run.json"), "utf8")) as { criteria: unknown; measurements: { absolute: number; perSlice?: unknown }[]; parameters: { norm?: string } };
    assert.deepEqual(record.criteria, { norm, tol: 0 });
    assert.equal(record.measurements.length, 3);
    assert.equal(record.measurements[0]!.absolute, report.measurements[0]!.absolute);
    assert.equal(record.measurements[0]!.perSlice, undefined, "run.json keeps no per-slice values");
    assert.equal(record.parameters.norm, norm === "max" ? undefined : norm, "the default norm leaves parameters as before");
  }
});

/** The first iteration whose measure passes, by hand. */
function stopsAt(norm: Norm, pass: (h: ReturnType<typeof hand>) => boolean): number {
  for (let k = 1; k <= N; k++) if (pass(hand(norm, k))) return k;
  return N;
}

test("--tol, --rtol-iterate and both stop at the iteration the hand computation predicts; moving slices by hand", async (t) => {
  const dir = tempDir(t);
  // thresholds halfway (geometrically) between two iterations' measures, far from round-off
  const mid = (a: number, b: number) => Math.sqrt(a * b);
  const l2 = (k: number) => hand("l2", k);
  const tol = mid(l2(10).absolute, l2(11).absolute);
  const rtol = mid(l2(8).relative, l2(9).relative);
  const cases: { name: string; args: string[]; pass: (h: ReturnType<typeof hand>) => boolean; by: "tol" | "rtol"; rtol?: number; tol: number }[] = [
    { name: "tol", args: ["--tol", String(tol)], pass: (h) => h.absolute < tol, by: "tol", tol },
    { name: "rtol", args: ["--rtol-iterate", String(rtol)], pass: (h) => h.absolute < rtol * h.size, by: "rtol", rtol, tol: 0 },
    { name: "both", args: ["--tol", String(tol), "--rtol-iterate", String(rtol)], pass: (h) => h.absolute < tol || h.absolute < rtol * h.size, by: "rtol", rtol, tol },
  ];
  for (const c of cases) {
    const K = stopsAt("l2", c.pass);
    assert.ok(K > 1 && K < N, `${c.name}: a useful case (stops at ${K})`);
    const { report } = await run(dir, c.name, ["--norm", "l2", ...c.args]);
    assert.equal(report.converged, true, c.name);
    assert.equal(report.iterations, K, `${c.name}: stops at iteration ${K}`);
    assert.deepEqual(report.criteria, { norm: "l2", tol: c.tol, ...(c.rtol === undefined ? {} : { rtol: c.rtol }) });
    const last = report.measurements.at(-1)!;
    assert.equal(last.by, c.by, c.name);
    assert.ok(report.measurements.slice(0, -1).every((m) => !m.converged));
    // slice i still moves when its own change passes neither tolerance on its own state's size
    for (const m of report.measurements) {
      const h = hand("l2", m.iteration);
      const moving: number[] = [];
      for (let i = 1; i <= N; i++) {
        const d = h.perSlice[i]!;
        const own = Math.hypot(...iterates[m.iteration]![i]!);
        if (d !== 0 && !(d < c.tol) && !(c.rtol !== undefined && d < c.rtol * own)) moving.push(i);
      }
      assert.equal(m.movingCount, moving.length, `${c.name}, iteration ${m.iteration}: moving ${moving.join(",")}`);
      assert.deepEqual(m.moving.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, j) => a + j)), moving);
    }
  }
});

test("the human summary names the criteria and the slices still moving; bad criteria are refused", async (t) => {
  const dir = tempDir(t);
  const r = await runCli(["run", "--no-reference", "--executor", "inline", "--norm", "rms", "--tol", "0", "--max-iterations", "2", "--output", join(dir, "h")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^not converged after 2 iterations \(rms \|y\^k - y\^\(k-1\)\| < 0\)\n/);
  // each iteration's measure, its wall time, and the slices still moving
  assert.match(r.stdout, /\n {2}iteration {2}rms change {4}wall {8}moving slices\n {10}1 {2}\d\.\d{6}e[-+]\d+ +[\d.]+ (s|ms|us) +19 of 19 \(1-19\)\n {10}2 {2}\S+ +[\d.]+ (s|ms|us) +18 of 19 \(2-19\)\n/);
  assert.equal(r.stderr, "", "tol 0 asked for exactly this many iterations: no warning");
  for (const [args, pattern] of [
    [["--tol", "-1"], /--tol <x>.*`-1` is not allowed: give a finite number >= 0/],
    [["--norm", "l1"], /--norm <name>' argument 'l1' is invalid\. Allowed choices are max, rms, l2/],
    [["--rtol-iterate", "x"], /--rtol-iterate <x>.*`x` is not allowed/],
  ] as const) {
    const bad = await runCli(["run", ...args, "--output", join(dir, "bad")]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, pattern);
  }
});
