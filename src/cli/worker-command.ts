/** `parareal worker`: serve jobs from Redis until stopped (SIGTERM/SIGINT finish the job in hand). */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import type { RedisSettings } from "../exec/redis/connection.js";
import type { ServeOptions, WorkerRuntime } from "../exec/redis/worker.js";
import { checkUrl } from "../exec/redis/url.js";
import { log } from "../log.js";
import { loadSigner } from "./executor-factory.js";
import { configureLog } from "./logging.js";
import { secondsFrom, workerCount } from "./parse.js";

interface WorkerFlags {
  allowModules: boolean;
  allowCommands: boolean;
  archiveRoot?: string;
  redis: string;
  redisCa?: string;
  keyFile?: string;
  concurrency: number;
  lockSeconds: number;
  run?: string;
  log: string;
  logFile?: string;
}

/** A worker stopped by a signal finishes its jobs in hand for at most this long, then goes. */
export const STOP_GRACE_MS = 4000;

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "Run parareal jobs from a Redis server, for every run that uses it with the same key (start any number, on " +
        "any machines that share the archive directory). SIGTERM or SIGINT: finish the jobs in hand (at most 4 s), " +
        "then exit 0; a second signal: exit at once.",
    )
    .addOption(
      new Option("--redis <url>", "Redis server: redis://[user:password@]host:port[/db], or rediss:// for TLS (keeps the password out of ps when given by the environment)")
        .env("PARAREAL_REDIS")
        .makeOptionMandatory(),
    )
    .option("--redis-ca <file>", "PEM file of the certificate authority for rediss://")
    .addOption(new Option("--key-file <file>", "the key shared with the drivers (mode 600); or PARAREAL_KEY").env("PARAREAL_KEY_FILE"))
    .addOption(new Option("--concurrency <n>", "jobs run at once (threads, started as jobs come)").default(availableParallelism()).argParser(workerCount))
    .addOption(new Option("--lock-seconds <s>", "a job whose worker is silent this long (killed, hung) runs again elsewhere").default(30).argParser(secondsFrom(1)))
    .option("--run <id>", "serve only this run, and exit when it ends")
    .option("--allow-modules", "import the problem modules that jobs name (runs with --problem ./file.mjs); only for drivers you trust", false)
    .option("--archive-root <dir>", "serve only runs whose output directory lies inside DIR (jobs naming paths elsewhere are refused in any case)")
    .option("--allow-commands", "run the solver commands that jobs name (runs with --fine-cmd/--coarse-cmd) and OpenFOAM cases (--openfoam); only for drivers you trust", false)
    .addOption(new Option("--log <level>", "log level: debug, info, warning, error or critical").default("warning"))
    .option("--log-file <file>", "append log lines to this file instead of stderr")
    .option("--debug", "show stack traces of errors", false)
    .action(async (flags: WorkerFlags) => {
      await serve(flags);
    });
}

export async function serve(flags: WorkerFlags): Promise<void> {
  configureLog(flags);
  try {
    checkUrl(flags.redis);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message}`);
  }
  const signer = await loadSigner(flags.keyFile);
  const { solverWorkerRuntime } = await import("../jobs/solver-job.js");
  let archiveRoot: string | undefined;
  if (flags.archiveRoot !== undefined) {
    const { rootProblem } = await import("../jobs/confine.js");
    archiveRoot = resolve(flags.archiveRoot);
    const why = rootProblem(archiveRoot);
    if (why) throw new UsageError(`--archive-root ${why}`);
  }
  const runtime = solverWorkerRuntime({ modules: flags.allowModules, commands: flags.allowCommands }, archiveRoot);
  await serveWorker({ url: flags.redis, caFile: flags.redisCa }, runtime, { concurrency: flags.concurrency, lockMs: flags.lockSeconds * 1000, run: flags.run, signer });
}

/**
 * Serve until SIGTERM/SIGINT (or the end of the one run given). A signal finishes the jobs in hand
 * for up to STOP_GRACE_MS whatever Redis does (it may be down), a second one stops at once.
 */
export async function serveWorker<P>(settings: RedisSettings, runtime: WorkerRuntime<P>, options: Omit<ServeOptions, "name">): Promise<void> {
  const { WorkerService } = await import("../exec/redis/worker.js");
  const { workerName } = await import("../jobs/run-job.js");
  const { killCommands } = await import("../process/supervisor.js");
  let signalled = false;
  const early = (signal: NodeJS.Signals) => process.exit(signal === "SIGINT" ? 130 : 143);
  process.once("SIGTERM", early);
  process.once("SIGINT", early);
  const service = await WorkerService.start(settings, runtime, { ...options, name: workerName });
  process.off("SIGTERM", early);
  process.off("SIGINT", early);
  // commands killed mid-job leave their exchange files: remove ours before going
  const cleanup = () => {
    try {
      runtime.cleanup?.();
    } catch (e) {
      log.debug(`worker: cleanup: ${(e as Error).message}`);
    }
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (signalled) {
        void killCommands(0).finally(() => {
          cleanup();
          process.exit(signal === "SIGINT" ? 130 : 143);
        });
        return;
      }
      signalled = true;
      log.info(`worker: ${signal}, finishing the jobs in hand (at most ${STOP_GRACE_MS / 1000} s)`);
      const deadline = setTimeout(() => {
        log.warning(`worker: jobs still running after ${STOP_GRACE_MS / 1000} s; stopping them`);
        service.abort();
        void killCommands(500).finally(() => {
          cleanup();
          process.exit(0);
        });
      }, STOP_GRACE_MS);
      void service.stop().finally(() => clearTimeout(deadline));
    });
  }
  await service.done;
  cleanup();
  // maxRSS is in KiB; the benchmark reads this line
  log.info(`worker: stopped after ${service.jobsRun} jobs, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}
