/**
 * Programs run for us (solver commands, OpenFOAM applications) under a supervising shell: each in
 * a process group of its own, killed with its children when cancelled, when this process is told
 * to stop, or when this process dies without a word (SIGKILL).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { CancelledError } from "../errors.js";

const STDERR_LINES = 5;

/** The name every command's supervising shell carries ($0), so that the driver can find its own. */
export const SUPERVISOR_NAME = "parareal-solver-command";

/**
 * The supervising shell around a command: it runs the command in its own process group, and a
 * watchdog in the background kills that whole group when the process that started it (driver or
 * worker) is gone, even by SIGKILL, which no handler sees. The watchdog's own output goes to
 * /dev/null, so that it never holds the command's stderr open.
 */
const SUPERVISOR = [
  'parent=$1; command=$2',
  '( while kill -0 "$parent" 2>/dev/null; do sleep 1; done; kill -TERM 0 ) </dev/null >/dev/null 2>&1 &',
  "watchdog=$!",
  '/bin/sh -c "$command"',
  "status=$?",
  'kill "$watchdog" 2>/dev/null',
  'exit "$status"',
].join("\n");

/**
 * Arguments for /bin/sh that run `command` under the supervisor: its own process group (spawn it
 * detached), killed when this process is gone, and found by killCommands.
 */
export function supervisedShell(command: string): string[] {
  return ["-c", SUPERVISOR, SUPERVISOR_NAME, String(process.pid), command];
}

/**
 * Run one expanded command; resolves when it exits 0. Fails with the command's last stderr lines,
 * or with CancelledError when `stop` says so (the process group is killed).
 */
export function runShell(command: string, what: string, stop?: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // its own process group, so cancelling kills what the shell started too
    const child = spawn("/bin/sh", supervisedShell(command), { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let tail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      tail = (tail + chunk).slice(-8192);
    });
    let stopped = false;
    const poll = stop
      ? setInterval(() => {
          if (!stopped && stop()) {
            stopped = true;
            killGroup(child.pid, "SIGTERM");
          }
        }, 50)
      : undefined;
    child.on("error", (e) => {
      clearInterval(poll);
      reject(new Error(`${what}: cannot start /bin/sh: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearInterval(poll);
      if (stopped) return reject(new CancelledError(what));
      if (code === 0) return resolve();
      const lines = tail.trim().split("\n").filter((l) => l.trim() !== "").slice(-STDERR_LINES);
      const status = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${what} ${status}: ${command}${lines.length ? ` | stderr: ${lines.join(" | ")}` : " (no stderr output)"}`));
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Process ids of the command supervisors this process started (from any of its threads). */
function ownSupervisors(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return []; // no /proc: the watchdogs still end them within a second of our exit
  }
  const found: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: a supervisor is its group's leader, and our child
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid || Number(fields[2]) !== Number(name)) continue;
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").split("\u0000").includes(SUPERVISOR_NAME)) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Stop every solver command this process runs, with its children: SIGTERM to each process group,
 * SIGKILL to what is left after `graceMs`. Returns how many groups there were.
 */
export async function killCommands(graceMs = 1000): Promise<number> {
  const groups = ownSupervisors();
  for (const pid of groups) killGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groups.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const pid of groups) killGroup(pid, "SIGKILL");
  return groups.length;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

