/** Shared test helpers: temporary directories, the built CLI, and Debian's python3 with NumPy/h5py. */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = join(repoRoot, "dist", "src", "cli", "main.js");

/** Debian's python3 (with python3-numpy and python3-h5py, installed by .ci/run). */
export const python = process.env.PARAREAL_PYTHON ?? "/usr/bin/python3";

export function tempDir(t: { after: (fn: () => void) => void }, prefix = "parareal-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Completed> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function runPython(script: string, args: readonly string[] = []): string {
  const r = spawnSync(python, [script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${python} ${script} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export function runPythonCode(code: string, args: readonly string[] = []): string {
  const r = spawnSync(python, ["-c", code, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

export interface OriginalResult {
  t: number[];
  maxdif: number[];
  iterations: number;
  final: number[][];
  reference: number[][];
  referenceFiles: string[];
  steps: number[];
}

/** The Python original's demo, transcribed with NumPy (test/parity/original.py). */
export function originalDemo(args: readonly string[] = []): OriginalResult {
  return JSON.parse(runPython(join(repoRoot, "test", "parity", "original.py"), args)) as OriginalResult;
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
