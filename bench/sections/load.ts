/** Peak RSS of 1,000-slice runs on threads: memory must not grow with the number of jobs run. */
import { timeRun } from "../parareal-cli.js";
import { rowsTable, type Row, type Table } from "../table.js";
import { THOUSAND_SLICE_RUNS } from "../thousand-slices.js";

export async function run(): Promise<Table[]> {
  const rows: Row[] = [];
  for (const { label, args } of THOUSAND_SLICE_RUNS) {
    const r = await timeRun(args);
    rows.push({
      what: `threads: ${label}, peak RSS`,
      value: r.timed.peakRssMiB,
      unit: "MiB",
      note: `whole process ${r.timed.seconds.toFixed(1)} s, CPU ${r.timed.cpuSeconds.toFixed(1)} s; ${r.record.status} after ${r.record.iterations} iterations`,
    });
  }
  return [rowsTable("1,000 slices on threads: peak RSS", rows)];
}
