/**
 * Whose output directory is it? A directory holding another run is never overwritten silently:
 * `--resume` continues it (same parameters only), `--force` clears it first. A lock file created
 * exclusively (O_EXCL) makes the claim atomic: of two drivers started at once, one runs. Nothing
 * here deletes or writes through a symbolic link.
 */
import { closeSync, lstatSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunLayout } from "../archive/layout.js";
import { PARAREAL_DIR, REFERENCE_DIR, RUN_ENTRIES, RUN_FILE } from "../archive/layout.js";
import { makeDirs } from "../archive/dirs.js";
import { windowDirs } from "../archive/windows-layout.js";
import { readRunRecord, type RunRecord } from "../archive/run-record.js";
import { UsageError } from "../errors.js";
import { rootProblem } from "../jobs/confine.js";
import { log } from "../log.js";
import { oneLine, shownValue } from "../shown.js";

function holdsFiles(layout: RunLayout): boolean {
  return [layout.reference, layout.parareal].some((dir) => {
    try {
      return readdirSync(dir).some((name) => name.endsWith(".h5"));
    } catch {
      return false;
    }
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // a killed driver whose parent is gone may stay a zombie where PID 1 does not reap (containers)
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return true; // no /proc here: trust the signal
  }
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

/** The entries a run writes must be what they seem: a symbolic link there could lead anywhere. */
function refuseLinks(layout: RunLayout, shown: string): void {
  for (const name of RUN_ENTRIES) {
    const path = join(layout.root, name);
    let isLink = false;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch {
      continue; // not there
    }
    if (isLink) throw new UsageError(`output directory \`${shown}\`: ${name} is a symbolic link; a run writes and deletes only inside its own directory (remove the link)`);
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
}

/** The lock of a directory, held until `release` (called on every exit path). */
export interface Lock {
  release(): void;
}

interface LockContent {
  host: string;
  pid: number;
  started: string;
}

/**
 * Take the directory's lock: create it exclusively. A lock left by a driver of this host that is
 * gone (killed) is taken over; one held by a live driver, or by another host, is refused.
 */
export function takeLock(layout: RunLayout, shown: string): Lock {
  const content: LockContent = { host: hostname(), pid: process.pid, started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(layout.lock, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new UsageError(`cannot write to output directory \`${shown}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      let held: Partial<LockContent> = {};
      try {
        held = JSON.parse(readFileSync(layout.lock, "utf8")) as Partial<LockContent>;
      } catch {
        // being written this instant, or damaged: treat as held
      }
      const mine = held.host === hostname();
      if (mine && typeof held.pid === "number" && !alive(held.pid) && attempt === 0) {
        rmSync(layout.lock, { force: true }); // a killed driver's: take it over
        continue;
      }
      const who = typeof held.pid === "number" ? `pid ${held.pid} on ${held.host}, started ${held.started}` : "another driver";
      const hint = mine ? "" : `; if no run uses it any more, remove ${layout.lock}`;
      throw new UsageError(`output directory \`${shown}\` is in use by a run in progress (${who})${hint}`);
    }
    writeSync(fd, JSON.stringify(content) + "\n");
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      try {
        const now = JSON.parse(readFileSync(layout.lock, "utf8")) as Partial<LockContent>;
        if (now.pid === process.pid && now.host === content.host) rmSync(layout.lock, { force: true });
      } catch {
        // gone already
      }
    };
    process.once("exit", release);
    return { release };
  }
  throw new UsageError(`output directory \`${shown}\` is in use by a run in progress`);
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
  if (!claim.resume) throw new UsageError(`output directory \`${shown}\` holds ${what}: give --resume to continue it, --force to overwrite it, or another --output`);
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
