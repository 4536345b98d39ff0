/**
 * Time windows in a real run (--window W): the time points are cut as the original's
 * time_windows(times, W) (windows.ts), and the method (parareal or MGRIT) runs on each window in
 * turn, from the converged end state of the window before. A window's iterations overlap nothing
 * of the next one: the next start state is known only when the window has converged.
 *
 * Archive: each window's fine files go to <output>/parareal/window-NNNN/ (NNNN from 0001), under
 * the usual names: iteration numbers count within the window, times are the run's own. A killed
 * run resumes (--resume) as any other: every window replays from its files, bit for bit, until
 * the one where it stopped, which continues from its last file.
 */
import { join } from "node:path";
import type { RunConfig } from "../config/run-config.js";
import { windowDirName } from "../archive/windows-layout.js";
import { literal } from "../expr/vector.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { log } from "../log.js";
import type { SegmentHooks, SegmentMethod, SegmentOutcome } from "./method.js";
import type { MeasurementRecord } from "./stopping.js";
import { windowBounds } from "./windows.js";

/** One window of a run, as run.json and --json record it. */
export interface WindowRecord {
  /** 1-based */
  readonly window: number;
  /** first and last time point index (the run's numbering) */
  readonly start: number;
  readonly end: number;
  readonly t0: number;
  readonly t1: number;
  /** under the run's parareal directory */
  readonly directory: string;
  readonly converged: boolean;
  /** as many iterations as make the window exact, converged or not */
  readonly exact: boolean;
  readonly iterations: number;
  readonly maxdif: number[];
  readonly measurements: MeasurementRecord[];
  readonly residual?: number[];
  /** fine jobs computed for this window, and taken from an earlier run's files (--resume) */
  readonly fineJobs: number;
  readonly resumedJobs: number;
}

export interface WindowedOutcome extends SegmentOutcome {
  readonly windows: WindowRecord[];
}

/** Iterations at most that make a window of `slices` intervals exact: parareal's slices, MGRIT's level-1 intervals. */
function exactAfter(config: RunConfig, slices: number): number {
  return config.mgrit === undefined ? slices : Math.ceil(slices / config.mgrit.coarsening);
}

/**
 * Run `method` on each window of `config.window` intervals in turn. Each window takes at most
 * `config.maxIterations` iterations, and no more than make it exact.
 */
export async function runWindows(config: RunConfig, executor: SolverExecutor, method: SegmentMethod, hooks: SegmentHooks): Promise<WindowedOutcome> {
  const size = config.window;
  if (size === undefined) throw new Error("runWindows: the configuration has no window size");
  const bounds = windowBounds(config.t.length, size);
  const windows: WindowRecord[] = [];
  const final: number[][] = [];
  const paths: number[] = [];
  let y0 = literal(config.y0);
  for (const [i, [start, end]] of bounds.entries()) {
    const w = i + 1;
    const t = config.t.slice(start, end + 1);
    const directory = windowDirName(w);
    log.info(`window ${w} of ${bounds.length}: t = ${t[0]} to ${t.at(-1)} (points ${start} to ${end})`);
    const before = { fine: executor.stats.completed.fine ?? 0, resumed: executor.stats.resumedJobs };
    const maxIterations = Math.min(config.maxIterations, exactAfter(config, end - start));
    const outcome = await method(config, executor, { t, y0, archive: join(config.layout.parareal, directory), maxIterations }, hooks);
    const record: WindowRecord = {
      window: w,
      start,
      end,
      t0: t[0]!,
      t1: t.at(-1)!,
      directory,
      converged: outcome.converged,
      exact: outcome.exact,
      iterations: outcome.iterations,
      maxdif: outcome.maxdif,
      measurements: outcome.measurements,
      ...(outcome.residual ? { residual: outcome.residual } : {}),
      fineJobs: (executor.stats.completed.fine ?? 0) - before.fine,
      resumedJobs: executor.stats.resumedJobs - before.resumed,
    };
    windows.push(record);
    paths.push(outcome.fineCriticalPath);
    log.info(`window ${w}: ${outcome.converged ? "converged" : outcome.exact ? "exact" : "not converged"} after ${outcome.iterations} iterations`);
    hooks.onWindow?.(record);
    // the first state of a window is the end state of the one before, exactly
    final.push(...(i === 0 ? outcome.final : outcome.final.slice(1)));
    y0 = literal(Float64Array.from(outcome.final.at(-1)!));
  }
  const residual = windows.flatMap((w) => w.residual ?? []);
  return {
    converged: windows.every((w) => w.converged || w.exact),
    iterations: windows.reduce((s, w) => s + w.iterations, 0),
    maxdif: windows.flatMap((w) => w.maxdif),
    measurements: windows.flatMap((w) => w.measurements),
    final,
    exact: windows.every((w) => w.exact),
    // windows run one after the other
    fineCriticalPath: paths.reduce((a, b) => a + b, 0),
    ...(residual.length > 0 ? { residual } : {}),
    windows,
  };
}
