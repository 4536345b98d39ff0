/**
 * run.json: what a run directory holds and how it was made, so later commands (combine,
 * inspect) need no parameters. Written at the start (status "running") and again at the end.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { join } from "node:path";
import { RUN_FILE } from "./layout.js";

/** A job as run.json records it: times in seconds from the run's start, on the driver's clock. */
export interface JobRecord {
  readonly kind: string;
  readonly phase: "reference" | "parareal";
  readonly iteration: number;
  readonly slice: number;
  readonly submitted: number;
  readonly started?: number;
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
  readonly error?: string;
  /** one entry per job (the first 20,000 of a run): its kind, place and times */
  readonly jobs?: readonly JobRecord[];
}

export { RUN_FILE };

export function writeRunRecord(dir: string, record: RunRecord): void {
  const path = join(dir, RUN_FILE);
  writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
}

/** The record of a run directory, or undefined when there is none (or it is not ours). */
export function readRunRecord(dir: string): RunRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, RUN_FILE), "utf8");
  } catch {
    return undefined;
  }
  const record = JSON.parse(text) as Partial<RunRecord>;
  if (record.format !== "parareal-run/1") throw new Error(`${join(dir, RUN_FILE)} is not a parareal run record`);
  return record as RunRecord;
}
