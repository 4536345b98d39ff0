/**
 * `npm run bench`: the speed targets of the core, printed as a table.
 *   - whole-process time of the default `parareal run` (threads and inline executors)
 *   - per-job overhead of the threads executor (a batch of tiny jobs, and a chain of them)
 *   - fine kernel time per forward Euler step of the oscillator
 *   - then one more table (bench/kernel.ts): the generated fine kernels against C, per step, for
 *     the oscillator, Lorenz and heat1d with euler, rk4 and dopri5 (C built with `cc -O2`).
 *
 * Only that last table: `npm run build && node dist/bench/run.js --kernel` (or PARAREAL_BENCH=kernel).
 *   - HDF5 fine files: our encoder and the atomic write, beside h5wasm's
 * `PARAREAL_BENCH=hdf5 node dist/bench/run.js` runs only the HDF5 rows (a few seconds).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { literal, type Vector } from "../src/expr/vector.js";
import { Future } from "../src/exec/future.js";
import { ThreadsExecutor } from "../src/exec/threads.js";
import { RedisExecutor } from "../src/exec/redis/executor.js";
import { Signer } from "../src/exec/redis/signing.js";
import { solverJobs, solverRuntime, type SolverExecutor } from "../src/jobs/solver-job.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { rk4 } from "../src/ode/rk4.js";
import { dopri5 } from "../src/ode/dopri5.js";
import { backwardEuler } from "../src/ode/backward-euler.js";
import { problems } from "../src/models/builtin.js";
import { harmonicOscillator } from "../src/models/harmonic.js";
import { iterateSolution, tabulateSubSteps } from "../src/ode/iterate.js";
import { linspace } from "../src/ode/linspace.js";
import { tabulateJobs } from "../src/parareal/scheduler.js";
import { coarseSpec } from "../src/solvers/spec.js";
import type { Solution } from "../src/ode/problem.js";
import { tabulate } from "../src/ode/tabulate.js";
import { mgrit } from "../src/mgrit/serial.js";
import { problemSolutions } from "../src/mgrit/problem-solutions.js";
import { buildHierarchy } from "../src/mgrit/hierarchy.js";
import { differenceNorm } from "../src/parareal/criteria.js";
import { runPararealOracle, scheduledFineJobs } from "../src/parareal/windows.js";
import { maxAbsDiff } from "../src/parareal/serial.js";
import { withKernel } from "../src/ode/kernel/kernel.js";
import { kernelRows, kernelTable } from "./kernel.js";

if (process.argv.includes("--kernel") || process.env["PARAREAL_BENCH"] === "kernel") {
  console.log(kernelTable(kernelRows()));
  process.exit(0);
}
import { writeFileAtomic } from "../src/archive/atomic.js";
import { fineFilename } from "../src/archive/filename.js";
import type { DatasetSpec } from "../src/archive/hdf5.js";
import { encodeHdf5 } from "../src/archive/hdf5-writer.js";
import { h5wasmEncoder } from "../src/archive/h5wasm-writer.js";

interface Row {
  what: string;
  value: number;
  unit: string;
  target?: number;
  note?: string;
}

const rows: Row[] = [];
/** the solver jobs, every one sent to a worker (coarse ones too): for per-job overheads */
const remote = { ...solverJobs, info: (job: Parameters<typeof solverJobs.info>[0]) => ({ ...solverJobs.info(job), local: false }) };
/** the key the benchmark's driver and workers share */
const benchKey = "parareal-bench-key-0123456789abcdef0123456789abcdef";
process.env.PARAREAL_KEY = benchKey;
const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// PARAREAL_BENCH=mgrit: only the table of parareal against MGRIT
if (process.env.PARAREAL_BENCH === "mgrit") {
  mgritTable();
  process.exit(0);
}
if (process.env.PARAREAL_BENCH === "hdf5") {
  await hdf5WriterRows();
  printTable();
  process.exit(0);
}

/** Wall time per job, in microseconds, of `n` trivial coarse jobs submitted at once. */
async function batchMicros(exec: SolverExecutor, n: number): Promise<number> {
  const spec = coarseSpec({ name: "harmonic", params: {} }, 0);
  const y0 = Future.resolved<Vector>(literal([1, 0]));
  const start = performance.now();
  const fs = Array.from({ length: n }, () => exec.submit({ solver: spec, t0: 0, t1: 0.01, slice: 1 }, y0));
  await Promise.all(fs.map((f) => f.promise));
  return ((performance.now() - start) * 1000) / n;
}

function wholeProcess(args: readonly string[], reps: number): { median: number; min: number; rss: number } {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < reps; i++) {
    const dir = mkdtempSync(join(tmpdir(), "parareal-bench-"));
    try {
      const start = performance.now();
      const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, cli, "run", "--output", dir, ...args], { encoding: "utf8" });
      times.push((performance.now() - start) / 1000);
      if (r.status !== 0) throw new Error(`parareal run failed: ${r.stderr}`);
      rss = Math.max(rss, Number(r.stderr.trim().split("\n").at(-1)) / 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { median: median(times), min: Math.min(...times), rss };
}

for (const [label, args] of [
  ["default `parareal run` (threads, 2 workers)", []],
  ["`parareal run --executor inline`", ["--executor", "inline"]],
] as const) {
  const r = wholeProcess([...args], 5);
  rows.push({ what: `${label}, whole process (median of 5)`, value: r.median, unit: "s", target: 0.5, note: `min ${r.min.toFixed(3)} s, peak RSS ${r.rss.toFixed(0)} MiB` });
}

// Load: 1,000 slices of tiny jobs; memory must not grow with the number of jobs run.
const thousand = ["--points", "1001", "--no-reference", "--workers", "2"];
const load = [
  ["1,000 slices, converged in 4 iterations (about 17,000 jobs)", [...thousand, "--t-end", "100", "--h", "0.01"]],
  ["1,000 slices, 10 iterations (about 20,000 jobs)", [...thousand, "--t-end", "1000", "--h", "0.1", "--max-iterations", "10"]],
  ["1,000 slices, 30 iterations (about 60,000 jobs)", [...thousand, "--t-end", "1000", "--h", "0.1", "--max-iterations", "30"]],
] as const;
for (const [label, args] of load) {
  const r = wholeProcess(args, 1);
  rows.push({ what: `threads: ${label}, peak RSS`, value: r.rss, unit: "MiB", note: `whole process ${r.median.toFixed(1)} s` });
}

// Per-job overhead: trivial coarse jobs (one Euler step) through the pool.
{
  // coarse jobs normally run in the driver: here they go through the pool, to time its round trip
  const exec = new ThreadsExecutor(remote, solverRuntime(), 2);
  const spec = coarseSpec({ name: "harmonic", params: {} }, 0);
  const batch = (n: number) => batchMicros(exec, n);
  const chain = async (n: number) => {
    const start = performance.now();
    const ys = tabulateJobs(exec, spec, literal([1, 0]), linspace(0, 1, n + 1));
    await ys.at(-1)!.promise;
    return ((performance.now() - start) * 1000) / n;
  };
  await batch(2000); // warm up
  await chain(500);
  const b = median([await batch(5000), await batch(5000), await batch(5000)]);
  const c = median([await chain(2000), await chain(2000), await chain(2000)]);
  await exec.close();
  rows.push({ what: "threads executor: per-job overhead, batch of 5000 tiny jobs", value: b, unit: "us", target: 50, note: "wall time / jobs, 2 workers" });
  rows.push({ what: "threads executor: round trip of one job in a chain", value: c, unit: "us", note: "latency, job i waits for job i-1" });
}

// Through Redis: a private redis-server and real `parareal worker` processes.
async function redisRows(): Promise<void> {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  const workers: ChildProcess[] = [];
  const workerRss: number[] = [];
  const startWorkers = async (n: number, concurrency = 1, measure = false) => {
    for (let i = 0; i < n; i++) {
      const w = spawn(process.execPath, [cli, "worker", "--redis", url, "--concurrency", String(concurrency), "--log", "info"], { stdio: ["ignore", "ignore", "pipe"] });
      if (measure) {
        // the worker reports its own peak RSS as it stops
        let tail = "";
        w.stderr!.on("data", (d: Buffer) => (tail = (tail + d.toString()).slice(-500)));
        w.once("exit", () => workerRss.push(Number(/peak RSS (\d+) MiB/.exec(tail)?.[1])));
      }
      await new Promise<void>((resolve) => w.stderr!.on("data", (d: Buffer) => /serving/.test(d.toString()) && resolve()));
      workers.push(w);
    }
  };
  const stopWorkers = async () => {
    await Promise.all(workers.splice(0).map((w) => new Promise((r) => (w.once("exit", r), w.kill("SIGTERM")))));
  };
  try {
    await new Promise((r) => setTimeout(r, 300));
    await startWorkers(2);
    const exec = await RedisExecutor.open({ url }, remote, solverRuntime(), { root: tmpdir(), signer: Signer.fromText(benchKey, "bench key") });
    await batchMicros(exec, 500);
    const perJob = median([await batchMicros(exec, 2000), await batchMicros(exec, 2000), await batchMicros(exec, 2000)]) / 1000;
    await exec.close();
    rows.push({ what: "redis executor: per-job overhead, batch of 2000 tiny jobs", value: perJob, unit: "ms", target: 0.5, note: "2 worker processes, wall time / jobs" });

    // heavy fine work: 4 slices of 5e7 Euler steps, 2 iterations (7 fine jobs)
    const heavy = ["--points", "5", "--t-end", "4", "--h", "2e-8", "--save-every", "1000000", "--no-reference", "--max-iterations", "2", "--json"];
    const timed = (n: number) => {
      const dir = mkdtempSync(join(tmpdir(), "parareal-bench-"));
      try {
        const r = spawnSync(process.execPath, [cli, "run", "--redis", url, "--output", dir, ...heavy], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`redis run with ${n} workers failed: ${r.stderr}`);
        return (JSON.parse(r.stdout) as { wallSeconds: number }).wallSeconds;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const two = timed(2);
    await stopWorkers();
    await startWorkers(1);
    const one = timed(1);
    rows.push({ what: "redis executor: heavy run (7 fine jobs of 5e7 steps), 1 worker", value: one, unit: "s" });
    rows.push({ what: "redis executor: the same, 2 workers", value: two, unit: "s", note: `speedup ${(one / two).toFixed(2)}x` });

    // load through Redis: 1,000 slices on 3 workers, peak RSS of the driver and of each worker
    await stopWorkers();
    await startWorkers(3, 1, true);
    const driver = wholeProcess([...load[0][1], "--redis", url], 1);
    await stopWorkers();
    rows.push({
      what: "redis: 1,000 slices on 3 workers, driver peak RSS",
      value: driver.rss,
      unit: "MiB",
      note: `whole process ${driver.median.toFixed(1)} s; workers ${workerRss.map((r) => r.toFixed(0)).join(", ")} MiB`,
    });
  } finally {
    await stopWorkers();
    server.kill("SIGKILL");
  }
}

/** The same Euler (or RK4) step in C (gcc -O2), where gcc exists: the yardstick for the kernel. */
function cNsPerStep(method: "euler" | "rk4"): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), "parareal-bench-c-"));
  try {
    const src = join(dir, "euler.c");
    writeFileSync(
      src,
      `#include <stdio.h>
#include <time.h>
static void rhs(double t, const double *y, double *d, double c, double k) { (void)t; d[0] = y[1]; d[1] = c * y[1] - k * y[0]; }
int main(int argc, char **argv) {
  const long n = 20000000; double y[2] = {1, 0}, d[2], k1[2], k2[2], k3[2], k4[2], tmp[2]; double t0 = 0, t1 = 1, step = (t1 - t0) / n, ta = t0;
  int rk4 = argc > 1;
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 1; i <= n; i++) { double tb = i == n ? t1 : i * step + t0; double dt = tb - ta;
    if (!rk4) { rhs(ta, y, d, -1.0, 1.0); for (int j = 0; j < 2; j++) y[j] = y[j] + dt * d[j]; }
    else { double h2 = dt / 2; rhs(ta, y, k1, -1.0, 1.0); for (int j = 0; j < 2; j++) tmp[j] = y[j] + h2 * k1[j];
      rhs(ta + h2, tmp, k2, -1.0, 1.0); for (int j = 0; j < 2; j++) tmp[j] = y[j] + h2 * k2[j];
      rhs(ta + h2, tmp, k3, -1.0, 1.0); for (int j = 0; j < 2; j++) tmp[j] = y[j] + dt * k3[j];
      rhs(tb, tmp, k4, -1.0, 1.0); for (int j = 0; j < 2; j++) y[j] = y[j] + (dt / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]); }
    ta = tb; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.4f %g\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n, y[0]);
  return 0;
}
`,
    );
    const exe = join(dir, "euler");
    if (spawnSync("gcc", ["-O2", "-o", exe, src]).status !== 0) return undefined;
    const runs = [0, 1, 2].map(() => Number(spawnSync(exe, method === "rk4" ? ["rk4"] : [], { encoding: "utf8" }).stdout.split(" ")[0]));
    return median(runs);
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Fine kernel: forward Euler on the oscillator, per step, as the fine solver runs it (generated).
{
  const oscillator = harmonicOscillator(1, 0.5);
  const method = withKernel(forwardEuler(oscillator), oscillator, "euler");
  const n = 5_000_000;
  const run = () => {
    const start = performance.now();
    iterateSolution(method, 1 / n)(Float64Array.of(1, 0), 0, 1);
    return ((performance.now() - start) * 1e6) / n;
  };
  run();
  const c = cNsPerStep("euler");
  const ours = median([run(), run(), run()]);
  rows.push({
    what: "fine kernel: forward Euler step of the oscillator",
    value: ours,
    unit: "ns",
    target: 5,
    note: c === undefined ? "no gcc for comparison" : `C -O2 here: ${c.toFixed(2)} ns, ratio ${(ours / c).toFixed(2)}`,
  });
  // as the fine solver runs it: slices of 79 steps, every state kept in a fresh table
  const slices = 50_000;
  const scratch = new Float64Array(160);
  const tab = () => {
    const start = performance.now();
    for (let i = 0; i < slices; i++) tabulateSubSteps(method, Float64Array.of(1, 0), 0, 0.79, 79, 1, scratch);
    return ((performance.now() - start) * 1e6) / (slices * 79);
  };
  tab();
  rows.push({ what: "fine kernel: 79-step slices, every state tabulated (as the fine job)", value: median([tab(), tab(), tab()]), unit: "ns", target: 5 });
}

// Every built-in problem with every integrator through the generic path (method.into calling
// problem.rhs), per step (dopri5: per accepted step); the generated kernels are in the last table.
{
  const c = cNsPerStep("rk4");
  for (const [name, entry] of Object.entries(problems)) {
    const problem = entry.build(entry.defaults);
    const y0 = Float64Array.from(entry.y0(entry.defaults));
    for (const method of ["euler", "rk4", "backward-euler", "dopri5"] as const) {
      const steps = method === "backward-euler" ? (problem.dim > 8 ? 2_000 : 50_000) : 500_000;
      const h = entry.tEnd / steps;
      const time = (): number => {
        const start = performance.now();
        if (method === "dopri5") {
          const solver = dopri5(problem, { rtol: 1e-8, atol: 1e-10 });
          solver(y0, 0, entry.tEnd);
          return ((performance.now() - start) * 1e6) / Math.max(1, solver.stats.accepted);
        }
        const m = method === "euler" ? forwardEuler(problem) : method === "rk4" ? rk4(problem) : backwardEuler(problem);
        iterateSolution(m, h)(y0, 0, entry.tEnd);
        return ((performance.now() - start) * 1e6) / steps;
      };
      time();
      const ns = median([time(), time(), time()]);
      const note = name === "harmonic" && method === "rk4" && c !== undefined ? `C -O2 RK4 here: ${c.toFixed(2)} ns, ratio ${(ns / c).toFixed(2)}` : `dim ${problem.dim}`;
      rows.push({ what: `${name} (${problem.dim}), ${method}: per step, generic path`, value: ns, unit: "ns", ...(name === "harmonic" && method === "rk4" && c !== undefined ? { target: Math.round(150 * c) / 100 } : {}), note });
    }
  }
}

/**
 * A fine file as a run writes it (80 rows x 2; t0 t1 h n stride) into a directory on the run's disk
 * (under the working directory, as ./output), file after file as a run does: ours (encodeHdf5 +
 * writeFileAtomic), and as before (h5wasm + randomBytes/writeFileSync/rename), and our encoding with
 * the former atomic write, interleaved so that all three see the same disk and the same load.
 */
async function hdf5WriterRows(): Promise<void> {
  const data = Float64Array.from({ length: 160 }, (_, k) => Math.cos(k / 10));
  const file = (i: number): DatasetSpec[] => [
    {
      name: "data",
      data,
      shape: [80, 2],
      attributes: { t0: { dtype: "float64", value: i * 0.79 }, t1: { dtype: "float64", value: (i + 1) * 0.79 }, h: { dtype: "float64", value: 0.01 }, n: { dtype: "int64", value: 79 }, stride: { dtype: "int64", value: 1 } },
    },
  ];
  const writeBefore = (path: string, bytes: Uint8Array) => {
    const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  };
  const dir = mkdtempSync(join(process.cwd(), ".parareal-bench-h5-"));
  try {
    let start = performance.now();
    mkdirSync(join(dir, "first"));
    writeFileAtomic(join(dir, "first", "first.h5"), encodeHdf5(file(0)));
    const first = performance.now() - start;
    start = performance.now();
    const h5wasm = await h5wasmEncoder();
    const load = performance.now() - start;

    const timesOf = () => ({ encode: [] as number[], write: [] as number[], total: [] as number[] });
    const [ours, before, oldWrite] = [timesOf(), timesOf(), timesOf()];
    const variants = [
      { name: "ours", encode: encodeHdf5, write: writeFileAtomic, times: ours },
      { name: "before", encode: h5wasm, write: writeBefore, times: before },
      { name: "ours-old-write", encode: encodeHdf5, write: writeBefore, times: oldWrite },
    ];
    for (const v of variants) mkdirSync(join(dir, v.name));
    const n = 1500;
    for (let i = 0; i < n; i++) {
      for (const v of variants) {
        const a = performance.now();
        const bytes = v.encode(file(i));
        const b = performance.now();
        v.write(join(dir, v.name, fineFilename("fine", 1, i * 0.79, (i + 1) * 0.79)), bytes);
        const c = performance.now();
        v.times.encode.push(b - a);
        v.times.write.push(c - b);
        v.times.total.push(c - a);
      }
    }
    const size = (name: string) => statSync(join(dir, name, readdirSync(join(dir, name))[0]!)).size;
    const ms = (xs: number[]) => median(xs.slice(100));
    const alone: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const a = performance.now();
      encodeHdf5(file(i));
      alone.push(performance.now() - a);
    }
    const encodeUs = 1000 * median(alone.slice(1000));
    rows.push({
      what: "HDF5 fine file (80 x 2, 5 attributes): encode + atomic write (median)",
      value: ms(ours.total),
      unit: "ms",
      target: 0.4,
      note: `encode ${encodeUs.toFixed(1)} us (${(1000 * ms(ours.encode)).toFixed(1)} us between writes) + atomic write ${ms(ours.write).toFixed(3)} ms; ${size("ours")} bytes; first file in the process ${first.toFixed(2)} ms; load ${loadavg()[0]!.toFixed(1)}`,
    });
    rows.push({
      what: "HDF5 fine file as before: h5wasm + randomBytes/writeFileSync/rename",
      value: ms(before.total),
      unit: "ms",
      note: `encode ${ms(before.encode).toFixed(3)} ms + write ${ms(before.write).toFixed(3)} ms; ${size("before")} bytes; loading h5wasm ${load.toFixed(0)} ms`,
    });
    rows.push({ what: "HDF5 fine file: atomic write alone (pooled random name, O_EXCL open/write/close, rename)", value: ms(ours.write), unit: "ms", note: `before (randomBytes, writeFileSync, rename): ${ms(oldWrite.write).toFixed(3)} ms` });
    rows.push({ what: "HDF5 fine file: encode alone (median of 20,000)", value: encodeUs, unit: "us", note: `h5wasm: ${(1000 * ms(before.encode)).toFixed(0)} us` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await hdf5WriterRows();
await redisRows();
printTable();

function printTable(): void {
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
  const table = [["what", "measured", "target", "", "note"]];
  for (const r of rows) {
    const ok = r.target === undefined ? "" : r.value <= r.target ? "ok" : "MISSED";
    table.push([r.what, `${fmt(r.value)} ${r.unit}`, r.target === undefined ? "" : `<= ${r.target} ${r.unit}`, ok, r.note ?? ""]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ").trimEnd());
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  }
}

/**
 * Iterations and fine solves to converge: parareal, MGRIT-F and MGRIT-FCF on 2 and 3 levels, on
 * the serial oracles. n = 1,024 fine time steps over the problem's time span, the fine
 * propagator one step of its fine method per step, every coarse level's propagator one step of
 * its coarse method per coarse interval (level l+1 keeps every m-th point). Parareal runs on
 * level 1's points (slices of m fine steps): the same coarse grid as MGRIT's level 1.
 * All stop on the same criterion, the change of the iterate in the max norm (parareal's maxdif:
 * at its slice points; MGRIT: at every fine point) below tol; the residual column is XBraid's
 * C-point residual of the result, which is per step and so much smaller than the error it
 * leaves (PARAREAL_BENCH_MEASURE=residual stops MGRIT on it instead, as XBraid; tol from
 * PARAREAL_BENCH_TOL, default 1e-8). Counts are in fine steps (finest intervals): "scheduled" as the
 * scheduler would run them (parareal: slices k..N in iteration k; MGRIT: every propagation of
 * a state over an interval once, which skips the same exact slices), "all" without any reuse
 * (as XBraid); the critical path is the longest chain of dependent fine steps (parallel time).
 */
function mgritTable(): void {
  const n = 1024;
  const tol = Number(process.env.PARAREAL_BENCH_TOL ?? 1e-8);
  const measure = process.env.PARAREAL_BENCH_MEASURE === "residual" ? "residual" : "change";
  const table = [["problem", "method", "m", "iterations", "fine (scheduled)", "fine (all)", "critical path", "residual", "max |y - serial fine|"]];
  for (const name of ["harmonic", "vanderpol", "heat1d"]) {
    const p = problemSolutions(name);
    const t = linspace(0, p.tEnd, n + 1);
    const serial = tabulate(p.fineStep, p.y0, t);
    const residual = (y: Float64Array[], points: ArrayLike<number>) => {
      const propagated = y.map((_, j) => (j === 0 ? y[0]! : fineOver(p.fineStep, t, points[j - 1]!, points[j]!)(y[j - 1]!)));
      return differenceNorm("max", propagated, y, 1);
    };
    for (const m of [2, 4]) {
      const level1 = buildHierarchy(t, 2, m).levels[1]!;
      const slices = level1.points.length - 1;
      const index = new Map(Array.from(level1.t, (x, j) => [x, level1.points[j]!]));
      const fine: Solution = (y, t0, t1) => fineOver(p.fineStep, t, index.get(t0)!, index.get(t1)!)(y);
      const pr = runPararealOracle(p.coarse, fine, p.y0, level1.t, { criteria: { tol } });
      const onLevel1 = Array.from(level1.points, (i) => serial[i]!);
      table.push([name, "parareal", String(m), `${pr.iterations}${pr.converged ? "" : " (not converged)"}`, String(m * scheduledFineJobs(slices, pr.iterations)), String(m * slices * pr.iterations), String(m * pr.iterations), residual(pr.final, level1.points).toExponential(2), maxAbsDiff(pr.final, onLevel1).toExponential(2)]);
      for (const levels of [2, 3]) {
        for (const relax of ["F", "FCF"] as const) {
          const r = mgrit(p.fineStep, p.coarse, p.y0, t, { levels, coarsening: m, relax, measure, criteria: { tol } });
          table.push([name, `MGRIT-${relax}, ${levels} levels`, String(m), `${r.iterations}${r.converged ? "" : " (not converged)"}`, String(r.fineSolves), String(r.fineSolvesWithoutReuse), String(r.fineCriticalPath), r.history.at(-1)!.residual.toExponential(2), maxAbsDiff(r.final, serial).toExponential(2)]);
        }
      }
    }
  }
  const until = measure === "change" ? "max |y^k - y^(k-1)|" : "max |y^k - y^(k-1)| (parareal), max C-point residual (MGRIT)";
  console.log(`\nparareal and MGRIT until ${until} < ${tol}, n = ${n} fine steps (serial: ${n} fine steps on the critical path)`);
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ").trimEnd());
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  }
}

/** The fine step applied over the finest points from..to: one fine job over a parareal slice. */
function fineOver(step: Solution, t: Float64Array, from: number, to: number): (y: Float64Array) => Float64Array {
  return (y) => {
    let x = y;
    for (let i = from; i < to; i++) x = step(x, t[i]!, t[i + 1]!);
    return x;
  };
}

mgritTable();
console.log(`\n${kernelTable(kernelRows())}`);
