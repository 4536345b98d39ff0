/**
 * The lock that makes an output directory one driver's: `.parareal.lock`, created exclusively
 * (O_EXCL), naming its driver by host, pid and the process's start time (a pid alone is reused).
 * A lock is stale when its driver is gone: this host's, and its pid dead, a zombie, or now another
 * process (another start time, or started after the lock was written); or empty or damaged and
 * older than a few seconds (a driver killed between creating and writing it). A stale lock is taken
 * over under a second exclusive file, `.parareal.lock.takeover`: its holder re-reads the lock,
 * removes it only if it is still the stale one it judged, and creates its own exclusively, so of
 * drivers racing for a stale lock exactly one wins. A lock of another host is never judged.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import type { RunLayout } from "../archive/layout.js";
import { NotRegularFileError, openRegularFile } from "../archive/regular-file.js";
import { UsageError } from "../errors.js";

interface LockContent {
  host: string;
  pid: number;
  started: string;
  /** the driver's start time, /proc/<pid>/stat field 22 (clock ticks since boot) */
  start?: string;
  /** /proc/sys/kernel/random/boot_id: pids and start times restart with the machine */
  boot?: string;
}

/** A lock as read: its bytes, its content when it parses, its inode and age. */
interface HeldLock {
  readonly raw: Buffer;
  readonly content: Partial<LockContent> | undefined;
  readonly ino: number;
  readonly mtimeMs: number;
}

/** An empty or damaged lock younger than this may be being written this instant. */
const DAMAGED_GRACE_MS = 5000;
/** Linux's USER_HZ: the unit of /proc/<pid>/stat's start time on every architecture it runs on. */
const CLOCK_TICKS = 100;

/** State and start time of a process, or undefined when there is no /proc entry to read. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) is in parentheses and may hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [state, start] = [fields[0], fields[19]];
    return state !== undefined && start !== undefined ? { state, start } : undefined;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const bootId = readText("/proc/sys/kernel/random/boot_id")?.trim();

/** Seconds since the epoch at which this machine booted (/proc/stat btime). */
function bootTime(): number | undefined {
  const m = /^btime (\d+)$/m.exec(readText("/proc/stat") ?? "");
  return m ? Number(m[1]) : undefined;
}

function ownContent(): LockContent {
  const start = procStat(process.pid)?.start;
  return { host: hostname(), pid: process.pid, started: new Date().toISOString(), ...(start ? { start } : {}), ...(bootId ? { boot: bootId } : {}) };
}

/** Whether the driver a lock of this host names may still run. */
function holderAlive(held: Partial<LockContent> & { pid: number }, lockWrittenMs: number): boolean {
  if (held.boot !== undefined && bootId !== undefined && held.boot !== bootId) return false; // written before a reboot
  try {
    process.kill(held.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false; // EPERM: it runs, as another user
  }
  const stat = procStat(held.pid);
  if (!stat) return true; // no /proc here: trust the signal
  // a killed driver whose parent is gone may stay a zombie where PID 1 does not reap (containers)
  if (stat.state === "Z" || stat.state === "X") return false;
  if (held.start !== undefined) return stat.start === held.start;
  // a lock without a start time (written by hand, or by an older version): a process that started
  // after the lock was written is not the one that wrote it
  const boot = bootTime();
  if (boot === undefined) return true;
  const startedMs = (boot + Number(stat.start) / CLOCK_TICKS) * 1000;
  return !(startedMs > lockWrittenMs + 2000);
}

/** The lock at `path`, or undefined when there is none (any more). */
function readLock(path: string, shown: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openRegularFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (e instanceof NotRegularFileError) throw new UsageError(`output directory \`${shown}\`: ${e.message}`);
    throw new UsageError(`output directory \`${shown}\`: cannot read its lock ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    const raw = readFileSync(fd);
    let content: Partial<LockContent> | undefined;
    try {
      const value = JSON.parse(raw.toString("utf8")) as unknown;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) content = value as Partial<LockContent>;
    } catch {
      // empty or damaged
    }
    return { raw, content, ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

type Verdict = { stale: true } | { stale: false; who: string };

function judge(held: HeldLock): Verdict {
  const c = held.content;
  if (c === undefined || typeof c.pid !== "number" || !Number.isSafeInteger(c.pid) || c.pid < 1 || typeof c.host !== "string") {
    // a driver killed between creating its lock and writing it left it empty
    if (Date.now() - held.mtimeMs > DAMAGED_GRACE_MS) return { stale: true };
    return { stale: false, who: "another driver, whose lock is empty or damaged" };
  }
  const who = `pid ${c.pid} on ${c.host}${typeof c.started === "string" ? `, started ${c.started}` : ""}`;
  if (c.host !== hostname()) return { stale: false, who };
  return holderAlive({ ...c, pid: c.pid }, held.mtimeMs) ? { stale: false, who } : { stale: true };
}

/** Create `path` exclusively (O_EXCL: never through a link) holding `text`; false when it exists. */
function writeExclusive(path: string, text: string, shown: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new UsageError(`cannot write to output directory \`${shown}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw new UsageError(`cannot write to output directory \`${shown}\`: ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  closeSync(fd);
  return true;
}

/**
 * Create `path` exclusively holding `text`; false when it exists. The text is written under a
 * name of our own and hard-linked into place (link fails on any existing entry, a link included),
 * so another driver never reads the lock empty; where the filesystem has no hard links, the lock
 * is created and then written (an empty lock is judged by its age).
 */
function createExclusive(path: string, text: string, shown: string): boolean {
  const own = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  if (!writeExclusive(own, text, shown)) return writeExclusive(path, text, shown);
  try {
    linkSync(own, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") return writeExclusive(path, text, shown);
    throw new UsageError(`cannot write to output directory \`${shown}\`: ${path}: ${code ?? (e as Error).message}`);
  } finally {
    rmSync(own, { force: true });
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Replace the stale lock `judged` by ours, under the takeover file. "taken": the lock is ours;
 * "changed": the lock is no longer the one judged (look again); "busy": another driver is taking
 * it over this instant (look again shortly).
 */
function takeOver(lock: string, judged: HeldLock, text: string, shown: string): "taken" | "changed" | "busy" {
  const guard = `${lock}.takeover`;
  if (!createExclusive(guard, text, shown)) {
    // a driver killed inside the few microseconds below leaves the guard: judge it as a lock
    const held = readLock(guard, shown);
    if (held && judge(held).stale) rmSync(guard, { force: true });
    return "busy";
  }
  try {
    const now = readLock(lock, shown);
    if (now && (now.ino !== judged.ino || !now.raw.equals(judged.raw))) return "changed";
    if (now) rmSync(lock, { force: true });
    return createExclusive(lock, text, shown) ? "taken" : "changed";
  } finally {
    rmSync(guard, { force: true });
  }
}

/** The lock of a directory, held until `release` (called on every exit path). */
export interface Lock {
  release(): void;
}

/**
 * Take the directory's lock, or refuse with one line naming its holder and how to remove a lock
 * no run uses any more.
 */
export function takeLock(layout: RunLayout, shown: string): Lock {
  const content = ownContent();
  const text = JSON.stringify(content) + "\n";
  let who = "another driver";
  for (let attempt = 0; attempt < 100; attempt++) {
    if (createExclusive(layout.lock, text, shown)) return holding(layout.lock, content);
    const held = readLock(layout.lock, shown);
    if (!held) continue; // released this instant
    const verdict = judge(held);
    if (!verdict.stale) {
      who = verdict.who;
      break;
    }
    const outcome = takeOver(layout.lock, held, text, shown);
    if (outcome === "taken") return holding(layout.lock, content);
    if (outcome === "busy") pause(10);
  }
  throw new UsageError(`output directory \`${shown}\` is in use by a run in progress (${who}); if no run uses it any more, remove ${layout.lock}`);
}

function holding(path: string, content: LockContent): Lock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      const now = readLock(path, path)?.content;
      if (now?.pid === content.pid && now.host === content.host && now.start === content.start) rmSync(path, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  };
  process.once("exit", release);
  return { release };
}
