/**
 * Run in a fresh process by the `startup` section (so the bench's own heap and warm caches do not
 * count): prints one JSON line.
 *   node dist/bench/probes/worker-startup.js pool N   threadsExecutor(N).warm(N): this process's CPU and wall time
 *   node dist/bench/probes/worker-startup.js import   one worker thread importing its module (the bundle, built):
 *                                                     its wall time and the thread's own CPU (/proc/thread-self/schedstat)
 */
import { Worker } from "node:worker_threads";
import { threadsExecutor } from "../../src/jobs/executors.js";
import { solverRuntime } from "../../src/jobs/solver-job.js";

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function pool(n: number): Promise<object> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const exec = threadsExecutor(n);
  await exec.warm(n);
  const wallMs = performance.now() - start;
  const used = cpuMs(process.cpuUsage(cpu));
  const threads = exec.threads;
  await exec.close();
  return { threads, cpuMs: used, wallMs };
}

/** The thread's CPU since it started, in ms, from inside it: worker threads are OS threads of their own. */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const cpu = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
const before = cpu();
const start = performance.now();
import(workerData.module).then(() => parentPort.postMessage({ importMs: performance.now() - start, bootCpuMs: before, threadCpuMs: cpu() }));
`;

async function importOnce(): Promise<object> {
  // the module worker threads load: the build's bundle of it where there is one
  const module = solverRuntime().threadModule.href;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { module } });
  const answer = await new Promise<Record<string, number>>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const wallMs = performance.now() - start;
  const processCpuMs = cpuMs(process.cpuUsage(cpu));
  await worker.terminate();
  return { ...answer, wallMs, processCpuMs };
}

const [mode, count] = process.argv.slice(2);
const result = mode === "pool" ? await pool(Number(count)) : mode === "import" ? await importOnce() : undefined;
if (result === undefined) {
  process.stderr.write("usage: worker-startup.js pool N | import\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(result) + "\n");
