/**
 * Issue 12: projection accuracy on the sleeping problem. `parareal project` of one 1-worker run to
 * 2, 4, 8 and 16 workers against runs measured on those counts (target: within 15%), and each
 * run's projection of itself, to its own number of workers (target: within 10%).
 */
import { spawnSync } from "node:child_process";
import { median } from "../stats.js";
import { fmt, verdict, type Table } from "../table.js";
import { pararealArgv } from "../parareal-cli.js";
import { sleepyRuns, wallSeconds, SLEEPY_REPS, WORKER_COUNTS } from "../sleepy-runs.js";

const FROM_ONE = 15;
const OWN = 10;

/** `parareal project DIR --workers LIST --json`: projected seconds per count. */
function project(dir: string, workers: readonly number[]): Map<number, number> {
  const [node, ...args] = pararealArgv(["project", dir, "--workers", workers.join(","), "--json"]);
  const r = spawnSync(node!, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`parareal project ${dir} failed: ${r.stderr}`);
  const { rows } = JSON.parse(r.stdout) as { rows: { workers: number; seconds: number }[] };
  return new Map(rows.map((x) => [x.workers, x.seconds]));
}

export async function run(): Promise<Table[]> {
  const one = await sleepyRuns(1);
  const others = WORKER_COUNTS.filter((p) => p !== 1);
  const fromOne = project(one.median.output, others);
  const header = ["workers", `measured (median of ${SLEEPY_REPS})`, "projected from the 1-worker run", "error", "target", "", "the median run's own projection", "error", "target", ""];
  const cells: string[][] = [];
  for (const p of WORKER_COUNTS) {
    const runs = await sleepyRuns(p);
    const measured = median(runs.runs.map(wallSeconds));
    const own = project(runs.median.output, [p]).get(p)!;
    const ownError = (100 * Math.abs(own - wallSeconds(runs.median))) / wallSeconds(runs.median);
    const projected = fromOne.get(p);
    const error = projected === undefined ? undefined : (100 * Math.abs(projected - measured)) / measured;
    cells.push([
      String(p),
      `${fmt(measured)} s`,
      projected === undefined ? "(the run itself)" : `${fmt(projected)} s`,
      error === undefined ? "" : `${error.toFixed(1)}%`,
      error === undefined ? "" : `<= ${FROM_ONE}%`,
      error === undefined ? "" : verdict(error, FROM_ONE),
      `${fmt(own)} s (run: ${fmt(wallSeconds(runs.median))} s)`,
      `${ownError.toFixed(1)}%`,
      `<= ${OWN}%`,
      verdict(ownError, OWN),
    ]);
  }
  return [{ title: "Projection accuracy on the sleeping problem (issue 12)", header, cells, notes: ["error = |projected - measured| / measured, of the parareal phase's wall time (run.json wallSeconds)"] }];
}
