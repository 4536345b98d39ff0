/** Shared test helpers: temporary directories, the built CLI, and Debian's python3 with NumPy/h5py. */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRedisServer } from "../src/exec/redis/server.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = join(repoRoot, "dist", "src", "cli", "bin.js");

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

export { freePort } from "../src/exec/redis/server.js";

/**
 * The key drivers and workers of the tests share (Redis runs need one): every CLI process the
 * tests start inherits it through PARAREAL_KEY.
 */
export const TEST_KEY = "parareal-test-key-0123456789abcdef0123456789abcdef";
process.env.PARAREAL_KEY = TEST_KEY;

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** DBSIZE, through redis-cli */
  dbsize(): number;
  keys(): string[];
  stop(): Promise<void>;
  /** stop and start again on the same port, empty (no persistence) */
  restart(): Promise<void>;
}

function redisCli(port: number, password: string | undefined, user: string | undefined, ...args: string[]): string {
  const auth = [...(user ? ["--user", user] : []), ...(password ? ["--pass", password, "--no-auth-warning"] : [])];
  return execFileSync("redis-cli", ["-p", String(port), ...auth, ...args], { encoding: "utf8" }).trim();
}

export interface RedisOptions {
  /** requirepass, or with `user` that ACL user's password (the default user is then disabled) */
  readonly password?: string;
  readonly user?: string;
  /** more configuration lines (TLS, ...) */
  readonly config?: readonly string[];
  readonly scheme?: "redis" | "rediss";
  readonly host?: string;
}

/** A real redis-server on a free loopback port (started as the project starts its own), stopped when the test ends. */
export async function startRedis(t: { after: (fn: () => Promise<void> | void) => void }, options: RedisOptions = {}): Promise<RedisServer> {
  const password = options.password ?? "";
  const server = await startRedisServer({ password, ...(options.user ? { user: options.user } : {}), ...(options.config ? { config: options.config } : {}), ...(options.scheme ? { scheme: options.scheme } : {}), ...(options.host ? { host: options.host } : {}) });
  t.after(() => server.stop(0));
  const cli = (...args: string[]) => redisCli(server.port, password || undefined, options.user, ...args);
  return {
    port: server.port,
    url: server.url,
    dbsize: () => Number(cli("dbsize")),
    keys: () => cli("keys", "*").split("\n").filter(Boolean),
    stop: () => server.stop(0),
    restart: () => server.restart(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Proc {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** resolves with the exit code (or the signal name) */
  readonly exited: Promise<number | string>;
  /** resolves when stderr matches */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Start the CLI as a real process, killed (if still running) when the test ends. */
export function spawnCli(t: { after: (fn: () => Promise<void> | void) => void }, args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const proc: Proc = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))),
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr: ${proc.stderr}`)), timeoutMs);
        const check = () => {
          if (pattern.test(proc.stderr)) {
            clearTimeout(timer);
            child.stderr!.off("data", check);
            resolve();
          }
        };
        child.stderr!.on("data", check);
        check();
      }),
  };
  child.stdout!.on("data", (d: Buffer) => (proc.stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (proc.stderr += d.toString()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await proc.exited;
    }
  });
  return proc;
}

/** A `parareal worker` process, ready when it has attached to Redis. */
export async function startWorker(t: { after: (fn: () => Promise<void> | void) => void }, url: string, extra: readonly string[] = []): Promise<Proc> {
  const w = spawnCli(t, ["worker", "--redis", url, "--concurrency", "1", "--log", "debug", ...extra]);
  await w.waitFor(/worker: serving/);
  return w;
}
