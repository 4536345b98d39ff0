/**
 * Upper bounds on the sizes a run may ask for, checked before anything runs: a typo such as
 * `--param n=1e9` must be one line and exit 2, not an allocation failure, a 250 MB run.json or a
 * driver that grows until the machine kills it.
 */
import { UsageError } from "./errors.js";

/**
 * Most numbers in a state (heat1d's n, a module's dim): run.json and --resume keep y0 in full, a
 * few MB at this size, and a fine job's table of rows x dim stays within MAX_FILE_NUMBERS anyway.
 */
export const MAX_DIMENSION = 100_000;

/**
 * Most numbers in one iterate (time points x state): the driver keeps a few iterates, and the
 * states of every slice laid out, in memory; 2^23 numbers is 64 MiB per iterate.
 */
export const MAX_ITERATE_NUMBERS = 2 ** 23;

/**
 * Most numbers an implicit method's dense Jacobian may have (dim^2): a problem without a
 * tridiagonal Jacobian gets a dim x dim matrix and an O(dim^3) factorisation per Newton step.
 */
export const MAX_DENSE_DIMENSION = 2048;

/** A parameter that sets a size: a whole number within bounds (heat1d's n). */
export interface SizeBound {
  readonly min: number;
  readonly max: number;
}

/** `option key=value` refused unless a whole number within its bound. */
export function checkSizeParameter(option: string, problem: string, key: string, value: number, bound: SizeBound): void {
  if (!(Number.isSafeInteger(value) && value >= bound.min && value <= bound.max)) {
    throw new UsageError(`${option} ${key}=${value}: \`${key}\` of \`${problem}\` sets a size: give an integer from ${bound.min} to ${bound.max}`);
  }
}

/** The state dimension a problem built from the given parameters has, within bounds. */
export function checkDimension(dim: unknown, what: string): number {
  if (!(typeof dim === "number" && Number.isSafeInteger(dim) && dim >= 1)) throw new UsageError(`${what}: the problem's dim must be an integer >= 1, not ${String(dim)}`);
  if (dim > MAX_DIMENSION) throw new UsageError(`${what}: a state of ${dim} numbers; at most ${MAX_DIMENSION}`);
  return dim;
}

/** Time points x state within what the driver holds in memory. */
export function checkIterateSize(points: number, dim: number): void {
  if (points * dim > MAX_ITERATE_NUMBERS) {
    const most = Math.max(2, Math.floor(MAX_ITERATE_NUMBERS / dim));
    throw new UsageError(`--points ${points}: with a state of ${dim} numbers an iterate holds ${points * dim} numbers, at most ${MAX_ITERATE_NUMBERS} (64 MiB); give --points ${most} or fewer`);
  }
}

/** Most numbers of y0 an event (the dashboard's run line) shows; run.json keeps it whole. */
export const SHOWN_Y0_NUMBERS = 64;

/**
 * Parameters for display (events.jsonl, the dashboard): a long y0 is summarised, so that a grid
 * of 100,000 points is not 2 MB in every viewer's first line (the dashboard refuses such a line).
 */
export function summarisedParameters<P extends Readonly<Record<string, unknown>>>(parameters: P): Record<string, unknown> {
  const y0 = parameters["y0"];
  if (!Array.isArray(y0) || y0.length <= SHOWN_Y0_NUMBERS) return { ...parameters };
  return { ...parameters, y0: `${y0.length} numbers: ${y0.slice(0, 4).join(", ")}, ..., ${y0.slice(-2).join(", ")}` };
}
