/**
 * Issue 15, target 2: a worker thread costs at most 60 ms of CPU to start, its job module loaded.
 * A threads executor warmed to N threads in a fresh process: the process's CPU (every thread's,
 * the driver's side of starting them included) divided by N, for N = 2 and 16; and one worker
 * thread importing its module (the build bundles src/jobs/thread-worker.js), its own CPU read from inside it.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median, minimum } from "../stats.js";
import { rowsTable, type Row, type Table } from "../table.js";

const PROBE = fileURLToPath(new URL("../probes/worker-startup.js", import.meta.url));
const REPS = 5;
const TARGET_MS = 60;

function probe(args: readonly string[]): Record<string, number> {
  const r = spawnSync(process.execPath, [PROBE, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`worker-startup probe ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

export async function run(): Promise<Table[]> {
  const rows: Row[] = [];
  for (const n of [2, 16]) {
    const runs = Array.from({ length: REPS }, () => probe(["pool", String(n)]));
    if (runs.some((r) => r["threads"] !== n)) throw new Error(`warm(${n}) started ${runs.map((r) => r["threads"]).join(", ")} threads`);
    const perThread = runs.map((r) => r["cpuMs"]! / n);
    rows.push({
      what: `threads executor warmed to ${n} threads: process CPU / threads (median of ${REPS})`,
      value: median(perThread),
      unit: "ms",
      target: TARGET_MS,
      note: `min ${minimum(perThread).toFixed(1)} ms; wall ${median(runs.map((r) => r["wallMs"]!)).toFixed(0)} ms for all ${n}`,
    });
  }
  const imports = Array.from({ length: REPS }, () => probe(["import"]));
  rows.push({
    what: `one worker thread importing its module (bundled): the thread's own CPU, start-up included (median of ${REPS})`,
    value: median(imports.map((r) => r["threadCpuMs"]!)),
    unit: "ms",
    target: TARGET_MS,
    note: `before the import (Node's bootstrap of the thread) ${median(imports.map((r) => r["bootCpuMs"]!)).toFixed(1)} ms; process CPU meanwhile ${median(imports.map((r) => r["processCpuMs"]!)).toFixed(1)} ms`,
  });
  rows.push({
    what: `the same: wall time of the import alone, in the thread (median of ${REPS})`,
    value: median(imports.map((r) => r["importMs"]!)),
    unit: "ms",
    note: `new Worker to the import done: ${median(imports.map((r) => r["wallMs"]!)).toFixed(1)} ms`,
  });
  return [rowsTable("Worker start-up (issue 15, target 2)", rows)];
}
