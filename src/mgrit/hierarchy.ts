/**
 * The MGRIT level hierarchy: which time points each level keeps.
 *
 * Level 0 is the given time grid t_0 < ... < t_N (the --points). Level l+1 keeps every m-th
 * point of level l: positions 0, m, 2m, ... of level l, and always its last point. These are
 * level l's C-points; the others are its F-points. Every point of level l+1 is a C-point of
 * level l, and every level runs from t_0 to t_N.
 *
 * Grids whose interval count is not a multiple of m (so not a power of m either): the last
 * point is kept anyway, so the last coarse interval is shorter, spanning N_l mod m intervals of
 * level l. (XBraid and PyMGRIT instead drop the trailing points from the coarse grid and leave
 * them to F-relaxation; keeping t_N on every level means the coarsest serial solve always
 * reaches the end time and every F-point lies between two C-points, so relaxation, residual and
 * restriction need no special case.)
 */

export interface Level {
  /** 0 for the finest level */
  readonly index: number;
  /** indices into the finest grid of this level's points, increasing, from 0 to N */
  readonly points: Int32Array;
  /** times of this level's points (a subset of the finest grid's, bit for bit) */
  readonly t: Float64Array;
  /**
   * positions (into `points`) of this level's C-points, which are the next level's points;
   * on the coarsest level, which is solved serially, every point
   */
  readonly cpoints: Int32Array;
}

export interface Hierarchy {
  readonly coarsening: number;
  readonly levels: readonly Level[];
}

/** C-point positions of a level with `intervals` intervals: 0, m, 2m, ... and `intervals` itself. */
export function cpointPositions(intervals: number, m: number): Int32Array {
  const count = Math.ceil(intervals / m) + 1;
  const out = new Int32Array(count);
  for (let j = 0; j < count - 1; j++) out[j] = j * m;
  out[count - 1] = intervals;
  return out;
}

function positiveInteger(x: number, min: number, what: string): void {
  if (!Number.isInteger(x) || x < min) throw new RangeError(`MGRIT needs ${what} to be a whole number >= ${min}, got ${x}`);
}

/**
 * The levels of MGRIT on the time grid t: `levels` >= 2 levels, coarsening factor m >= 2.
 * Every level that is coarsened must have at least 2 intervals (else it would not get coarser).
 */
export function buildHierarchy(t: ArrayLike<number>, levels: number, m: number): Hierarchy {
  positiveInteger(levels, 2, "the number of levels");
  positiveInteger(m, 2, "the coarsening factor");
  if (t.length < 2) throw new RangeError("MGRIT needs at least two time points");
  const out: Level[] = [];
  let points = Int32Array.from({ length: t.length }, (_, i) => i);
  for (let l = 0; l < levels; l++) {
    const intervals = points.length - 1;
    const coarsest = l === levels - 1;
    if (!coarsest && intervals < 2) {
      throw new RangeError(
        `MGRIT with ${levels} levels and coarsening ${m} needs more time points: level ${l} has ${intervals} interval${intervals === 1 ? "" : "s"} and cannot be coarsened`,
      );
    }
    const cpoints = coarsest ? Int32Array.from({ length: points.length }, (_, i) => i) : cpointPositions(intervals, m);
    const times = Float64Array.from(points, (p) => t[p]!);
    out.push({ index: l, points, t: times, cpoints });
    if (!coarsest) points = Int32Array.from(cpoints, (c) => points[c]!);
  }
  return { coarsening: m, levels: out };
}

/** Intervals per level, finest first: e.g. [256, 64, 16] for 257 points, m = 4, 3 levels. */
export function intervalsPerLevel(h: Hierarchy): number[] {
  return h.levels.map((l) => l.points.length - 1);
}
