/**
 * Issue 15, target 4: more workers are never slower on the sleeping problem; 16 workers take at
 * most as long as 4 on 2 cores. Rows for 1, 2, 4, 8 and 16 worker threads: the parareal phase's
 * wall time (run.json wallSeconds) and the whole process's time and CPU.
 */
import { median } from "../stats.js";
import { rowsTable, type Row, type Table } from "../table.js";
import { sleepyRuns, wallSeconds, SLEEPY_REPS, WORKER_COUNTS } from "../sleepy-runs.js";

export async function run(): Promise<Table[]> {
  const rows: Row[] = [];
  let four: number | undefined;
  for (const p of WORKER_COUNTS) {
    const { runs } = await sleepyRuns(p);
    const wall = median(runs.map(wallSeconds));
    if (p === 4) four = wall;
    const r = runs[0]!.record;
    rows.push({
      what: `sleepy, ${p} worker${p === 1 ? "" : "s"}: parareal wall time (median of ${SLEEPY_REPS})`,
      value: wall,
      unit: "s",
      ...(p === 16 && four !== undefined ? { target: four, targetText: "<= 4 workers'" } : {}),
      note: `whole process ${median(runs.map((x) => x.timed.seconds)).toFixed(2)} s, CPU ${median(runs.map((x) => x.timed.cpuSeconds)).toFixed(2)} s, peak RSS ${median(runs.map((x) => x.timed.peakRssMiB)).toFixed(0)} MiB; ${r.iterations} iterations, start-up ${(r.startupSeconds ?? NaN).toFixed(3)} s`,
    });
  }
  return [rowsTable("More workers on the sleeping problem (issue 15, target 4)", rows)];
}
