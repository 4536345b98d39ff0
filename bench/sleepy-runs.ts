/**
 * The sleeping problem of issue 15 (examples/problems/sleepy.mjs with ms=3: fine jobs of ~120 ms
 * of sleeping right-hand side, coarse steps of 3 ms, 20 slices, 3 iterations) run on 1, 2, 4, 8
 * and 16 worker threads. Shared by the `workers` and
 * `projection` sections: each count runs once per bench process, its run directories kept for
 * `parareal project` until the process exits.
 */
import { join } from "node:path";
import { medianIndex } from "./stats.js";
import { repoRoot, timeRuns, type TimedRun } from "./parareal-cli.js";

export const SLEEPY = join(repoRoot, "examples", "problems", "sleepy.mjs");
export const WORKER_COUNTS = [1, 2, 4, 8, 16] as const;
export const SLEEPY_REPS = 3;

export interface SleepyRuns {
  readonly workers: number;
  readonly runs: readonly TimedRun[];
  /** the run with the median parareal wall time (its directory is kept) */
  readonly median: TimedRun;
}

/** the parareal phase's wall time, from run.json */
export function wallSeconds(run: TimedRun): number {
  const s = run.record.wallSeconds;
  if (s === undefined) throw new Error(`${run.output}/run.json has no wallSeconds`);
  return s;
}

const cache = new Map<number, Promise<SleepyRuns>>();

export function sleepyRuns(workers: number): Promise<SleepyRuns> {
  let runs = cache.get(workers);
  if (runs === undefined) {
    runs = timeRuns(["--problem", SLEEPY, "--param", "ms=3", "--no-reference", "--workers", String(workers), "--json"], SLEEPY_REPS, { keep: true }).then((rs) => ({
      workers,
      runs: rs,
      median: rs[medianIndex(rs.map(wallSeconds))]!,
    }));
    cache.set(workers, runs);
  }
  return runs;
}
