/**
 * The executor a command line asks for: a thread pool (default), this thread (--executor inline),
 * or Redis workers (--redis). Each is imported on demand: Piscina and BullMQ cost start-up time.
 */
import { UsageError } from "../errors.js";
import type { Signer } from "../exec/redis/signing.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { log } from "../log.js";
import type { ExecutorFlags } from "./run-options.js";

/** Under --mpi: the run id announced in the scheduler file, how many worker ranks come, the launch's key. */
export interface MpiRun {
  readonly runId: string;
  readonly workers: number;
  readonly signer: Signer;
}

/** What a Redis run announces to its workers. */
export interface RunScope {
  /** the output directory: every path of the run's jobs lies inside */
  readonly root: string;
  /** problem modules the run's jobs name */
  readonly modules: readonly string[];
}

/** The key shared with Redis workers: --key-file (or PARAREAL_KEY_FILE), else PARAREAL_KEY. */
export async function loadSigner(keyFile: string | undefined): Promise<Signer> {
  const { Signer } = await import("../exec/redis/signing.js");
  try {
    if (keyFile !== undefined) return Signer.fromFile(keyFile);
    const text = process.env.PARAREAL_KEY;
    if (text !== undefined) return Signer.fromText(text, "PARAREAL_KEY");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  throw new UsageError("--redis needs the key it shares with its workers: --key-file FILE (or PARAREAL_KEY_FILE), or PARAREAL_KEY; make one with `(umask 077; openssl rand -hex 32 > ~/.parareal-key)`");
}

export async function openExecutor(flags: ExecutorFlags, scope: RunScope, mpi?: MpiRun): Promise<SolverExecutor> {
  const jobs = await import("../jobs/executors.js");
  if (flags.redis !== undefined) {
    const { checkUrl } = await import("../exec/redis/url.js");
    try {
      checkUrl(flags.redis);
    } catch (e) {
      throw new UsageError(`--redis: ${(e as Error).message}`);
    }
    const signer = mpi?.signer ?? (await loadSigner(flags.keyFile));
    const executor = await jobs.redisExecutor({ url: flags.redis, caFile: flags.redisCa }, { attempts: flags.attempts, outageMs: flags.redisOutage * 1000, ...(mpi ? { runId: mpi.runId } : {}), root: scope.root, modules: scope.modules, signer });
    // like dask-mpi, start when every rank is there, so all of them share the work
    if (mpi) await executor.waitForWorkers(mpi.workers);
    return executor;
  }
  if (flags.executor === "inline") return jobs.inlineExecutor();
  log.debug(`threads executor with up to ${flags.workers} threads`);
  return jobs.threadsExecutor(flags.workers);
}

/**
 * The Redis options checked before anything is written: a bad URL, a missing or unreadable
 * --redis-ca, a missing or badly kept key (not under --mpi: the launch makes its own) are one line,
 * exit 2, with the output directory untouched.
 */
export async function checkExecutorFlags(flags: ExecutorFlags, mpi: boolean): Promise<void> {
  if (flags.redis === undefined) return;
  const { checkUrl } = await import("../exec/redis/url.js");
  try {
    checkUrl(flags.redis);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message}`);
  }
  if (flags.redisCa !== undefined) {
    const { accessSync, constants, statSync } = await import("node:fs");
    try {
      if (!statSync(flags.redisCa).isFile()) throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
      accessSync(flags.redisCa, constants.R_OK);
    } catch (e) {
      throw new UsageError(`--redis-ca ${flags.redisCa}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (!mpi) await loadSigner(flags.keyFile);
}
