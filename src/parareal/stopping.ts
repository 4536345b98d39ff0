/**
 * The stopping criteria (criteria.ts) in a real run: every iterate, as expressions, is reduced and
 * measured against the one before; each measurement is logged and kept in the plain form that
 * run.json and --json record.
 */
import { reduceAsync } from "../evaluate/reduce.js";
import type { Vector } from "../expr/vector.js";
import { log } from "../log.js";
import { Convergence, measure, type Measurement, type StoppingCriteria } from "./criteria.js";

/** Runs of more slices than this keep no per-slice values in --json (moving ranges only): memory. */
export const PER_SLICE_LIMIT = 10_000;

/** One measurement as run.json and --json give it. */
export interface MeasurementRecord {
  /** the iterate measured */
  readonly iteration: number;
  /** the norm of the difference (the original's maxdif under the default criteria) */
  readonly absolute: number;
  /** the norm of the newer iterate (MGRIT's residual: of the iterate at the C-points) */
  readonly size: number;
  /** absolute / size */
  readonly relative: number;
  readonly converged: boolean;
  /** the tolerance that stopped it */
  readonly by?: "tol" | "rtol";
  /** how many time points (slices by their end point, 1..N) still move */
  readonly movingCount: number;
  /** those time points as inclusive ranges [first, last] */
  readonly moving: Array<[number, number]>;
  /** per time point 0..N (0 for point 0): the norm of its difference; absent beyond PER_SLICE_LIMIT */
  perSlice?: number[];
}

/** Sorted integers as inclusive ranges: [1, 2, 3, 7] -> [[1, 3], [7, 7]]. */
export function toRanges(xs: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const x of xs) {
    const last = out.at(-1);
    if (last !== undefined && last[1] === x - 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

export function recordOf(iteration: number, m: Measurement): MeasurementRecord {
  return {
    iteration,
    absolute: m.absolute,
    size: m.size,
    relative: m.relative,
    converged: m.converged,
    ...(m.by === undefined ? {} : { by: m.by }),
    movingCount: m.moving.length,
    moving: toRanges(m.moving),
    ...(m.perSlice.length - 1 <= PER_SLICE_LIMIT ? { perSlice: Array.from(m.perSlice) } : {}),
  };
}

/** run.json keeps the measurements without the per-slice values (they can be many). */
export function withoutPerSlice(records: readonly MeasurementRecord[]): MeasurementRecord[] {
  return records.map(({ perSlice: _, ...rest }) => rest);
}

/**
 * Parareal's convergence test under any criteria: iterate k against iterate k-1 at every time
 * point. Under the max norm it also logs the original's `maxdif of X` line.
 */
export class IterateStopping {
  readonly convergence: Convergence;
  readonly records: MeasurementRecord[] = [];
  private last: Float64Array[] | undefined;
  /** iterates seen: the last one is iteration `seen - 1` */
  seen = 0;

  constructor(criteria: Partial<StoppingCriteria> = {}) {
    this.convergence = new Convergence(criteria);
  }

  get criteria(): StoppingCriteria {
    return this.convergence.criteria;
  }

  get maxdif(): readonly number[] {
    return this.convergence.maxdif;
  }

  /** the last iterate measured, reduced */
  get latest(): readonly Float64Array[] | undefined {
    return this.last;
  }

  /** The test `Parareal.wait` calls: reduce, measure, log, decide. */
  readonly test = async (y: readonly Vector[]): Promise<boolean> => this.check(await Promise.all(y.map(reduceAsync)));

  check(y: Float64Array[]): boolean {
    const previous = this.last;
    this.last = y;
    const k = this.seen++;
    if (previous === undefined) return false;
    const m = measure(this.criteria, y, previous);
    if (this.criteria.norm === "max") log.info(`maxdif of ${m.absolute.toFixed(6)}`);
    this.records.push(recordOf(k, m));
    return this.convergence.record(m);
  }
}
