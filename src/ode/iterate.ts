/**
 * Sub-stepping as the original's iterate_solution and the Fine solver: n = ceil((t1 - t0) / h)
 * steps over linspace(t0, t1, n + 1), each step's width taken from that linspace, not h.
 */
import { CancelledError } from "../errors.js";
import { linspaceAt } from "./linspace.js";
import type { Solution, Stepper } from "./problem.js";

export function subSteps(t0: number, t1: number, h: number): number {
  return Math.ceil((t1 - t0) / h);
}

/** The states after every sub-step, every `stride`-th row kept (and always the last). */
export interface Table {
  readonly data: Float64Array;
  readonly rows: number;
  readonly dim: number;
  /** sub-steps taken */
  readonly n: number;
  readonly stride: number;
}


/** Steps between two looks at `stop`: cheap to check, and still several times a second. */
const CHUNK = 1 << 16;

export function keptRows(n: number, stride: number): number {
  return Math.floor(n / stride) + 1 + (n % stride === 0 ? 0 : 1);
}

/**
 * The hot loop: n steps from t0 to t1 on linspace(t0, t1, n + 1), stepping one buffer in place
 * (no allocation, no modulo per step). With `table`, rows 0, stride, 2*stride, ... and the last
 * are written into it.
 */
function march(
  method: Stepper,
  y: Float64Array,
  t0: number,
  t1: number,
  n: number,
  stride: number,
  table: Float64Array | null,
  stop?: () => boolean,
): Float64Array {
  if (method.march !== undefined) return method.march(y, t0, t1, n, stride, table, stop);
  const dim = method.dim;
  const a = Float64Array.from(y);
  if (table) table.set(a, 0);
  const step = (t1 - t0) / n;
  const exact = step !== 0; // otherwise NumPy's underflow fallback, via linspaceAt
  let row = dim;
  let countdown = stride;
  let ta = t0;
  for (let i = 1; i <= n; i++) {
    const tb = i === n ? t1 : exact ? i * step + t0 : linspaceAt(t0, t1, n + 1, i);
    method.into(a, ta, tb, a);
    ta = tb;
    if (stop !== undefined && (i & (CHUNK - 1)) === 0 && stop()) throw new CancelledError("integration");
    if (table !== null && (--countdown === 0 || i === n)) {
      countdown = stride;
      for (let j = 0; j < dim; j++) table[row + j] = a[j]!;
      row += dim;
    }
  }
  return a;
}

/**
 * Integrate y from t0 to t1 in n sub-steps, keeping every `stride`-th state. With `scratch`
 * large enough, the table is a view into it (a typed array over 64 bytes costs microseconds to
 * allocate, more than a short slice takes to integrate).
 */
export function tabulateSubSteps(
  method: Stepper,
  y: Float64Array,
  t0: number,
  t1: number,
  n: number,
  stride = 1,
  scratch?: Float64Array,
  stop?: () => boolean,
): Table {
  const rows = keptRows(n, stride);
  const size = rows * method.dim;
  const data = scratch && scratch.length >= size ? scratch.subarray(0, size) : new Float64Array(size);
  march(method, y, t0, t1, n, stride, data, stop);
  return { data, rows, dim: method.dim, n, stride };
}

export function iterateSolution(method: Stepper, h: number): Solution {
  return (y, t0, t1) => march(method, y, t0, t1, subSteps(t0, t1, h), 1, null);
}
