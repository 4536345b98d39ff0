/**
 * Parareal on an OpenFOAM case with the serial oracle `parareal()` on plain arrays: coarse = the
 * case run at the coarse time step, fine = at the fine time step, both blocking. No executors, no
 * archive: a check of the physics and of the OpenFOAM layer, and the reference the executors'
 * results must equal.
 */
import { parareal, maxAbsDiff, type Mapping } from "../src/parareal/serial.js";
import type { Solution } from "../src/ode/problem.js";
import { finalState, runCaseSync } from "../src/openfoam/case-run.js";
import { mapStateSync } from "../src/openfoam/map-fields.js";
import { initialState, type PreparedCase } from "../src/openfoam/prepare-case.js";

export interface SerialCaseOptions {
  readonly prepared: PreparedCase;
  /** the time points t_0 < ... < t_N (t_0 is the state's time) */
  readonly t: ArrayLike<number>;
  readonly fineDt: number;
  readonly coarseDt: number;
  /** convergence: max |y^k - y^(k-1)| < tol */
  readonly tol: number;
  /** corrections at most (default: the number of slices) */
  readonly maxIterations?: number;
  /** the run's root: scratch copies go under it */
  readonly root: string;
  /** initial state (default: the case's, at its start time) */
  readonly y0?: Float64Array;
  /** a coarse solver on another mesh: this prepared case, with mapFields as f2c and c2f */
  readonly coarseCase?: PreparedCase;
}

export interface SerialCaseResult {
  readonly converged: boolean;
  /** corrections until convergence (or maxIterations) */
  readonly iterations: number;
  readonly maxdif: readonly number[];
  /** the last iterate: the state at every t_i */
  readonly states: readonly Float64Array[];
  /** solver runs done (identical runs are done once: the same state, t0, t1 and dt) */
  readonly fineRuns: number;
  readonly coarseRuns: number;
  /** f2c and c2f mappings done (with coarseCase) */
  readonly mappings: number;
  readonly fineSeconds: number;
  readonly coarseSeconds: number;
  readonly seconds: number;
}

/** Memoized on the exact input: the oracle asks for equal runs and mappings again and again. */
function memoized<A extends unknown[]>(f: (y: Float64Array, ...rest: A) => Float64Array): (y: Float64Array, ...rest: A) => Float64Array {
  const memo = new Map<string, Float64Array>();
  return (y, ...rest) => {
    const key = `${rest.join(":")}:${Buffer.from(y.buffer, y.byteOffset, y.byteLength).toString("base64")}`;
    let out = memo.get(key);
    if (!out) {
      out = f(y, ...rest);
      memo.set(key, out);
    }
    return out;
  };
}

/** A solution by case runs. */
function caseSolution(prepared: PreparedCase, dt: number, root: string, label: string, tally: { runs: number; seconds: number }): Solution {
  return memoized((y: Float64Array, t0: number, t1: number) => {
    const run = runCaseSync(prepared, y, t0, t1, dt, { root, label });
    tally.runs++;
    tally.seconds += run.seconds;
    return finalState(run).slice();
  });
}

export function serialCaseParareal(options: SerialCaseOptions): SerialCaseResult {
  const started = performance.now();
  const { prepared, t, root } = options;
  const fineTally = { runs: 0, seconds: 0 };
  const coarseTally = { runs: 0, seconds: 0 };
  const fine = caseSolution(prepared, options.fineDt, root, "fine", fineTally);
  const coarseCase = options.coarseCase ?? prepared;
  const coarse = caseSolution(coarseCase, options.coarseDt, root, "coarse", coarseTally);
  let mappings = 0;
  const mapping = (from: PreparedCase, to: PreparedCase, label: string): Mapping =>
    memoized((y: Float64Array) => {
      mappings++;
      return mapStateSync(from, y, to, { root, label });
    });
  const [f2c, c2f]: [Mapping, Mapping] = options.coarseCase
    ? [mapping(prepared, coarseCase, "f2c"), mapping(coarseCase, prepared, "c2f")]
    : [(y) => y, (y) => y];
  // iteration 0: the coarse solver alone, slice after slice
  let y: Float64Array[] = [options.y0 ?? initialState(prepared)];
  for (let i = 1; i < t.length; i++) y.push(c2f(coarse(f2c(y[i - 1]!), t[i - 1]!, t[i]!)));
  const step = parareal(coarse, fine, c2f, f2c);
  const maxdif: number[] = [];
  const limit = options.maxIterations ?? t.length - 1;
  let converged = false;
  while (maxdif.length < limit && !converged) {
    const next = step(y, t);
    maxdif.push(maxAbsDiff(next, y));
    converged = maxdif[maxdif.length - 1]! < options.tol;
    y = next;
  }
  return {
    converged,
    iterations: maxdif.length,
    maxdif,
    states: y,
    fineRuns: fineTally.runs,
    coarseRuns: coarseTally.runs,
    mappings,
    fineSeconds: fineTally.seconds,
    coarseSeconds: coarseTally.seconds,
    seconds: (performance.now() - started) / 1000,
  };
}
