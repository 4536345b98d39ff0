/**
 * run.json: what a run directory holds and how it was made, so later commands (combine,
 * inspect) need no parameters. Written at the start (status "running") and again at the end.
 */
import { writeFileAtomic } from "./atomic.js";
import { NotRegularFileError, readRegularFile } from "./regular-file.js";
import { join } from "node:path";
import { RUN_FILE } from "./layout.js";
import { jsonErrorWhere, parseRunRecord, type CheckedRunRecord } from "./run-record-schema.js";

/** A job as run.json records it: times in seconds from the run's start, on the driver's clock. */
export interface JobRecord {
  readonly kind: string;
  readonly phase: "reference" | "parareal";
  readonly iteration: number;
  readonly slice: number;
  readonly submitted: number;
  /** handed to a worker */
  readonly dispatched?: number;
  /** began computing: `finished - seconds` where the worker said how long it took, else `dispatched` */
  readonly started?: number;
  /** its answer reached the driver (or it failed, or was cancelled) */
  readonly finished?: number;
  readonly status?: "done" | "reused" | "cancelled" | "failed";
  /** who ran it: host:pid:thread */
  readonly worker?: string;
  /** compute seconds on the worker's own clock */
  readonly seconds?: number;
}

export type RunStatus = "running" | "converged" | "not converged" | "failed" | "interrupted";

export interface RunRecord {
  readonly format: "parareal-run/1";
  readonly version: string;
  readonly status: RunStatus;
  readonly started: string;
  readonly finished?: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly coarse?: unknown;
  readonly fine?: unknown;
  readonly executor: string;
  /** the driver: a second driver must not take over a directory in use */
  readonly host?: string;
  readonly pid?: number;
  /** fine jobs answered by an earlier run's files (--resume) */
  readonly resumedJobs?: number;
  readonly iterations?: number;
  readonly maxdif?: readonly number[];
  /** the stopping criteria: norm, tol and rtol */
  readonly criteria?: { readonly norm: string; readonly tol: number; readonly rtol?: number };
  /** per iteration: what was measured against the criteria (absolute, size, relative, moving slices) */
  readonly measurements?: readonly unknown[];
  /** MGRIT: the residual's norm at the finest C-points, iterates 0..iterations */
  readonly residual?: readonly number[];
  /** per time window (--window): its points, directory, iterations, maxdif and measurements; written as each one ends */
  readonly windows?: readonly unknown[];
  readonly wallSeconds?: number;
  readonly referenceSeconds?: number;
  /** starting the workers, before anything was timed */
  readonly startupSeconds?: number;
  /** time the driver's own thread was busy during the parareal phase */
  readonly driverBusySeconds?: number;
  /** the workers the run had (threads), or that took jobs (Redis) */
  readonly workers?: number;
  /** every checked iterate: iteration, maxdif, error vs the reference, when, how long */
  readonly iterates?: readonly { iteration: number; maxdif?: number; error?: number; at: number; seconds: number }[];
  /** speedup over the serial fine solve and the costs it rests on (report/speedup.ts) */
  readonly speedup?: Readonly<Record<string, unknown>>;
  readonly error?: string;
  /** one entry per job (the first 20,000 of a run): its kind, place and times */
  readonly jobs?: readonly JobRecord[];
}

export { RUN_FILE };

export function writeRunRecord(dir: string, record: RunRecord): void {
  const path = join(dir, RUN_FILE);
  writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
}

/**
 * The record of a run directory, checked against the schema, or undefined when there is none.
 * Anything wrong is one line: `<dir>/run.json: <what> (<where>)`.
 */
export function readRunRecord(dir: string): CheckedRunRecord | undefined {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = readRegularFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (e instanceof NotRegularFileError) throw e;
    throw new Error(`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: ${jsonErrorWhere(text, e as Error).message}`);
  }
  try {
    return parseRunRecord(value);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
