/**
 * A solver job as it travels to a worker (thread, process or machine): the solver spec, the
 * encoded input expression, the interval, and hints (known snapshot values) so small states need
 * not be re-read from disk; and the answer that comes back.
 */
import { HINT_MAX_LENGTH, recallSnapshot, rememberSnapshot, snapshotKey } from "../archive/snapshot-cache.js";
import { decodeArray, encode, encodeArray, type EncodedExpr, type EncodedNumber } from "../expr/codec.js";
import { snapshots, type Vector } from "../expr/vector.js";
import type { SolverSpec } from "../solvers/spec.js";

export type Hint = [key: string, value: EncodedNumber[]];

export interface JobPayload {
  readonly solver: SolverSpec;
  readonly input: EncodedExpr;
  readonly t0: number;
  readonly t1: number;
  readonly hints: Hint[];
}

export interface JobOutput {
  readonly result: EncodedExpr;
  readonly hints: Hint[];
  /** who ran it: host:pid:thread */
  readonly worker: string;
  /** compute time on the worker's clock */
  readonly seconds: number;
  /** when it began, epoch milliseconds on the worker's clock */
  readonly startedAt?: number;
  /** resume: an earlier run's file was taken instead of computing */
  readonly reused?: boolean;
}

/** Hints for the snapshots of an expression whose values are known and small. */
export function hintsFor(expr: Vector): Hint[] {
  const hints: Hint[] = [];
  for (const s of snapshots(expr)) {
    const key = snapshotKey(s.path, s.dataset, s.index);
    const value = recallSnapshot(key);
    if (value && value.length <= HINT_MAX_LENGTH) hints.push([key, encodeArray(value)]);
  }
  return hints;
}

export function absorbHints(hints: readonly Hint[]): void {
  for (const [key, value] of hints) rememberSnapshot(key, decodeArray(value));
}

export function makePayload(solver: SolverSpec, input: Vector, t0: number, t1: number): JobPayload {
  return { solver, input: encode(input), t0, t1, hints: hintsFor(input) };
}
