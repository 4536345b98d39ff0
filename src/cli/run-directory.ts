/**
 * What combine, plot and inspect know of a run directory before reading a fine file: its run.json
 * (checked by the schema), the time points it implies, and the iterations its files are named for.
 * A count from run.json is believed only as far as the files go.
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RUN_FILE } from "../archive/layout.js";
import { readRunRecord } from "../archive/run-record.js";
import type { CheckedRunRecord } from "../archive/run-record-schema.js";
import { UsageError } from "../errors.js";
import { linspace } from "../ode/linspace.js";

export interface RunContext {
  /** the run directory (holding run.json), when there is one */
  readonly root: string | undefined;
  readonly record: CheckedRunRecord | undefined;
  /** the run's time points, linspace(0, tEnd, points), from run.json */
  readonly grid: Float64Array | undefined;
}

/** The run of a run directory. */
export function runAt(root: string): RunContext {
  const record = readRunRecord(root);
  const p = record?.parameters;
  return { root: record ? root : undefined, record, grid: p ? linspace(0, p.tEnd, p.points) : undefined };
}

/** The run a directory of fine files belongs to: the run.json of the directory above it. */
export function runOf(fineDir: string): RunContext {
  return runAt(dirname(resolve(fineDir)));
}

/** Iterations named by the fine files of `dir`, ascending (the files are not read). */
export function fineIterationsIn(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UsageError(`cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const set = new Set<number>();
  for (const n of names) {
    const m = /^.+-(\d+)-(-?\d+)-(-?\d+)\.h5$/.exec(n);
    if (m) set.add(Number(m[1]));
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * The converged iterate, per run.json, within what `dir` holds: a count beyond the files is an
 * error naming run.json (so a claim of 1e12 iterations never becomes a loop of 1e12).
 */
export function recordedIterations(run: RunContext, dir: string, present: readonly number[]): number | undefined {
  const n = run.record?.iterations;
  if (n === undefined || run.root === undefined) return undefined;
  const last = present.at(-1);
  // iterate N+1 of N slices recomputes nothing (an OpenFOAM run's last, exact correction): it is iterate N
  const slices = run.record ? run.record.parameters.points - 1 : undefined;
  if (last !== undefined && n === last + 1 && last === slices) return last;
  if (last === undefined || n > last) {
    const holds = last === undefined ? "no fine files" : `iterations ${present[0]} to ${last}`;
    throw new Error(`${join(run.root, RUN_FILE)}: ${n} iterations, but ${dir} holds ${holds} (iterations)`);
  }
  return n;
}

/** The iterate a directory's trajectory means by default: the converged one, else the last. */
export function defaultIteration(dir: string, present: readonly number[], run: RunContext, warn: (m: string) => void): number {
  const last = present.at(-1)!;
  if (present.length === 1) return last;
  const n = recordedIterations(run, dir, present);
  if (n !== undefined) return n;
  warn(`no run.json with an iteration count beside ${dir}: combining the last iteration present (${last})`);
  return last;
}

