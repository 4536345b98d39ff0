/** Keeps track of iterates as they come in and decides convergence, as the original's History. */
import { log } from "../log.js";
import { maxAbsDiff } from "./serial.js";
import { reduceAsync } from "../evaluate/reduce.js";
import type { Vector } from "../expr/vector.js";

export class History {
  /** the reduced iterates kept, oldest first: all of them, or the last `keep` */
  readonly iterates: Float64Array[][] = [];
  /** max |y^k - y^(k-1)| for k = 1, 2, ... */
  readonly maxdif: number[] = [];
  /** iterates seen, kept or not: the last one is iteration `seen - 1` */
  seen = 0;

  /** `keep`: how many iterates to hold (a long run of many slices needs only the last two) */
  constructor(
    readonly tol = 1e-4,
    readonly keep = Number.POSITIVE_INFINITY,
  ) {}

  convergenceTest(y: Float64Array[]): boolean {
    this.iterates.push(y);
    this.seen++;
    if (this.iterates.length > Math.max(2, this.keep)) this.iterates.shift();
    if (this.iterates.length < 2) return false;
    const d = maxAbsDiff(this.iterates[this.iterates.length - 2]!, y);
    this.maxdif.push(d);
    log.info(`maxdif of ${d.toFixed(6)}`);
    const converged = d < this.tol;
    if (converged) log.info(`Converged after ${this.maxdif.length} iterations`);
    return converged;
  }
}

/** The convergence test on expressions, as `Parareal.wait` calls it: reduce, then compare. */
export function convergenceTest(history: History): (y: Vector[]) => Promise<boolean> {
  return async (y) => history.convergenceTest(await Promise.all(y.map(reduceAsync)));
}
