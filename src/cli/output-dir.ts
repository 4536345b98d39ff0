/**
 * Whose output directory is it? A directory holding another run is never overwritten silently:
 * `--resume` continues it (same parameters only), `--force` clears it first.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readRunRecord, RUN_FILE, type RunRecord } from "../archive/run-record.js";
import { log } from "../log.js";
import { UsageError } from "./errors.js";

/** What run.json and the archive hold that belongs to us. */
const OURS = ["euler", "parareal", "io", RUN_FILE];

function holdsFiles(dir: string): boolean {
  return ["euler", "parareal"].some((sub) => {
    try {
      return readdirSync(join(dir, sub)).some((name) => name.endsWith(".h5"));
    } catch {
      return false;
    }
  });
}

function alive(pid: number): boolean {
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

/** Keys whose values differ, as `key: here vs there`. */
function differences(now: Readonly<Record<string, unknown>>, then: Readonly<Record<string, unknown>>): string[] {
  const keys = [...new Set([...Object.keys(now), ...Object.keys(then)])];
  return keys.filter((k) => JSON.stringify(now[k]) !== JSON.stringify(then[k])).map((k) => `${k}: ${JSON.stringify(now[k]) ?? "none"} now, ${JSON.stringify(then[k]) ?? "none"} then`);
}

export interface Claim {
  readonly resume: boolean;
  readonly force: boolean;
}

/** Make `dir` ours for a run of `parameters`, or refuse with one line; returns whether files are reused. */
export function claimOutput(dir: string, shown: string, parameters: Readonly<Record<string, unknown>>, claim: Claim): boolean {
  if (claim.resume && claim.force) throw new UsageError("--resume and --force: give one of them (--resume continues the run in the directory, --force overwrites it)");
  let record: RunRecord | undefined;
  try {
    record = readRunRecord(dir);
  } catch (e) {
    if (!claim.force) throw new UsageError(`output directory \`${shown}\`: ${(e as Error).message}; give --force to overwrite it, or another --output`);
  }
  const files = holdsFiles(dir);
  if (!record && !files) {
    if (claim.resume) log.info(`--resume: nothing to resume in ${shown}, starting afresh`);
    return false;
  }
  if (record?.status === "running" && record.host === hostname() && record.pid !== undefined && record.pid !== process.pid && alive(record.pid)) {
    throw new UsageError(`output directory \`${shown}\` is in use by a run in progress (pid ${record.pid}, started ${record.started})`);
  }
  if (claim.force) {
    for (const name of OURS) if (existsSync(join(dir, name))) rmSync(join(dir, name), { recursive: true, force: true });
    return false;
  }
  const what = record ? `a run (${record.status}, started ${record.started})` : "fine files of a run";
  if (!claim.resume) throw new UsageError(`output directory \`${shown}\` holds ${what}: give --resume to continue it, --force to overwrite it, or another --output`);
  if (!record) throw new UsageError(`--resume: \`${shown}\` holds fine files but no ${RUN_FILE} to check them against; give --force to overwrite them`);
  const diff = differences(parameters, record.parameters);
  if (diff.length > 0) throw new UsageError(`--resume: the run in \`${shown}\` was made with other parameters (${diff.join("; ")}); give --force to overwrite it`);
  // a writer killed mid-file leaves its temporary file (never a file under the final name)
  for (const sub of ["euler", "parareal"]) {
    try {
      for (const name of readdirSync(join(dir, sub))) if (name.endsWith(".tmp")) rmSync(join(dir, sub, name), { force: true });
    } catch {
      // no such directory yet
    }
  }
  return true;
}
