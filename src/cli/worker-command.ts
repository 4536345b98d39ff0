/** `parareal worker`: serve jobs from Redis until stopped (SIGTERM/SIGINT finish the job in hand). */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { log } from "../log.js";
import type { RedisSettings } from "../exec/redis/connection.js";
import { checkUrl } from "../exec/redis/url.js";
import type { ServeOptions } from "../exec/redis/worker.js";
import { UsageError } from "./errors.js";
import { integerAtLeast, logLevel, positiveNumber } from "./parse.js";

interface WorkerFlags {
  allowModules: boolean;
  allowCommands: boolean;
  archiveRoot?: string;
  redis: string;
  redisCa?: string;
  concurrency: number;
  lockSeconds: number;
  run?: string;
  log: string;
  logFile?: string;
}

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "Run parareal jobs from a Redis server, for every run that uses it (start any number, on any machines " +
        "that share the archive directory). SIGTERM or SIGINT: finish the jobs in hand, then exit 0.",
    )
    .addOption(
      new Option("--redis <url>", "Redis server: redis://[user:password@]host:port[/db], or rediss:// for TLS (keeps the password out of ps when given by the environment)")
        .env("PARAREAL_REDIS")
        .makeOptionMandatory(),
    )
    .option("--redis-ca <file>", "PEM file of the certificate authority for rediss://")
    .addOption(new Option("--concurrency <n>", "jobs run at once (threads)").default(availableParallelism()).argParser(integerAtLeast(1)))
    .addOption(new Option("--lock-seconds <s>", "a job whose worker is silent this long (killed, hung) runs again elsewhere").default(30).argParser(positiveNumber))
    .option("--run <id>", "serve only this run, and exit when it ends")
    .option("--allow-modules", "import the problem modules that jobs name (runs with --problem ./file.mjs); only for a Redis you trust", false)
    .option("--archive-root <dir>", "serve only runs whose output directory lies inside DIR (jobs naming paths elsewhere are refused in any case)")
    .option("--allow-commands", "run the solver commands that jobs name (runs with --fine-cmd/--coarse-cmd); only for a Redis you trust", false)
    .addOption(new Option("--log <level>", "log level: debug, info, warning, error or critical").default("warning"))
    .option("--log-file <file>", "append log lines to this file instead of stderr")
    .option("--debug", "show stack traces of errors", false)
    .action(async (flags: WorkerFlags) => {
      await serve(flags);
    });
}

export async function serve(flags: WorkerFlags): Promise<void> {
  log.configure({ level: logLevel(flags.log), file: flags.logFile });
  try {
    checkUrl(flags.redis);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message}`);
  }
  await serveWorker({ url: flags.redis, caFile: flags.redisCa }, { concurrency: flags.concurrency, lockMs: flags.lockSeconds * 1000, run: flags.run, allowModules: flags.allowModules, allowCommands: flags.allowCommands, archiveRoot: flags.archiveRoot === undefined ? undefined : resolve(flags.archiveRoot) });
}

/** Serve until SIGTERM/SIGINT (or the end of the one run given). */
export async function serveWorker(settings: RedisSettings, options: ServeOptions): Promise<void> {
  const { WorkerService } = await import("../exec/redis/worker.js");
  const service = await WorkerService.start(settings, options);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log.info(`worker: ${signal}, finishing the jobs in hand`);
      void service.stop();
    });
  }
  await service.done;
  // maxRSS is in KiB; the benchmark reads this line
  log.info(`worker: stopped after ${service.jobsRun} jobs, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}
