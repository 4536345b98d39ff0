/**
 * What a run's output directory holds, by name, in one place: the serial fine reference (the
 * original's `euler` directory), the parareal iterations, the black-box exchange directory, the
 * run record, the event log and the lock that makes a directory one run's.
 */
import { join, resolve } from "node:path";

export const REFERENCE_DIR = "euler";
export const PARAREAL_DIR = "parareal";
export const IO_DIR = "io";
export const RUN_FILE = "run.json";
export const EVENTS_FILE = "events.jsonl";
/** the run's final iterate and reference at every time point (HDF5: t, final, reference) */
export const RESULT_FILE = "result.h5";
export const LOCK_FILE = ".parareal.lock";
/** an OpenFOAM run's prepared case, its coarse-mesh case and its jobs' scratch copies */
export const OPENFOAM_CASE_DIR = "openfoam-case";
export const OPENFOAM_COARSE_CASE_DIR = "openfoam-coarse-case";
export const CASES_DIR = "cases";
export const OPENFOAM_ENTRIES: readonly string[] = [OPENFOAM_CASE_DIR, OPENFOAM_COARSE_CASE_DIR, CASES_DIR];

/** Everything a run writes at the top of its output directory (what --force may remove). */
export const RUN_ENTRIES: readonly string[] = [REFERENCE_DIR, PARAREAL_DIR, IO_DIR, RUN_FILE, EVENTS_FILE, RESULT_FILE, ...OPENFOAM_ENTRIES];

export interface RunLayout {
  readonly root: string;
  readonly reference: string;
  readonly parareal: string;
  readonly io: string;
  readonly runFile: string;
  readonly events: string;
  readonly result: string;
  readonly lock: string;
}

export function runLayout(output: string): RunLayout {
  const root = resolve(output);
  return {
    root,
    reference: join(root, REFERENCE_DIR),
    parareal: join(root, PARAREAL_DIR),
    io: join(root, IO_DIR),
    runFile: join(root, RUN_FILE),
    events: join(root, EVENTS_FILE),
    result: join(root, RESULT_FILE),
    lock: join(root, LOCK_FILE),
  };
}
