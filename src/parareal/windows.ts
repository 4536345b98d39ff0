/**
 * Time windows (--window W): the time points are cut into windows of W intervals each (the
 * last may be shorter) and parareal runs on each window in turn, from the converged end state
 * of the window before. The cut is the original's (pintFoam's cylinder_run.py):
 *
 *   def time_windows(times, window_size):
 *       n_intervals = len(times) - 1
 *       n = int(ceil(n_intervals / window_size))
 *       m = window_size
 *       return [times[i*m:min(i*m+m+1, len(times))] for i in range(n)]
 *
 * so neighbouring windows share their boundary point.
 */
import { tabulate } from "../ode/tabulate.js";
import type { Solution } from "../ode/problem.js";
import { parareal, type Mapping } from "./serial.js";
import { Convergence, type Measurement, type StoppingCriteria } from "./criteria.js";

function checkWindowSize(windowSize: number): void {
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`the window size must be a whole number of intervals >= 1, got ${windowSize}`);
}

/** [first, last] point index of every window of `windowSize` intervals over `points` time points. */
export function windowBounds(points: number, windowSize: number): Array<[number, number]> {
  checkWindowSize(windowSize);
  const n = Math.ceil((points - 1) / windowSize);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) out.push([i * windowSize, Math.min(i * windowSize + windowSize + 1, points) - 1]);
  return out;
}

/** The original's time_windows(times, window_size): copies of the windows' time points. */
export function timeWindows(times: ArrayLike<number>, windowSize: number): Float64Array[] {
  return windowBounds(times.length, windowSize).map(([a, b]) => Float64Array.from({ length: b - a + 1 }, (_, i) => times[a + i]!));
}

export interface PararealRunOptions {
  /** default: max norm, tol 1e-4 (the original's) */
  readonly criteria?: Partial<StoppingCriteria>;
  /** corrections at most (default: the number of slices, after which parareal is exact) */
  readonly maxIterations?: number;
  readonly c2f?: Mapping;
  readonly f2c?: Mapping;
}

export interface PararealRun {
  readonly converged: boolean;
  /** corrections made: the index of the last iterate */
  readonly iterations: number;
  /** iterates 0..iterations, each at every time point */
  readonly iterates: Float64Array[][];
  readonly final: Float64Array[];
  /** one per correction */
  readonly measurements: readonly Measurement[];
  /** fine jobs as the scheduler runs them: iteration k solves slices k..N only (the rest are exact) */
  readonly fineJobs: number;
}

/**
 * Parareal on plain arrays until the criteria pass or `maxIterations` corrections: iteration 0
 * is the coarse solver's serial sweep (c2f(C(f2c(y))) per slice, from y0 itself, as the
 * scheduler does), then `parareal()` iterations, each tested against the one before.
 */
export function runPararealOracle(coarse: Solution, fine: Solution, y0: Float64Array, t: ArrayLike<number>, options: PararealRunOptions = {}): PararealRun {
  const slices = t.length - 1;
  if (slices < 1) throw new RangeError("parareal needs at least two time points");
  const maxIterations = options.maxIterations ?? slices;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError(`maxIterations must be a whole number >= 0, got ${maxIterations}`);
  const c2f = options.c2f ?? ((y: Float64Array) => y);
  const f2c = options.f2c ?? ((y: Float64Array) => y);
  const mapped: Solution = options.c2f || options.f2c ? (y, t0, t1) => c2f(coarse(f2c(y), t0, t1)) : coarse;
  const step = parareal(coarse, fine, options.c2f, options.f2c);
  const convergence = new Convergence(options.criteria);
  const iterates = [tabulate(mapped, y0, t)];
  convergence.convergenceTest(iterates[0]!);
  let converged = false;
  for (let k = 1; k <= maxIterations; k++) {
    iterates.push(step(iterates[k - 1]!, t));
    if (convergence.convergenceTest(iterates[k]!)) {
      converged = true;
      break;
    }
  }
  const K = iterates.length - 1;
  return {
    converged,
    iterations: K,
    iterates,
    final: iterates[K]!,
    measurements: convergence.measurements,
    fineJobs: scheduledFineJobs(slices, K),
  };
}

/** Fine jobs of K parareal iterations over N slices as the scheduler runs them: N - k + 1 in iteration k. */
export function scheduledFineJobs(slices: number, iterations: number): number {
  const K = Math.min(iterations, slices);
  return slices * K - (K * (K - 1)) / 2;
}

export interface WindowReport extends PararealRun {
  /** first and last point index of the window */
  readonly start: number;
  readonly end: number;
  /** as many corrections as slices: exact by parareal's exactness property, converged or not */
  readonly exact: boolean;
}

export interface WindowedResult {
  /** every window converged (or ran to exactness) */
  readonly converged: boolean;
  /** the state at every time point: each window's last iterate, boundaries from the later window's start */
  readonly final: Float64Array[];
  readonly windows: readonly WindowReport[];
  readonly fineJobs: number;
}

/**
 * Windowed parareal on plain arrays: time_windows(t, windowSize), parareal on each window in
 * turn from the end state of the window before, each until the criteria pass (or its own
 * maxIterations, by default its number of slices). The window's slice count caps
 * `maxIterations`.
 */
export function windowedParareal(
  coarse: Solution,
  fine: Solution,
  y0: Float64Array,
  t: ArrayLike<number>,
  windowSize: number,
  options: PararealRunOptions = {},
): WindowedResult {
  const final: Float64Array[] = [Float64Array.from(y0)];
  const windows: WindowReport[] = [];
  for (const [start, end] of windowBounds(t.length, windowSize)) {
    const tw = Float64Array.from({ length: end - start + 1 }, (_, i) => t[start + i]!);
    const slices = end - start;
    const maxIterations = Math.min(options.maxIterations ?? slices, slices);
    const run = runPararealOracle(coarse, fine, final[start]!, tw, { ...options, maxIterations });
    windows.push({ ...run, start, end, exact: run.iterations >= slices });
    for (let i = 1; i < run.final.length; i++) final.push(run.final[i]!);
  }
  return {
    converged: windows.every((w) => w.converged || w.exact),
    final,
    windows,
    fineJobs: windows.reduce((a, w) => a + w.fineJobs, 0),
  };
}
