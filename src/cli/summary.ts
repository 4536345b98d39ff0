/** The short human summary printed at the end of `parareal run`. */
import type { RunReport } from "../parareal/driver.js";

function seconds(s: number): string {
  return s >= 1 ? `${s.toFixed(3)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(1)} ms` : `${(s * 1e6).toFixed(0)} us`;
}

export function formatSummary(r: RunReport, tol: number): string {
  const lines: string[] = [];
  lines.push(
    r.converged
      ? `converged after ${r.iterations} iterations (max |y^k - y^(k-1)| < ${tol})`
      : `not converged after ${r.iterations} iterations (tolerance ${tol})`,
  );
  const withError = r.reference !== undefined;
  lines.push(`  iteration  maxdif        ${withError ? "error vs ref  " : ""}wall`);
  for (const it of r.iterates) {
    if (it.iteration === 0) continue;
    const err = withError ? `${(it.error ?? Number.NaN).toExponential(3).padEnd(12)}  ` : "";
    lines.push(`  ${String(it.iteration).padStart(9)}  ${(it.maxdif ?? Number.NaN).toExponential(6).padEnd(12)}  ${err}${seconds(it.seconds)}`);
  }
  const resumed = r.resumedJobs + r.referenceResumedJobs;
  lines.push(`jobs: ${r.fineJobs} fine, ${r.coarseJobs} coarse, ${r.cancelledJobs} cancelled on ${r.workers} workers${resumed > 0 ? `; ${resumed} fine jobs taken from the earlier run's files (--resume)` : ""}`);
  const ref = r.referenceSeconds === undefined ? "skipped" : `${r.referenceSeconds.toFixed(3)} s (${r.referenceFineJobs} fine jobs)`;
  lines.push(`wall time: reference ${ref}, parareal ${r.wallSeconds.toFixed(3)} s (workers' start-up before them: ${r.startupSeconds.toFixed(3)} s)`);
  const s = r.speedup;
  const serial = s.serialEstimated ? `the serial fine solve (estimated from the fine jobs: ${s.serialSeconds.toFixed(3)} s)` : "the serial fine reference";
  lines.push(`speedup ${s.speedup.toFixed(2)} over ${serial}, efficiency ${s.efficiency.toFixed(2)} on ${r.workers} workers, workers idle ${(100 * s.idleShare).toFixed(0)}%`);
  lines.push(`compute: fine ${s.fineSeconds.toFixed(3)} s (${seconds(s.fineCost)} a job), coarse ${s.coarseSeconds.toFixed(3)} s (${seconds(s.coarseCost)} a job)`);
  lines.push(
    `theory for K = ${r.iterations}, N = ${r.t.length - 1}: at most ${s.bound.classical.toFixed(2)} without pipelining (N/K = ${s.bound.slicesOverIterations.toFixed(2)}), ${s.bound.pipelined.toFixed(2)} pipelined`,
  );
  if (s.warning) lines.push(`warning: ${s.warning}`);
  if (r.reference) {
    let err = 0;
    r.final.forEach((row, i) => row.forEach((x, j) => (err = Math.max(err, Math.abs(x - (r.reference?.[i]?.[j] ?? Number.NaN))))));
    lines.push(`max |parareal - reference| = ${err.toExponential(3)}`);
  }
  lines.push(`output: ${r.output}`);
  return lines.join("\n");
}
