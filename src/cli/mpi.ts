/**
 * Launch under mpirun or srun, as dask-mpi does: rank 0 drives, every other rank is a worker.
 * The ranks meet through a scheduler file in the output directory (a filesystem they share);
 * without --redis, rank 0 runs a private redis-server with a random password for the launch.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../archive/atomic.js";
import { resolveRunConfig, type RunInput } from "../config/run-config.js";
import { UsageError } from "../errors.js";
import { log } from "../log.js";
import type { RunFlags } from "./run-options.js";

export interface MpiPlace {
  readonly rank: number;
  readonly size: number;
  /** identifies this launch, so a scheduler file left by an earlier one is not used */
  readonly launch: string;
}

/** Rank and size from Open MPI, PMIx, MPICH/PMI or Slurm; undefined outside a launcher. */
export function mpiPlace(env: NodeJS.ProcessEnv = process.env): MpiPlace | undefined {
  const rank = env.OMPI_COMM_WORLD_RANK ?? env.PMIX_RANK ?? env.PMI_RANK ?? env.SLURM_PROCID;
  const size = env.OMPI_COMM_WORLD_SIZE ?? env.PMI_SIZE ?? env.SLURM_NTASKS ?? env.SLURM_NPROCS;
  if (rank === undefined || size === undefined) return undefined;
  const launch =
    env.PMIX_NAMESPACE ?? env.OMPI_MCA_orte_ess_jobid ?? (env.SLURM_JOB_ID ? `${env.SLURM_JOB_ID}.${env.SLURM_STEP_ID ?? "0"}` : undefined) ?? env.PMI_ID ?? "unknown";
  return { rank: Number(rank), size: Number(size), launch };
}

export interface SchedulerInfo {
  readonly launch: string;
  readonly url: string;
  readonly run: string;
  /** the key driver and workers of this launch share */
  readonly key: string;
}

export function schedulerFile(output: string): string {
  return join(output, "scheduler.json");
}

/** Written atomically, readable by its owner only: it holds the Redis password and the key. */
export function writeSchedulerFile(path: string, info: SchedulerInfo): void {
  writeFileAtomic(path, JSON.stringify(info) + "\n", 0o600);
}

export async function waitForSchedulerFile(path: string, launch: string, timeoutMs = 120_000): Promise<SchedulerInfo> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      try {
        const info = JSON.parse(readFileSync(path, "utf8")) as SchedulerInfo;
        if (info.launch === launch) return info;
      } catch {
        // being replaced: read again
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no scheduler file from rank 0 at ${path} after ${timeoutMs / 1000} s (is the output directory shared by all ranks?)`);
}

export function removeSchedulerFile(path: string): void {
  rmSync(path, { force: true });
}

/** `--mpi`: rank 0 drives through Redis (its own private server unless --redis), the others serve. */
export async function runMpi(flags: RunFlags, input: RunInput, workersGiven: boolean): Promise<void> {
  const place = mpiPlace();
  if (!place) throw new UsageError("--mpi: no MPI rank in the environment (start with mpirun -n P or srun)");
  const file = schedulerFile(resolve(flags.output));
  const { Signer } = await import("../exec/redis/signing.js");
  if (place.rank !== 0) {
    const info = await waitForSchedulerFile(file, place.launch);
    const { serveWorker } = await import("./worker-command.js");
    const { solverWorkerRuntime } = await import("../jobs/solver-job.js");
    const { TRUST_ALL } = await import("../solvers/trust.js");
    // ranks of one launch serve only the run that their own command line describes: trust its modules and commands
    await serveWorker({ url: info.url, caFile: flags.redisCa }, solverWorkerRuntime(TRUST_ALL, undefined), {
      concurrency: workersGiven ? flags.workers : 1,
      run: info.run,
      signer: Signer.fromText(info.key, file),
    });
    return;
  }
  const config = await resolveRunConfig(input);
  // the output is checked and locked before Redis starts or the scheduler file is written: a
  // refused launch leaves nothing, and never touches the scheduler file of the launch running there
  const { claimRun, run } = await import("./run-command.js");
  const claimed = await claimRun(flags, config, true);
  let server: Awaited<ReturnType<typeof import("../exec/redis/server.js").startRedisServer>> | undefined;
  let written = false;
  try {
    if (place.size < 2) log.warning("--mpi with a single rank: no worker ranks, the run waits for `parareal worker` processes");
    const { startRedisServer } = await import("../exec/redis/server.js");
    const { newRunId } = await import("../exec/redis/executor.js");
    if (flags.redis === undefined) {
      try {
        server = await startRedisServer({ bind: flags.redisBind });
      } catch (e) {
        throw new Error(`--mpi without --redis: ${(e as Error).message}`);
      }
    }
    const url = flags.redis ?? server!.url;
    const runId = newRunId();
    const { signer, text } = Signer.random();
    writeSchedulerFile(file, { launch: place.launch, url, run: runId, key: text });
    written = true;
    await run({ ...flags, redis: url }, config, { runId, workers: place.size - 1, signer }, claimed);
  } finally {
    if (written) removeSchedulerFile(file);
    await server?.stop();
    await claimed.release();
  }
}
