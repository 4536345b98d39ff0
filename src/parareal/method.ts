/**
 * An iterative method (parareal, MGRIT) over one span of time points, as the driver runs it:
 * over the whole run, or over each time window in turn (windowed.ts). The driver chooses the
 * method (a parameter, so that this folder needs no import of src/mgrit) and counts jobs.
 */
import type { RunConfig } from "../config/run-config.js";
import { reduceAsync } from "../evaluate/reduce.js";
import type { Vector } from "../expr/vector.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import type { WindowRecord } from "./windowed.js";
import { Parareal } from "./scheduler.js";
import { IterateStopping, type MeasurementRecord } from "./stopping.js";

/** What one method run covers. */
export interface Segment {
  /** its time points: the run's, or a window's */
  readonly t: Float64Array;
  /** the state at t[0] */
  readonly y0: Vector;
  /** the directory that receives its fine files */
  readonly archive: string;
  /** corrections at most */
  readonly maxIterations: number;
}

export interface SegmentOutcome {
  readonly converged: boolean;
  /** corrections (parareal) or V-cycles (MGRIT) made */
  readonly iterations: number;
  /** the change of the iterate per iteration, in the criteria's norm (1..iterations) */
  readonly maxdif: number[];
  /** what the criteria measured per iteration (MGRIT: the residual, iterates 0..iterations) */
  readonly measurements: MeasurementRecord[];
  /** the last iterate at every time point of the segment */
  readonly final: number[][];
  /** enough iterations were made for the result to be the serial fine solution, converged or not */
  readonly exact: boolean;
  /** MGRIT: the residual's norm of iterates 0..iterations */
  readonly residual?: number[];
  /** fine solves on the longest chain of dependent jobs that made the result (parallel time in fine jobs) */
  readonly fineCriticalPath: number;
}

/** What a method tells the driver as it goes. */
export interface SegmentHooks {
  /** iterate k was checked: the change since the one before (undefined for k = 0), and its values where known */
  readonly onIterate?: (k: number, maxdif: number | undefined, values?: readonly Float64Array[]) => void;
  /** a time window is done (--window) */
  readonly onWindow?: (window: WindowRecord) => void;
}

export type SegmentMethod = (config: RunConfig, executor: SolverExecutor, segment: Segment, hooks: SegmentHooks) => Promise<SegmentOutcome>;

export async function values(ys: readonly Vector[]): Promise<number[][]> {
  return Promise.all(ys.map(async (y) => Array.from(await reduceAsync(y))));
}

/** Parareal over the segment until the criteria pass or maxIterations corrections. */
export const pararealSegment: SegmentMethod = async (config, executor, segment, hooks) => {
  const p = new Parareal(executor, (k) => config.coarse(k), (k) => config.fine(k, segment.archive), { maxIterations: segment.maxIterations });
  const stopping = new IterateStopping(config.criteria);
  const result = await p.wait(p.schedule(segment.y0, segment.t), async (y) => {
    const done = await stopping.test(y);
    hooks.onIterate?.(stopping.seen - 1, stopping.maxdif.at(-1), stopping.latest);
    return done;
  });
  return {
    converged: result.converged,
    iterations: result.iterations,
    maxdif: [...stopping.maxdif],
    measurements: stopping.records,
    final: await values(result.iterate),
    // after as many corrections as slices every slice is the fine solution's
    exact: result.iterations >= segment.t.length - 1,
    // iterate k depends on k fine solves in a row, F(y^(k-1)) on F(y^(k-2)) ...
    fineCriticalPath: result.iterations,
  };
};
