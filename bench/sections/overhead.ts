/**
 * The threads executor's per-job overhead, and issue 15 target 6: the coarse chain does not pay a
 * thread round trip per step. Coarse jobs run in the driver (`local`); the same chain sent
 * through the pool shows what each step would cost otherwise.
 */
import { ThreadsExecutor } from "../../src/exec/threads.js";
import { solverJobs, solverRuntime } from "../../src/jobs/solver-job.js";
import { median } from "../stats.js";
import { rowsTable, type Table } from "../table.js";
import { batchMicros, chainMicros, remoteJobs } from "../tiny-jobs.js";

export async function run(): Promise<Table[]> {
  const remote = new ThreadsExecutor(remoteJobs, solverRuntime(), 2);
  await remote.warm(2);
  await batchMicros(remote, 2000); // warm up
  await chainMicros(remote, 500);
  const batch = median([await batchMicros(remote, 5000), await batchMicros(remote, 5000), await batchMicros(remote, 5000)]);
  const trip = median([await chainMicros(remote, 2000), await chainMicros(remote, 2000), await chainMicros(remote, 2000)]);
  await remote.close();

  // as a run does it: the executor of `parareal run`, coarse jobs in the driver
  const local = new ThreadsExecutor(solverJobs, solverRuntime(), 2);
  await chainMicros(local, 2000);
  const coarse = median([await chainMicros(local, 20_000), await chainMicros(local, 20_000), await chainMicros(local, 20_000)]);
  const threads = local.threads;
  await local.close();
  if (threads !== 0) throw new Error(`local coarse jobs started ${threads} worker threads`);

  return [
    rowsTable("Per-job cost: threads executor, and the coarse chain in the driver (issue 15, target 6)", [
      { what: "threads executor: per-job overhead, batch of 5000 tiny jobs (median of 3)", value: batch, unit: "us", target: 50, note: "wall time / jobs, 2 worker threads" },
      { what: "threads executor: round trip of one job in a chain (median of 3 chains of 2000)", value: trip, unit: "us", note: "latency: job i waits for job i-1, every one through a worker thread" },
      {
        what: "coarse job in the driver, in a chain (as the coarse sweep runs; median of 3 chains of 20,000)",
        value: coarse,
        unit: "us",
        target: trip,
        targetText: "< a thread round trip",
        note: `${(trip / coarse).toFixed(0)}x cheaper than the round trip; no worker thread started`,
      },
    ]),
  ];
}
