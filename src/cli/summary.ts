/** The short human summary printed at the end of `parareal run`. */
import type { RunReport } from "../parareal/driver.js";
import type { MeasurementRecord } from "../parareal/stopping.js";
import { criteriaText, iterationTable } from "./iteration-table.js";

export function formatSummary(r: RunReport, tol: number): string {
  const lines: string[] = [];
  const c = r.criteria ?? { norm: "max", tol };
  const what = r.residual ? "residual" : undefined;
  const outcome = `${r.converged ? "converged" : "not converged"} after ${r.iterations} iterations (${criteriaText(c, what)})`;
  lines.push(r.residual ? `MGRIT: ${outcome}` : outcome);
  // MGRIT measures its residual at the C-points: one per coarse interval
  const table = (records: MeasurementRecord[], slices: number, change: number[]) => {
    const measured = (records[0]?.perSlice?.length ?? slices + 1) - 1;
    return iterationTable(c, records, r.residual ? measured : slices, r.residual ? change : undefined);
  };
  if (r.windows) {
    for (const w of r.windows) {
      lines.push(`window ${w.window} (points ${w.start} to ${w.end}, t = ${w.t0} to ${w.t1}): ${w.converged ? "converged" : w.exact ? "exact" : "not converged"} after ${w.iterations} iterations, ${w.fineJobs} fine jobs`);
      lines.push(...table(w.measurements, w.end - w.start, w.maxdif));
    }
  } else lines.push(...table(r.measurements, r.t.length - 1, r.maxdif));
  lines.push(`jobs: ${r.fineJobs} fine, ${r.coarseJobs} coarse, ${r.cancelledJobs} cancelled on ${r.workers} workers`);
  const ref = r.referenceSeconds === undefined ? "skipped" : `${r.referenceSeconds.toFixed(3)} s (${r.referenceFineJobs} fine jobs)`;
  lines.push(`wall time: reference ${ref}, ${r.method ?? "parareal"} ${r.wallSeconds.toFixed(3)} s`);
  if (r.reference) {
    let err = 0;
    r.final.forEach((row, i) => row.forEach((x, j) => (err = Math.max(err, Math.abs(x - r.reference![i]![j]!)))));
    lines.push(`max |${r.method ?? "parareal"} - reference| = ${err.toExponential(3)}`);
  }
  lines.push(`output: ${r.output}`);
  return lines.join("\n");
}
