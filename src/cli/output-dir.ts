/**
 * Whose output directory is it? A directory holding another run is never overwritten silently:
 * `--resume` continues it (same parameters only), `--force` clears it first. A lock file created
 * exclusively (O_EXCL) makes the claim atomic: of two drivers started at once, one runs. Nothing
 * here deletes or writes through a symbolic link.
 */
import { lstatSync, readdirSync, rmSync, type Stats } from "node:fs";
import { join } from "node:path";
import type { RunLayout } from "../archive/layout.js";
import { LOCK_FILE, PARAREAL_DIR, REFERENCE_DIR, RUN_ENTRIES, RUN_FILE } from "../archive/layout.js";
import { makeDirs } from "../archive/dirs.js";
import { fileKind } from "../archive/regular-file.js";
import { windowDirs } from "../archive/windows-layout.js";
import { readRunRecord, type RunRecord } from "../archive/run-record.js";
import { UsageError } from "../errors.js";
import { rootProblem } from "../jobs/confine.js";
import { log } from "../log.js";
import { oneLine, shownValue } from "../shown.js";
import { takeLock, type Lock } from "./dir-lock.js";

export { takeLock, type Lock };

function holdsFiles(layout: RunLayout): boolean {
  return [layout.reference, layout.parareal].some((dir) => {
    try {
      return readdirSync(dir).some((name) => name.endsWith(".h5"));
    } catch {
      return false;
    }
  });
}

/** JSON with every object's keys in order: the same value, whichever order its keys were written in. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Keys whose values differ, as `key: here vs there`. */
function differences(now: Readonly<Record<string, unknown>>, then: Readonly<Record<string, unknown>>): string[] {
  const keys = [...new Set([...Object.keys(now), ...Object.keys(then)])];
  return keys.filter((k) => canonical(now[k]) !== canonical(then[k])).map((k) => `${oneLine(k, 64)}${k === "sources" ? " (SHA-256 of the problem module and of the files solver commands name: one of them changed)" : ""}: ${shownValue(now[k])} now, ${shownValue(then[k])} then`);
}

/**
 * The entries a run writes must be what they seem: a symbolic link there could lead anywhere, and
 * a FIFO, socket or device would block or feed whoever opens it.
 */
function refuseLinks(layout: RunLayout, shown: string): void {
  for (const name of [...RUN_ENTRIES, LOCK_FILE]) {
    const path = join(layout.root, name);
    let entry: Stats;
    try {
      entry = lstatSync(path);
    } catch {
      continue; // not there
    }
    if (entry.isSymbolicLink()) throw new UsageError(`output directory \`${shown}\`: ${name} is a symbolic link; a run writes and deletes only inside its own directory (remove the link)`);
    if (!entry.isFile() && !entry.isDirectory()) throw new UsageError(`output directory \`${shown}\`: ${name} is ${fileKind(entry)}; a run reads and writes only files and directories there (remove it)`);
  }
  try {
    if (lstatSync(layout.root).isSymbolicLink()) log.debug(`output directory ${shown} is a symbolic link to elsewhere; its entries are checked`);
  } catch {
    // made below
  }
}

export interface Claim {
  readonly resume: boolean;
  readonly force: boolean;
  /** false where the command has no --resume (study): refusals do not offer it */
  readonly canResume?: boolean;
}

/** Check that `output` may hold a run: a real, specific directory. */
export function checkOutputPath(output: string): void {
  if (output.trim() === "") throw new UsageError("--output ``: give a directory (an empty path would mean the current one)");
}

/**
 * Make `layout.root` ours for a run of `parameters`, or refuse with one line; returns the lock and
 * whether the run resumes (reuses files). The caller releases the lock when the run ends.
 */
export function claimOutput(layout: RunLayout, shown: string, parameters: Readonly<Record<string, unknown>>, claim: Claim): { lock: Lock; resume: boolean } {
  checkOutputPath(shown);
  const why = rootProblem(layout.root);
  if (why) throw new UsageError(`--output ${why}: give a directory of its own`);
  if (claim.resume && claim.force) throw new UsageError("--resume and --force: give one of them (--resume continues the run in the directory, --force overwrites it)");
  try {
    makeDirs(layout.root);
  } catch (e) {
    throw new UsageError(`cannot write to output directory \`${shown}\`: ${(e as Error).message}`);
  }
  refuseLinks(layout, shown);
  const lock = takeLock(layout, shown);
  try {
    return { lock, resume: decide(layout, shown, parameters, claim) };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function decide(layout: RunLayout, shown: string, parameters: Readonly<Record<string, unknown>>, claim: Claim): boolean {
  let record: RunRecord | undefined;
  try {
    record = readRunRecord(layout.root);
  } catch (e) {
    if (!claim.force) throw new UsageError(`output directory \`${shown}\`: ${(e as Error).message}; give --force to overwrite it, or another --output`);
  }
  const files = holdsFiles(layout);
  if (!record && !files) {
    if (claim.resume) log.info(`--resume: nothing to resume in ${shown}, starting afresh`);
    return false;
  }
  if (claim.force) {
    for (const name of RUN_ENTRIES) rmSync(join(layout.root, name), { recursive: true, force: true });
    return false;
  }
  const what = record ? `a run (${record.status}, started ${record.started})` : "fine files of a run";
  if (!claim.resume) throw new UsageError(`output directory \`${shown}\` holds ${what}: give ${claim.canResume === false ? "" : "--resume to continue it, "}--force to overwrite it, or another --output`);
  if (!record) throw new UsageError(`--resume: \`${shown}\` holds fine files but no ${RUN_FILE} to check them against; give --force to overwrite them`);
  const diff = differences(parameters, record.parameters);
  if (diff.length > 0) throw new UsageError(`--resume: the run in \`${shown}\` was made with other parameters (${diff.join("; ")}); give --force to overwrite it`);
  // a writer killed mid-file leaves its temporary file (never a file under the final name)
  const dirs = [join(layout.root, REFERENCE_DIR), join(layout.root, PARAREAL_DIR), ...windowDirs(join(layout.root, PARAREAL_DIR)).map((w) => w.dir)];
  for (const dir of dirs) {
    try {
      if (lstatSync(dir).isSymbolicLink()) continue; // never delete through a link
      for (const name of readdirSync(dir)) if (name.endsWith(".tmp") && lstatSync(join(dir, name)).isFile()) rmSync(join(dir, name), { force: true });
    } catch {
      // no such directory yet
    }
  }
  return true;
}

/** The directories a run writes into, made now so that a bad --output is found before anything runs. */
export function prepareOutput(layout: RunLayout, shown: string): void {
  try {
    makeDirs(layout.reference);
    makeDirs(layout.parareal);
  } catch (e) {
    throw new UsageError(`cannot write to output directory \`${shown}\`: ${(e as Error).message}`);
  }
}
