/**
 * Launch under mpirun or srun, as dask-mpi does: rank 0 drives, every other rank is a worker.
 * The ranks meet through a scheduler file in the output directory (a filesystem they share);
 * without --redis, rank 0 runs a private redis-server with a random password for the launch.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../archive/atomic.js";
import { createServer, type AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

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
}

export function schedulerFile(output: string): string {
  return join(output, "scheduler.json");
}

/** Written atomically, readable by its owner only: it holds the Redis password. */
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

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A redis-server for this launch only: random password, no persistence, listening on `bind`
 * (loopback by default; give the node's address when ranks span several nodes).
 */
export async function startPrivateRedis(bind = "127.0.0.1"): Promise<PrivateRedis> {
  const password = randomBytes(24).toString("hex");
  const port = await freePort(bind);
  let child: ChildProcess;
  try {
    child = spawn("redis-server", ["-"], { stdio: ["pipe", "ignore", "pipe"] });
  } catch (e) {
    throw new Error(`--mpi without --redis needs redis-server on PATH (${(e as Error).message})`);
  }
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once("error", (e) => reject(new Error(`--mpi without --redis needs redis-server on PATH (${e.message})`))),
  );
  // the configuration goes through stdin, so the password never shows in the process list
  child.stdin!.end(`port ${port}\nbind ${bind}\nrequirepass ${password}\nsave ""\nappendonly no\nprotected-mode yes\n`);
  const advertised = bind === "0.0.0.0" ? hostname() : bind;
  const url = `redis://:${password}@${advertised}:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => undefined);
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error("the private redis-server did not start");
  })();
  try {
    await Promise.race([ready, spawnFailed]);
  } finally {
    probe.disconnect();
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await waitForClientsToLeave(url, 10_000);
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Give worker ranks time to finish their cleanup and disconnect before the server goes. */
async function waitForClientsToLeave(url: string, timeoutMs: number): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = await redis.info("clients");
      const clients = Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? "1");
      if (clients <= 1) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // the server is gone already
  } finally {
    redis.disconnect();
  }
}

export function removeSchedulerFile(path: string): void {
  rmSync(path, { force: true });
}
