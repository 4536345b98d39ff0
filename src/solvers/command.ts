/**
 * Black-box solvers: an external program (a simulator, a script) run through a command template.
 * The state goes in and out as HDF5 files in the archive, dataset `data`: `{in}` holds the state
 * (one row), the program writes `{out}` (the state, or its whole trajectory with the state last).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fineFilename } from "../archive/filename.js";
import { Interrupted } from "../ode/iterate.js";

/** What a template may name; the rest of it is passed to /bin/sh as written. */
export const PLACEHOLDERS = ["in", "out", "t0", "t1", "iter", "h"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export interface CommandSpec {
  readonly template: string;
  /** directory for the `{in}` files (and `{out}` of a coarse solver): `<output>/io` */
  readonly workdir: string;
}

/** Why a template cannot work, or undefined: every `{name}` known, and `{in}`, `{out}` present. */
export function templateProblem(template: string): string | undefined {
  for (const [, name] of template.matchAll(/\{([^{}\s]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name!)) return `unknown placeholder {${name}} (allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`;
  }
  for (const needed of ["{in}", "{out}"]) if (!template.includes(needed)) return `the template must contain ${needed}`;
  return undefined;
}

/** POSIX shell quoting: one word, whatever the path holds. */
function quote(text: string): string {
  return /^[\w./:=+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

export function expandTemplate(template: string, values: Readonly<Record<Placeholder, string | number>>): string {
  return template.replace(/\{(in|out|t0|t1|iter|h)\}/g, (_, name: Placeholder) => {
    const v = values[name];
    // numbers as the shortest text that reads back to the same double
    return typeof v === "number" ? String(v) : quote(v);
  });
}

/** Unique names for the files of one job, so jobs of every process can share a directory (which must exist). */
export function ioNames(spec: CommandSpec, kind: "coarse" | "fine", iteration: number, t0: number, t1: number): { input: string; output: string } {
  const stem = join(spec.workdir, `${fineFilename(kind, iteration, t0, t1).slice(0, -3)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  return { input: `${stem}-in.h5`, output: `${stem}-out.h5` };
}

const STDERR_LINES = 5;

/**
 * Run one expanded command; resolves when it exits 0. Fails with the command's last stderr lines,
 * or with Interrupted when `stop` says so (the process group is killed).
 */
export function runShell(command: string, what: string, stop?: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // its own process group, so cancelling kills what the shell started too
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["ignore", "ignore", "pipe"], detached: true });
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
            kill(child.pid, "SIGTERM");
          }
        }, 50)
      : undefined;
    child.on("error", (e) => {
      clearInterval(poll);
      reject(new Error(`${what}: cannot start /bin/sh: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearInterval(poll);
      if (stopped) return reject(new Interrupted());
      if (code === 0) return resolve();
      const lines = tail.trim().split("\n").filter((l) => l.trim() !== "").slice(-STDERR_LINES);
      const status = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${what} ${status}: ${command}${lines.length ? ` | stderr: ${lines.join(" | ")}` : " (no stderr output)"}`));
    });
  });
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function removeQuietly(...paths: string[]): void {
  for (const p of paths) rmSync(p, { force: true });
}
