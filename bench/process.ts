/**
 * Timing a whole command, as a user would see it: wall time from spawn to exit (this process's
 * clock), CPU seconds and peak RSS from GNU time (/usr/bin/time: the command's own rusage and that
 * of the children it waited for; the peak RSS is the largest single process's, not a sum).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const GNU_TIME = "/usr/bin/time";

export interface Timed {
  readonly seconds: number;
  /** user + system */
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TimeOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** each chunk of stderr as it comes (to catch a URL the command prints, say) */
  readonly onStderr?: (text: string) => void;
}

/** Run `argv` under GNU time; resolves when it exits, whatever its code (see `succeeded`). */
export function timeCommand(argv: readonly string[], options: TimeOptions = {}): Promise<Timed> {
  if (!existsSync(GNU_TIME)) return Promise.reject(new Error(`${GNU_TIME} is missing (Debian package: time)`));
  const report = join(tmpdir(), `parareal-bench-time-${randomBytes(6).toString("hex")}`);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(GNU_TIME, ["-o", report, "-f", "%U %S %M", ...argv], { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      options.onStderr?.(d);
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      const seconds = (performance.now() - start) / 1000;
      if (timer !== undefined) clearTimeout(timer);
      try {
        // GNU time writes "Command exited with non-zero status N" before the format line
        const last = readFileSync(report, "utf8").trim().split("\n").at(-1) ?? "";
        const [user, system, rssKiB] = last.split(" ").map(Number);
        resolve({ seconds, cpuSeconds: (user ?? NaN) + (system ?? NaN), peakRssMiB: (rssKiB ?? NaN) / 1024, code, stdout, stderr });
      } catch (e) {
        reject(new Error(`no report from ${GNU_TIME} for ${argv.join(" ")}: ${(e as Error).message}`));
      } finally {
        rmSync(report, { force: true });
      }
    });
  });
}

/** The result, or an error naming the command and the end of its stderr. */
export function succeeded(t: Timed, what: string): Timed {
  if (t.code !== 0) throw new Error(`${what} failed (exit ${t.code}): ${t.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  return t;
}
