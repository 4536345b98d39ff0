/**
 * Running one OpenFOAM application in a case directory with the captured environment, its output
 * in a log file there; a failure becomes one message with the log's telling lines.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readSync, fstatSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { CancelledError } from "../errors.js";
import { supervisedShell } from "../process/supervisor.js";
import { findApplication, foamEnvironment, type FoamEnvironment } from "./environment.js";

export interface AppRun {
  readonly app: string;
  readonly args: readonly string[];
  /** the case directory (the working directory of the application) */
  readonly caseDir: string;
  /** log file name inside caseDir */
  readonly log: string;
  readonly foam: FoamEnvironment;
}

export function appRun(caseDir: string, app: string, args: readonly string[] = [], options: { bashrc?: string | undefined; log?: string } = {}): AppRun {
  return { app, args, caseDir, log: options.log ?? `log.${app}`, foam: foamEnvironment({ bashrc: options.bashrc }) };
}

const TAIL_BYTES = 32768;
const TAIL_LINES = 6;
const LINE_CHARS = 200;

/** Lines of OpenFOAM's output that never say why it failed. */
const NOISE = /^From (function|file)|^in file|^FOAM (exiting|aborting)|PWD is not the cwd|^\?\?:\?$|^\/\S+\.so(\.\d+)*$|^\/\S+$/;

/**
 * The lines of a log that say why it failed: the FOAM FATAL block if there is one; for a crash
 * (a stack trace) the last `Time =` line and the first frames past the signal handler; else the
 * last lines.
 */
export function logTail(path: string): string {
  let text = "";
  try {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      text = buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "(no log)";
  }
  const lines = text
    .split("\n")
    .map((l) => l.replace(/ at --> FOAM Warning :\s*$/, "").trim())
    .filter((l) => l !== "" && !NOISE.test(l))
    .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}...` : l));
  let picked: string[];
  const fatal = lines.findIndex((l) => /FOAM FATAL/i.test(l));
  const stack = lines.findIndex((l) => /^#\d+ /.test(l));
  if (fatal >= 0) picked = lines.slice(fatal, fatal + TAIL_LINES);
  else if (stack >= 0) {
    const time = lines.slice(0, stack).reverse().find((l) => /^Time = /.test(l));
    const frames = lines.slice(stack).filter((l) => /^#\d+ /.test(l) && !/printStack|sigHandler|^#\d+\s+\? in/.test(l));
    picked = [...(time ? [`last step: ${time}`] : []), ...frames.slice(0, 2)];
  } else picked = lines.slice(-TAIL_LINES);
  return picked.length ? picked.join(" | ") : "(empty log)";
}

function failure(run: AppRun, code: number | null, signal: NodeJS.Signals | null, what: string): Error {
  const status =
    signal === "SIGFPE"
      ? "stopped on a floating point exception (SIGFPE: the solution diverged)"
      : code === null
        ? `was killed by ${signal}`
        : `exited with code ${code}`;
  return new Error(`${run.app} ${status} ${what}: ${logTail(join(run.caseDir, run.log))}`);
}

/** The environment of a run: OpenFOAM's, with PWD the case (OpenFOAM warns when PWD is not the cwd). */
function runEnv(run: AppRun): NodeJS.ProcessEnv {
  return { ...run.foam.env, PWD: run.caseDir };
}

/** POSIX shell quoting: one word. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The signal a shell's exit status 128 + n stands for (the application died of it), or null. */
function signalOf(code: number | null): NodeJS.Signals | null {
  if (code === null || code <= 128) return null;
  const found = Object.entries(constants.signals).find(([, n]) => n === code - 128);
  return found ? (found[0] as NodeJS.Signals) : null;
}

/**
 * Run to the end; `stop` is polled and kills the application's process group (then CancelledError).
 * The application runs under the solver commands' supervisor (solvers/command.ts): should this
 * process end, by a signal or killed outright, the application is killed with it rather than left
 * running its slice to the end.
 */
export function runApp(run: AppRun, what: string, stop?: () => boolean): Promise<void> {
  const path = findApplication(run.foam, run.app);
  const log = openSync(join(run.caseDir, run.log), "w");
  return new Promise<void>((resolve, reject) => {
    const command = `exec ${[path, ...run.args].map(quote).join(" ")}`;
    const child = spawn("/bin/sh", supervisedShell(command), { cwd: run.caseDir, env: runEnv(run), stdio: ["ignore", log, log], detached: true });
    closeSync(log);
    let stopped = false;
    const poll = stop
      ? setInterval(() => {
          if (!stopped && stop()) {
            stopped = true;
            try {
              process.kill(-child.pid!, "SIGTERM");
            } catch {
              // already gone
            }
          }
        }, 50)
      : undefined;
    child.on("error", (e) => {
      clearInterval(poll);
      reject(new Error(`cannot start ${path}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearInterval(poll);
      if (stopped) reject(new CancelledError("OpenFOAM run"));
      else if (code === 0) resolve();
      else {
        const died = signal ?? signalOf(code);
        reject(failure(run, died ? null : code, died, what));
      }
    });
  });
}

/** The same, blocking (for serial drivers and one-off preparation). */
export function runAppSync(run: AppRun, what: string): void {
  const path = findApplication(run.foam, run.app);
  const log = openSync(join(run.caseDir, run.log), "w");
  try {
    const r = spawnSync(path, [...run.args], { cwd: run.caseDir, env: runEnv(run), stdio: ["ignore", log, log] });
    if (r.error) throw new Error(`cannot start ${path}: ${r.error.message}`);
    if (r.status !== 0) throw failure(run, r.status, r.signal, what);
  } finally {
    closeSync(log);
  }
}
