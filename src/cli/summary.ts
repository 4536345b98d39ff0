/** The short human summary printed at the end of `parareal run`. */
import type { RunReport } from "../parareal/driver.js";
import type { MeasurementRecord } from "../parareal/stopping.js";
import { criteriaText, iterationTable } from "./iteration-table.js";

function seconds(s: number): string {
  return s >= 1 ? `${s.toFixed(3)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(1)} ms` : `${(s * 1e6).toFixed(0)} us`;
}

export function formatSummary(r: RunReport, tol: number): string {
  const lines: string[] = [];
  const c = r.criteria ?? { norm: "max", tol };
  const what = r.residual ? "residual" : undefined;
  const outcome = `${r.converged ? "converged" : "not converged"} after ${r.iterations} iterations (${criteriaText(c, what)})`;
  lines.push(r.residual ? `MGRIT: ${outcome}` : outcome);
  // per iteration: its wall time, and its error against the reference where known
  const timing = (window: number | undefined) => new Map(r.iterates.filter((it) => it.window === window).map((it) => [it.iteration, { error: it.error, seconds: it.seconds }]));
  // MGRIT measures its residual at the C-points: one per coarse interval
  const table = (records: MeasurementRecord[], slices: number, change: number[], window?: number) => {
    const measured = (records[0]?.perSlice?.length ?? slices + 1) - 1;
    return iterationTable(c, records, r.residual ? measured : slices, r.residual ? change : undefined, timing(window));
  };
  if (r.windows) {
    for (const w of r.windows) {
      lines.push(`window ${w.window} (points ${w.start} to ${w.end}, t = ${w.t0} to ${w.t1}): ${w.converged ? "converged" : w.exact ? "exact" : "not converged"} after ${w.iterations} iterations, ${w.fineJobs} fine jobs`);
      lines.push(...table(w.measurements, w.end - w.start, w.maxdif, w.window));
    }
  } else lines.push(...table(r.measurements, r.t.length - 1, r.maxdif));
  const resumed = r.resumedJobs + r.referenceResumedJobs;
  const where = r.fineInDriver ? "in the driver (fine jobs of little work: cheaper here than a round trip to a worker; --driver-jobs coarse sends them to workers)" : `on ${r.workers} workers`;
  lines.push(`jobs: ${r.fineJobs} fine, ${r.coarseJobs} coarse, ${r.cancelledJobs} cancelled ${where}${resumed > 0 ? `; ${resumed} fine jobs taken from the earlier run's files (--resume)` : ""}`);
  const ref = r.referenceSeconds === undefined ? "skipped" : `${r.referenceSeconds.toFixed(3)} s (${r.referenceFineJobs} fine jobs)`;
  lines.push(`wall time: reference ${ref}, ${r.method ?? "parareal"} ${r.wallSeconds.toFixed(3)} s (${r.fineInDriver && r.startupSeconds === 0 ? "no worker started" : `workers' start-up before them: ${r.startupSeconds.toFixed(3)} s`})`);
  const s = r.speedup;
  const serial = s.serialEstimated ? `the serial fine solve (estimated from the fine jobs: ${s.serialSeconds.toFixed(3)} s)` : "the serial fine reference";
  lines.push(`speedup ${s.speedup.toFixed(2)} over ${serial}, efficiency ${s.efficiency.toFixed(2)} on ${r.fineInDriver ? "the driver alone" : `${r.workers} workers`}, ${r.fineInDriver ? "idle" : "workers idle"} ${(100 * s.idleShare).toFixed(0)}%`);
  lines.push(`compute: fine ${s.fineSeconds.toFixed(3)} s (${seconds(s.fineCost)} a job), coarse ${s.coarseSeconds.toFixed(3)} s (${seconds(s.coarseCost)} a job)`);
  lines.push(
    `theory for K = ${r.iterations}, N = ${r.t.length - 1}: at most ${s.bound.classical.toFixed(2)} without pipelining (N/K = ${s.bound.slicesOverIterations.toFixed(2)}), ${s.bound.pipelined.toFixed(2)} pipelined`,
  );
  if (s.warning) lines.push(`warning: ${s.warning}`);
  if (r.reference) {
    let err = 0;
    r.final.forEach((row, i) => row.forEach((x, j) => (err = Math.max(err, Math.abs(x - (r.reference?.[i]?.[j] ?? Number.NaN))))));
    lines.push(`max |${r.method ?? "parareal"} - reference| = ${err.toExponential(3)}`);
  }
  lines.push(`output: ${r.output}`);
  return lines.join("\n");
}
