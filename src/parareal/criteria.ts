/**
 * Stopping criteria for parareal and MGRIT: a norm over the state, an absolute and a relative
 * tolerance, and per-slice differences (which slices still move).
 *
 * Norms, over every compared time point i and every component j of d = a - b:
 *   max  max_ij |d_ij|             the original's maxdif (NaN propagates: never converged)
 *   l2   sqrt(sum_ij d_ij^2)       XBraid's default: the temporal 2-norm of spatial 2-norms
 *   rms  sqrt(mean_ij d_ij^2)      l2 / sqrt(count): does not grow with the points or the state size
 * The time points compared are 1..N: point 0 is the initial state, the same in every iterate,
 * and excluded so that rms averages over the slices only (it changes neither max nor l2).
 *
 * Convergence: `absolute < tol` or `absolute < rtol * size`, where size is the norm of the newer
 * iterate over the same entries. Strict inequalities, so tol = 0 (and no rtol) never converges:
 * the run does exactly its maximum number of iterations (PararealML's convention). NaN never
 * converges. Either tolerance may be given alone; with both, meeting either one stops.
 */
import { log } from "../log.js";

export type NormKind = "max" | "rms" | "l2";
export const NORMS: readonly NormKind[] = ["max", "rms", "l2"];

export interface StoppingCriteria {
  readonly norm: NormKind;
  /** absolute tolerance; 0: the absolute test never passes */
  readonly tol: number;
  /** tolerance relative to the size of the newer iterate in the same norm; absent: not used */
  readonly rtol?: number | undefined;
}

/** The original's: max norm, tol 1e-4, no relative test. */
export const DEFAULT_CRITERIA: StoppingCriteria = { norm: "max", tol: 1e-4 };

/** Throws a RangeError naming the value if the criteria cannot be used. */
export function checkCriteria(c: StoppingCriteria): StoppingCriteria {
  if (!NORMS.includes(c.norm)) throw new RangeError(`unknown norm \`${String(c.norm)}\` (known: ${NORMS.join(", ")})`);
  if (!(c.tol >= 0) || !Number.isFinite(c.tol)) throw new RangeError(`tol must be a finite number >= 0, got ${c.tol}`);
  if (c.rtol !== undefined && (!(c.rtol >= 0) || !Number.isFinite(c.rtol))) throw new RangeError(`rtol must be a finite number >= 0, got ${c.rtol}`);
  return c;
}

/**
 * Accumulates values into one of the norms. `add` takes one value; `result` gives the norm of
 * everything added. NaN is sticky for every kind.
 */
class Accumulator {
  private m = 0;
  private sum = 0;
  private count = 0;
  private nan = false;
  constructor(private readonly kind: NormKind) {}

  add(x: number): void {
    const a = Math.abs(x);
    if (Number.isNaN(a)) this.nan = true;
    else if (this.kind === "max") {
      if (a > this.m) this.m = a;
    } else this.sum += a * a;
    this.count++;
  }

  result(): number {
    if (this.nan) return Number.NaN;
    if (this.kind === "max") return this.m;
    if (this.kind === "l2") return Math.sqrt(this.sum);
    return this.count === 0 ? 0 : Math.sqrt(this.sum / this.count);
  }
}

/** The norm of every value of xs[from], xs[from + 1], ... */
export function norm(kind: NormKind, xs: readonly Float64Array[], from = 0): number {
  const acc = new Accumulator(kind);
  for (let i = from; i < xs.length; i++) {
    const x = xs[i]!;
    for (let j = 0; j < x.length; j++) acc.add(x[j]!);
  }
  return acc.result();
}

/** The norm of a - b over entries from..end, computed without building a - b. */
export function differenceNorm(kind: NormKind, a: readonly Float64Array[], b: readonly Float64Array[], from = 0): number {
  sameShape(a, b);
  const acc = new Accumulator(kind);
  for (let i = from; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    for (let j = 0; j < x.length; j++) acc.add(x[j]! - y[j]!);
  }
  return acc.result();
}

/** Per entry i: the norm of a[i] - b[i] over its components (entries before `from` are 0). */
export function sliceDifferences(kind: NormKind, a: readonly Float64Array[], b: readonly Float64Array[], from = 0): Float64Array {
  sameShape(a, b);
  const out = new Float64Array(a.length);
  for (let i = from; i < a.length; i++) out[i] = differenceNorm(kind, [a[i]!], [b[i]!]);
  return out;
}

function sameShape(a: readonly Float64Array[], b: readonly Float64Array[]): void {
  if (a.length !== b.length) throw new RangeError(`cannot compare ${a.length} time points with ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.length !== b[i]!.length) throw new RangeError(`time point ${i}: state of ${a[i]!.length} values against ${b[i]!.length}`);
  }
}

/** `absolute` against the tolerances, for a newer iterate of norm `size`: which one passed, if any. */
export function passes(c: StoppingCriteria, absolute: number, size: number): "tol" | "rtol" | undefined {
  if (absolute < c.tol) return "tol";
  if (c.rtol !== undefined && absolute < c.rtol * size) return "rtol";
  return undefined;
}

/** One test of the criteria: what was measured and what it decided. */
export interface Measurement {
  /** ||newer - older|| over entries 1..N */
  readonly absolute: number;
  /** ||newer|| over the same entries */
  readonly size: number;
  /** absolute / size (0 when absolute is 0) */
  readonly relative: number;
  /** per entry i (0 for entry 0): ||newer[i] - older[i]|| over its components */
  readonly perSlice: Float64Array;
  /** the entries still moving: nonzero difference that passes neither tolerance on its own */
  readonly moving: readonly number[];
  readonly converged: boolean;
  /** the tolerance that stopped it */
  readonly by?: "tol" | "rtol";
}

/**
 * Measure `newer` against `older` (entries 1..N; entry 0, the initial state, is never
 * compared). For parareal, newer and older are successive iterates; for MGRIT's residual,
 * newer is the state one fine propagation gives at each C-point and older the iterate there
 * (then `size` should be the iterate's: pass it as `sizeOf`).
 */
export function measure(
  c: StoppingCriteria,
  newer: readonly Float64Array[],
  older: readonly Float64Array[],
  sizeOf: readonly Float64Array[] = newer,
): Measurement {
  const absolute = differenceNorm(c.norm, newer, older, 1);
  const size = norm(c.norm, sizeOf, 1);
  const relative = absolute === 0 ? 0 : absolute / size;
  const perSlice = sliceDifferences(c.norm, newer, older, 1);
  const moving: number[] = [];
  for (let i = 1; i < perSlice.length; i++) {
    const d = perSlice[i]!;
    if (d !== 0 && passes(c, d, norm(c.norm, [sizeOf[i]!])) === undefined) moving.push(i);
  }
  const by = passes(c, absolute, size);
  return { absolute, size, relative, perSlice, moving, converged: by !== undefined, ...(by === undefined ? {} : { by }) };
}

/** One log line with every criterion's measured value. */
export function describe(c: StoppingCriteria, m: Measurement, what = "|y^k - y^(k-1)|", slices = m.perSlice.length - 1): string {
  const rtol = c.rtol === undefined ? "" : ` (rtol ${c.rtol})`;
  const first = m.moving.length > 0 ? `, first ${m.moving[0]}` : "";
  return `${c.norm} ${what} = ${m.absolute.toExponential(6)} (tol ${c.tol}), relative ${m.relative.toExponential(6)}${rtol}; ${m.moving.length} of ${slices} slices moving${first}`;
}

/**
 * Keeps the last iterate and tests each new one against it, like History (same
 * `convergenceTest(y)`), under any criteria; `maxdif` holds the absolute measure per iteration
 * (the original's maxdif under the default criteria), `measurements` everything measured.
 */
export class Convergence {
  readonly criteria: StoppingCriteria;
  readonly maxdif: number[] = [];
  readonly measurements: Measurement[] = [];
  /** iterates seen: the last one is iteration `seen - 1` */
  seen = 0;
  private last: Float64Array[] | undefined;

  constructor(criteria: Partial<StoppingCriteria> = {}) {
    this.criteria = checkCriteria({ ...DEFAULT_CRITERIA, ...criteria });
  }

  /** The newest iterate seen. */
  get latest(): Float64Array[] | undefined {
    return this.last;
  }

  convergenceTest(y: Float64Array[]): boolean {
    const previous = this.last;
    this.last = y;
    this.seen++;
    if (previous === undefined) return false;
    return this.record(measure(this.criteria, y, previous));
  }

  /** Record a measurement made elsewhere (MGRIT's residual) and log it. */
  record(m: Measurement, what?: string): boolean {
    this.maxdif.push(m.absolute);
    this.measurements.push(m);
    log.info(`iteration ${this.maxdif.length}: ${describe(this.criteria, m, what)}`);
    if (m.converged) log.info(`Converged after ${this.maxdif.length} iterations (${m.by})`);
    return m.converged;
  }
}
