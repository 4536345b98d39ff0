/**
 * The bench's machinery, not its numbers (those are never asserted): choosing sections, the
 * table's verdicts and layout, GNU time's readings of a real process, and the clean-up of child
 * processes. About 2 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { chooseSections, listSections, SECTIONS } from "../bench/registry.js";
import { formatTable, rowsTable, verdict } from "../bench/table.js";
import { median, medianIndex, minimum } from "../bench/stats.js";
import { timeCommand } from "../bench/process.js";
import { python, repoRoot } from "./helpers.js";

const runJs = join(repoRoot, "dist", "bench", "run.js");

test("sections are chosen by name, from argv or PARAREAL_BENCH; none: all of them, in order", () => {
  const names = SECTIONS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length, "unique names");
  for (const required of ["demo", "startup", "hdf5", "workers", "projection", "kernel", "overhead", "help", "load", "redis", "integrators", "mgrit", "dashboard", "viewer"]) {
    assert.ok(names.includes(required), required);
  }
  assert.deepEqual(chooseSections([], undefined).map((s) => s.name), names);
  assert.deepEqual(chooseSections([], "").map((s) => s.name), names);
  // the registry's order, whatever order they are named in
  assert.deepEqual(chooseSections(["kernel", "demo"], undefined).map((s) => s.name), ["demo", "kernel"]);
  assert.deepEqual(chooseSections([], "mgrit,hdf5").map((s) => s.name), ["hdf5", "mgrit"]);
  assert.deepEqual(chooseSections(["--kernel"], undefined).map((s) => s.name), ["kernel"], "the former flag");
  assert.throws(() => chooseSections(["kernal"], undefined), (e: Error) => e instanceof RangeError && /unknown section kernal/.test(e.message) && e.message.includes("kernel"));
  const list = listSections().split("\n");
  assert.equal(list.length, names.length);
  for (const [i, line] of list.entries()) assert.ok(line.startsWith(names[i]!), line);
});

test("run.js --list exits 0 listing every section; an unknown section exits 2 naming it", () => {
  const list = spawnSync(process.execPath, [runJs, "--list"], { encoding: "utf8" });
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split("\n").map((l) => l.split(" ")[0]), SECTIONS.map((s) => s.name));
  const bad = spawnSync(process.execPath, [runJs, "nope"], { encoding: "utf8", env: { ...process.env, PARAREAL_BENCH: "" } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown section nope/);
  assert.equal(bad.stdout, "", "nothing measured");
});

test("rows: met when value <= target, MISSED above it, skipped without a value; columns line up", () => {
  assert.equal(verdict(0.4, 0.4), "met");
  assert.equal(verdict(0.41, 0.4), "MISSED");
  assert.equal(verdict(3, undefined), "");
  assert.equal(verdict(undefined, 1), "skipped");
  const table = rowsTable("t", [
    { what: "a", value: 0.123456, unit: "s", target: 0.45 },
    { what: "the original", value: undefined, unit: "s", note: "skipped: no dask" },
    { what: "c", value: 1234.5, unit: "MiB", target: 100, targetText: "<= 4 workers'" },
  ]);
  assert.deepEqual(table.cells.map((r) => r.slice(1, 4)), [
    ["0.123 s", "<= 0.450 s", "met"],
    ["-", "", "skipped"],
    ["1235 MiB", "<= 4 workers'", "MISSED"],
  ]);
  const lines = formatTable(table).split("\n");
  assert.equal(lines[0], "## t");
  const bars = (line: string) => [...line].flatMap((c, i) => (c === "|" ? [i] : []));
  // every row's separators where the header's are (the last column is not padded)
  for (const line of lines.slice(2)) assert.deepEqual(bars(line), bars(lines[2]!), line);
});

test("median, minimum and the median's index", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(minimum([3, 1, 2]), 1);
  assert.equal(medianIndex([0.9, 0.1, 0.5]), 2);
  assert.throws(() => median([]), RangeError);
});

test("timeCommand: GNU time's peak RSS and CPU of a real process, its exit code and output", async () => {
  // 200 MiB touched, then 0.3 s of CPU
  const code = "import sys, time\nb = bytearray(200 * 1024 * 1024)\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\nprint(len(b))\nsys.exit(3)";
  const r = await timeCommand([python, "-c", code]);
  assert.equal(r.code, 3);
  assert.equal(r.stdout.trim(), String(200 * 1024 * 1024));
  assert.ok(r.peakRssMiB >= 200 && r.peakRssMiB < 400, `peak RSS ${r.peakRssMiB} MiB`);
  assert.ok(r.cpuSeconds >= 0.25, `CPU ${r.cpuSeconds} s`);
  assert.ok(r.seconds >= r.cpuSeconds * 0.5, `wall ${r.seconds} s`);
  const small = await timeCommand([python, "-c", "pass"]);
  assert.equal(small.code, 0);
  assert.ok(small.peakRssMiB < 100, `peak RSS ${small.peakRssMiB} MiB`);
});

test("the bench's child processes are killed when it exits, found by their parent id", () => {
  const children = new URL("../bench/children.js", import.meta.url).href;
  const script = `
    import { spawn } from "node:child_process";
    const { ownChildren, killOwnChildren } = await import(${JSON.stringify(children)});
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    await new Promise((r) => child.once("spawn", r));
    const found = ownChildren().includes(child.pid);
    const exited = new Promise((r) => child.once("exit", (_code, signal) => r(signal)));
    killOwnChildren();
    console.log(JSON.stringify({ found, signal: await exited }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { found: true, signal: "SIGKILL" });
});
