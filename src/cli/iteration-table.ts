/** The criteria and the per-iteration table of the human summary: what was measured, which slices still move. */
import type { Criteria } from "../config/run-config.js";
import type { MeasurementRecord } from "../parareal/stopping.js";

/** e.g. `max |y^k - y^(k-1)| < 0.0001`, `l2 |y^k - y^(k-1)| < 1e-6 or < 1e-3 relative`. */
export function criteriaText(c: Criteria, what = "|y^k - y^(k-1)|"): string {
  const tests = [...(c.tol > 0 || c.rtol === undefined ? [`< ${c.tol}`] : []), ...(c.rtol === undefined ? [] : [`< ${c.rtol} relative`])];
  return `${c.norm} ${what} ${tests.join(" or ")}`;
}

/** Ranges of time points as `1-3,7`, at most `max` ranges shown. */
export function rangesText(ranges: readonly (readonly [number, number])[], max = 4): string {
  const shown = ranges.slice(0, max).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  return shown.join(",") + (ranges.length > max ? ",..." : "");
}

/**
 * One row per iteration: the measure in the criteria's norm (headed `maxdif` under the
 * original's max norm), the relative one when --rtol-iterate is used, and the slices still moving.
 * For MGRIT (`change` given) the measure is the residual at the C-points, and the change of the
 * iterate follows it.
 */
/** Per iteration: its error against the serial fine reference (when known) and its wall time. */
export type IterationTiming = ReadonlyMap<number, { readonly error?: number | undefined; readonly seconds: number }>;

function wall(s: number): string {
  return s >= 1 ? `${s.toFixed(3)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(1)} ms` : `${(s * 1e6).toFixed(0)} us`;
}

export function iterationTable(c: Criteria, records: readonly MeasurementRecord[], slices: number, change?: readonly number[], timing?: IterationTiming): string[] {
  const mgrit = change !== undefined;
  const head = mgrit ? `${c.norm} residual` : c.norm === "max" ? "maxdif" : `${c.norm} change`;
  const relative = c.rtol !== undefined;
  const withError = timing !== undefined && [...timing.values()].some((t) => t.error !== undefined);
  const timed = timing !== undefined && timing.size > 0;
  const lines = [
    `  iteration  ${head.padEnd(12)}${relative ? "  relative    " : ""}${mgrit ? `  ${(c.norm + " change").padEnd(12)}` : ""}${withError ? "  error vs ref" : ""}${timed ? "  wall      " : ""}  moving ${mgrit ? "C-points" : "slices"}`,
  ];
  for (const r of records) {
    const moving = r.movingCount === 0 ? "none" : `${r.movingCount} of ${slices} (${rangesText(r.moving)})`;
    const d = mgrit ? `  ${(r.iteration === 0 ? "-" : change[r.iteration - 1]?.toExponential(6) ?? "-").padEnd(12)}` : "";
    const t = timing?.get(r.iteration);
    const e = withError ? `  ${(t?.error === undefined ? "-" : t.error.toExponential(3)).padEnd(12)}` : "";
    const w = timed ? `  ${(t === undefined ? "-" : wall(t.seconds)).padEnd(10)}` : "";
    lines.push(`  ${String(r.iteration).padStart(9)}  ${r.absolute.toExponential(6).padEnd(12)}${relative ? `  ${r.relative.toExponential(3).padEnd(10)}` : ""}${d}${e}${w}  ${moving}`);
  }
  return lines;
}
