/**
 * Through Redis, with real `parareal worker` processes: the per-job overhead, a heavy run on 1
 * and on 2 workers, and a 1,000-slice run's peak RSS (driver and each worker).
 */
import { RedisExecutor } from "../../src/exec/redis/executor.js";
import { solverRuntime } from "../../src/jobs/solver-job.js";
import { median } from "../stats.js";
import { rowsTable, type Row, type Table } from "../table.js";
import { timeRun } from "../parareal-cli.js";
import { removeScratch, scratchDir } from "../scratch.js";
import { startRedisBench, type RedisBench } from "../redis-workers.js";
import { batchMicros, remoteJobs } from "../tiny-jobs.js";
import { THOUSAND_SLICES } from "../thousand-slices.js";

/** heavy fine work: 4 slices of 5e7 Euler steps, 2 iterations (7 fine jobs) */
const HEAVY = ["--points", "5", "--t-end", "4", "--h", "2e-8", "--save-every", "1000000", "--no-reference", "--max-iterations", "2", "--json"];

async function measure(redis: RedisBench): Promise<Row[]> {
  const rows: Row[] = [];
  await redis.startWorkers(2);
  // workers refuse a run whose root is /tmp itself: a directory of its own
  const root = scratchDir("redis-root");
  const exec = await RedisExecutor.open({ url: redis.url }, remoteJobs, solverRuntime(), { root, signer: redis.signer });
  try {
    await batchMicros(exec, 500);
    const perJob = median([await batchMicros(exec, 2000), await batchMicros(exec, 2000), await batchMicros(exec, 2000)]) / 1000;
    rows.push({ what: "redis executor: per-job overhead, batch of 2000 tiny jobs (median of 3)", value: perJob, unit: "ms", target: 0.5, note: "2 worker processes, wall time / jobs" });
  } finally {
    await exec.close();
    removeScratch(root);
  }

  const heavy = async () => (await timeRun(HEAVY, { env: redis.env })).record.wallSeconds ?? NaN;
  const two = await heavy();
  await redis.stopWorkers();
  await redis.startWorkers(1);
  const one = await heavy();
  await redis.stopWorkers();
  rows.push({ what: "redis executor: heavy run (7 fine jobs of 5e7 steps), 1 worker", value: one, unit: "s", note: "parareal wall time" });
  rows.push({ what: "redis executor: the same, 2 workers", value: two, unit: "s", note: `speedup ${(one / two).toFixed(2)}x` });

  await redis.startWorkers(3);
  const driver = await timeRun(THOUSAND_SLICES, { env: redis.env });
  const workerRss = await redis.stopWorkers();
  rows.push({
    what: "redis: 1,000 slices on 3 workers, driver peak RSS",
    value: driver.timed.peakRssMiB,
    unit: "MiB",
    note: `whole process ${driver.timed.seconds.toFixed(1)} s; workers ${workerRss.map((r) => r.toFixed(0)).join(", ")} MiB`,
  });
  return rows;
}

export async function run(): Promise<Table[]> {
  const redis = await startRedisBench();
  try {
    return [rowsTable("Through Redis (parareal worker processes)", await measure(redis))];
  } finally {
    await redis.close();
  }
}
