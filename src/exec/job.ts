/**
 * A job as it travels to a worker (thread, process or machine): the solver spec, the encoded
 * input expression, the interval, and hints (known snapshot values) so small states need not
 * be re-read from disk. The same runJob serves every executor.
 */
import { threadId } from "node:worker_threads";
import { hostname } from "node:os";
import { recallSnapshot, rememberSnapshot, snapshotKey, HINT_MAX_LENGTH } from "../archive/snapshot-cache.js";
import { decode, decodeArray, encode, encodeArray, type EncodedExpr, type EncodedNumber } from "../expr/codec.js";
import { snapshots, type Vector } from "../expr/vector.js";
import { runSolver } from "../solvers/run.js";
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
  readonly seconds: number;
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

/** who runs jobs here: host:pid:thread */
export const workerName = `${hostname()}:${process.pid}:${threadId}`;

/** Run a payload; one from a queue that others can write to must pass checkPayload first. */
export async function runJob(payload: JobPayload, stop?: () => boolean): Promise<JobOutput> {
  const start = performance.now();
  absorbHints(payload.hints);
  const { value, reused } = await runSolver(payload.solver, decode(payload.input), payload.t0, payload.t1, stop);
  return { result: encode(value), hints: hintsFor(value), worker: workerName, seconds: (performance.now() - start) / 1000, ...(reused ? { reused } : {}) };
}
