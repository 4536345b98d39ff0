/** The short human summary printed at the end of `parareal run`. */
import type { RunReport } from "../parareal/driver.js";
import { criteriaText, iterationTable } from "./iteration-table.js";

export function formatSummary(r: RunReport, tol: number): string {
  const lines: string[] = [];
  const c = r.criteria ?? { norm: "max", tol };
  lines.push(r.converged ? `converged after ${r.iterations} iterations (${criteriaText(c)})` : `not converged after ${r.iterations} iterations (${criteriaText(c)})`);
  lines.push(...iterationTable(c, r.measurements, r.t.length - 1));
  lines.push(`jobs: ${r.fineJobs} fine, ${r.coarseJobs} coarse, ${r.cancelledJobs} cancelled on ${r.workers} workers`);
  const ref = r.referenceSeconds === undefined ? "skipped" : `${r.referenceSeconds.toFixed(3)} s (${r.referenceFineJobs} fine jobs)`;
  lines.push(`wall time: reference ${ref}, parareal ${r.wallSeconds.toFixed(3)} s`);
  if (r.reference) {
    let err = 0;
    r.final.forEach((row, i) => row.forEach((x, j) => (err = Math.max(err, Math.abs(x - r.reference![i]![j]!)))));
    lines.push(`max |parareal - reference| = ${err.toExponential(3)}`);
  }
  lines.push(`output: ${r.output}`);
  return lines.join("\n");
}
