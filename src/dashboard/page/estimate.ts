/**
 * Time left, estimated from what the run showed so far:
 *  - reference phase: the serial reference's slices left times their mean duration so far, plus
 *    nothing for parareal yet (it cannot be estimated before it starts);
 *  - parareal: the iterations still needed, from the trend of log10(maxdif) over the last three
 *    checked iterates extrapolated down to tol (at most the scheduled maximum); iteration k has
 *    fine work on slices k..N only, so their time is the recent time per slice of fine work
 *    (time between the last checks / slices those iterations computed) times the slices the
 *    remaining iterations will compute, less the time since the last check.
 */
import type { RunModel } from "./model.js";

export interface Estimate {
  /** undefined when there is nothing to go on yet */
  readonly seconds: number | undefined;
  /** how it was made, shown beside it */
  readonly basis: string;
}

const RECENT = 3;

export function timeLeft(model: RunModel, clock: number): Estimate {
  if (model.end) return { seconds: 0, basis: "finished" };
  const run = model.run;
  if (!run) return { seconds: undefined, basis: "waiting for the run" };
  if (model.phase === "reference" || (model.phase === undefined && model.hasReference)) {
    let settled = 0;
    let busy = 0;
    for (const job of model.jobs.values()) {
      if (job.phase !== "reference" || job.endAt === undefined) continue;
      settled++;
      busy += job.seconds ?? (job.startAt !== undefined ? job.endAt - job.startAt : 0);
    }
    if (settled === 0) return { seconds: undefined, basis: "reference: no slice done yet" };
    return { seconds: (run.slices - settled) * (busy / settled), basis: "reference slices left × mean slice time; parareal not yet estimable" };
  }
  const points = model.maxdifPoints();
  if (points.length < 2) return { seconds: undefined, basis: "needs two checked iterations" };
  const recent = points.slice(-RECENT);
  const last = recent[recent.length - 1]!;
  const first = recent[0]!;
  const needed = iterationsToTolerance(
    recent.map((p) => p.iteration),
    recent.map((p) => Math.log10(Math.max(p.maxdif!, Number.MIN_VALUE))),
    Math.log10(run.tol),
  );
  const target = Math.min(run.maxIterations, last.iteration + needed);
  const recentSlices = slicesComputed(run.slices, first.iteration + 1, last.iteration);
  const remainingSlices = slicesComputed(run.slices, last.iteration + 1, target);
  const perSlice = (last.at - first.at) / Math.max(recentSlices, 1);
  const seconds = Math.max(remainingSlices * perSlice - (clock - last.at), 0);
  return { seconds, basis: `≈ ${target - last.iteration} more iteration(s) to reach tol (maxdif trend), at the recent pace per slice of fine work` };
}

/**
 * Iterations after the last point until the least-squares line through (x, y) falls below
 * `target` (at least 1 while above it); Infinity when the line does not fall.
 */
export function iterationsToTolerance(x: readonly number[], y: readonly number[], target: number): number {
  const n = x.length;
  const yLast = y[n - 1]!;
  if (yLast < target) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]! / n;
    my += y[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  if (!(slope < 0)) return Infinity;
  return Math.max(1, Math.ceil((target - yLast) / slope));
}

/**
 * Slices iterations a..b compute together: iteration k computes slices k..N, at least one, i.e.
 * the sum of max(N - k + 1, 1). In closed form: iterations and slices come from the events, and
 * may be as large as the events say.
 */
export function slicesComputed(slices: number, a: number, b: number): number {
  if (b < a) return 0;
  // k <= N: N - k + 1 each (an arithmetic series); k > N: one each
  const lastFull = Math.min(b, slices);
  const full = lastFull >= a ? ((slices - a + 1 + (slices - lastFull + 1)) * (lastFull - a + 1)) / 2 : 0;
  return full + Math.max(b - Math.max(a, slices + 1) + 1, 0);
}
