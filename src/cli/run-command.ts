/** `parareal run`: the original's main (serial fine reference, then parareal) with our options. */
import { accessSync, constants, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { makeDirs } from "../archive/dirs.js";
import { basename, join, resolve } from "node:path";
import { availableParallelism, hostname } from "node:os";
import { claimOutput } from "./output-dir.js";
import { Command, InvalidArgumentError, Option } from "commander";
import { log, type Level } from "../log.js";
import { linspace } from "../ode/linspace.js";
import { runParareal, solvers, type SolverOptions } from "../parareal/driver.js";
import { buildProblem, loadProblemModule, problemEntry, problems, type ProblemSpec } from "../solvers/problems.js";
import type { Executor } from "../exec/executor.js";
import { UsageError } from "./errors.js";
import { integerAtLeast, logLevel, nonNegativeNumber, numberList, positiveNumber } from "./parse.js";
import { iterationProgress } from "./progress.js";
import { formatSummary } from "./summary.js";
import { writeRunRecord, type RunRecord, type RunStatus } from "../archive/run-record.js";
import { METHODS, type MethodName } from "../solvers/spec.js";
import { templateProblem } from "../solvers/command.js";
import { describeUrl } from "../exec/redis/url.js";
import { version } from "../version.js";

export type ExecutorFlags = Pick<RunFlags, "redis" | "redisCa" | "attempts" | "executor" | "workers" | "output" | "problemModule">;

export interface RunFlags {
  problem: string;
  param: string[];
  coarseParam: string[];
  /** set from --coarse-param by withProblemDefaults: the coarse solver's grid */
  coarseGrid?: Record<string, number>;
  fine?: MethodName;
  coarse?: MethodName;
  fineCmd?: string;
  coarseCmd?: string;
  coarseH?: number;
  rtol?: number;
  atol?: number;
  log: string;
  logFile?: string;
  omega0: number;
  zeta: number;
  /** set from --param (and --omega0/--zeta) by withProblemDefaults */
  problemParams?: Record<string, number>;
  /** file URL when --problem names a module */
  problemModule?: string;
  h: number;
  tEnd: number;
  points: number;
  y0: number[];
  tol: number;
  maxIterations?: number;
  workers: number;
  executor: "threads" | "inline";
  redis?: string;
  redisCa?: string;
  attempts: number;
  mpi: boolean;
  redisBind: string;
  output: string;
  saveEvery: number;
  reference: boolean;
  json: boolean;
  progress: boolean;
  debug: boolean;
  resume: boolean;
  force: boolean;
}

/** Options shared by `run` and `study`: the problem, the solvers, the executor, the output. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(new Option("--log <level>", "log level: debug, info, warning, error or critical (any case)").default("warning"))
    .option("--log-file <file>", "append log lines to this file instead of stderr")
    .addOption(new Option("--omega0 <x>", "natural angular frequency omega0 of the oscillator").default(1.0).argParser(positiveNumber))
    .addOption(new Option("--h <x>", "fine solver step: forward Euler with n = ceil((t1 - t0) / h) steps per slice").default(0.01).argParser(positiveNumber))
    .addOption(new Option("--t-end <x>", "end of the time interval; it starts at 0").default(15).argParser(positiveNumber))
    .addOption(new Option("--points <n>", "time points: t = linspace(0, t-end, points), giving points - 1 slices").default(20).argParser(integerAtLeast(2)))
    .addOption(new Option("--y0 <list>", "initial state, comma separated (q, p)").default([1, 0], "1,0").argParser(numberList))
    .addOption(new Option("--tol <x>", "convergence: stop when max |y^k - y^(k-1)| < tol").default(1e-4).argParser(positiveNumber))
    .addOption(new Option("--max-iterations <k>", "iterations to schedule after the coarse one (default: the number of slices)").argParser(integerAtLeast(1)))
    .addOption(new Option("--workers <n>", "worker threads").default(availableParallelism()).argParser(integerAtLeast(1)))
    .addOption(new Option("--executor <name>", "where jobs run: threads (a worker pool) or inline (this thread, for debugging)").choices(["threads", "inline"]).default("threads"))
    .addOption(new Option("--redis <url>", "run jobs on `parareal worker` processes through this Redis server (redis:// or rediss://)").env("PARAREAL_REDIS"))
    .option("--redis-ca <file>", "PEM file of the certificate authority for rediss://")
    .addOption(new Option("--attempts <n>", "with --redis: tries per job before the run fails").default(3).argParser(integerAtLeast(1)))
    .option("--output <dir>", "output directory (receives euler/ and parareal/); with --redis, on a filesystem every worker shares", "./output")
    .addOption(new Option("--save-every <k>", "keep every k-th fine step in the HDF5 files (and always the last)").default(1).argParser(integerAtLeast(1)))
    .option("--debug", "show stack traces of errors", false);
}

export function addRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description(
      "Solve the damped harmonic oscillator with parareal: first the serial fine reference (files in DIR/euler), " +
        "then parareal on a worker pool (files in DIR/parareal), printing the convergence history.",
    )
    .addOption(new Option("--zeta <x>", "damping ratio zeta (0 <= zeta)").default(0.5).argParser(nonNegativeNumber));
  addCommonOptions(command)
    .addOption(new Option("--problem <name>", `built-in problem (${Object.keys(problems).join(", ")}) or a module path (./my-problem.mjs); --h, --t-end, --points and --y0 default to its own`).default("harmonic"))
    .addOption(new Option("--param <key=value>", "set a problem parameter (repeatable), e.g. --param rho=28").default([]).argParser(collectParam))
    .addOption(new Option("--fine <method>", "fine solver method (default: the problem's)").choices(METHODS))
    .addOption(new Option("--coarse <method>", "coarse solver method (default: the problem's)").choices(METHODS))
    .addOption(new Option("--fine-cmd <template>", "fine solver: a program run by /bin/sh, e.g. 'python3 solve.py {in} {out} {t0} {t1} {h}' ({iter} also); it reads the state from the HDF5 file {in} and writes its trajectory to {out}, dataset data").argParser(commandTemplate))
    .addOption(new Option("--coarse-cmd <template>", "coarse solver: a program, as --fine-cmd ({out} may hold just the state)").argParser(commandTemplate))
    .addOption(new Option("--coarse-param <key=value>", "run the coarse solver with this parameter changed (repeatable), on a coarser grid: e.g. --coarse-param n=15 for heat1d").default([]).argParser(collectParam))
    .addOption(new Option("--coarse-h <x>", "coarse sub-step (default: one step per slice, as the original)").argParser(positiveNumber))
    .addOption(new Option("--rtol <x>", "relative tolerance of dopri5").argParser(positiveNumber))
    .addOption(new Option("--atol <x>", "absolute tolerance of dopri5").argParser(positiveNumber))
    .option("--mpi", "under mpirun/srun: rank 0 drives, the other ranks are workers (each with --workers threads, default 1)", false)
    .option("--redis-bind <address>", "with --mpi and no --redis: address of rank 0's private Redis (give the node's address when ranks span nodes)", "127.0.0.1")
    .option("--no-reference", "skip the serial fine reference run")
    .option("--resume", "continue the run in --output (killed, failed): reuse every fine file it completed, if the parameters are the same", false)
    .option("--force", "overwrite a run already in --output", false)
    .option("--json", "print one JSON object with the results on stdout", false)
    .option("--no-progress", "no progress bar (it is only shown on a terminal anyway)")
    .action(async (flags: RunFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) !== "default" && cmd.getOptionValueSource(name) !== undefined;
      const resolved = await withProblemDefaults(flags, given);
      if (flags.mpi) await runMpi(resolved, !given("workers"));
      else await run(resolved);
    });
}

function commandTemplate(text: string): string {
  const problem = templateProblem(text);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return text;
}

function collectParam(text: string, previous: string[]): string[] {
  if (!/^[A-Za-z]\w*=.+$/.test(text)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give key=value, e.g. rho=28.`);
  return [...previous, text];
}

/** The problem's own defaults for what the user did not give; parameters from --param (and --omega0/--zeta). */
const MODULE_PATH = /[\\/]|\.(m?js|cjs|m?ts)$/;

async function withProblemDefaults(flags: RunFlags, given: (name: string) => boolean): Promise<RunFlags> {
  let module: string | undefined;
  if (MODULE_PATH.test(flags.problem)) {
    const path = resolve(flags.problem);
    if (!existsSync(path)) throw new UsageError(`--problem: no such module file: ${flags.problem}`);
    module = pathToFileURL(path).href;
    try {
      await loadProblemModule(module);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  let entry: ReturnType<typeof problemEntry>;
  try {
    entry = problemEntry(flags.problem, module);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const params: Record<string, number> = {};
  if (flags.problem === "harmonic") Object.assign(params, { omega0: flags.omega0, zeta: flags.zeta });
  else for (const name of ["omega0", "zeta"]) if (given(name)) throw new UsageError(`--${name} is a parameter of the harmonic problem, not of \`${flags.problem}\``);
  const parse = (option: string, kv: string): [string, number] => {
    const [key, text] = [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)];
    const value = Number(text);
    if (!(key in entry.defaults)) throw new UsageError(`${option} ${kv}: problem \`${flags.problem}\` has no parameter \`${key}\` (it has: ${Object.keys(entry.defaults).join(", ")})`);
    if (!Number.isFinite(value)) throw new UsageError(`${option} ${kv}: \`${text}\` is not a finite number`);
    return [key, value];
  };
  for (const kv of flags.param) {
    const [key, value] = parse("--param", kv);
    params[key] = value;
  }
  let coarseGrid: Record<string, number> | undefined;
  if (flags.coarseParam.length > 0) {
    if (!entry.regrid) throw new UsageError(`--coarse-param: problem \`${flags.problem}\` has no grid mapping (regrid); only problems on a grid, such as heat1d, can run their coarse solver on another grid`);
    coarseGrid = Object.fromEntries(flags.coarseParam.map((kv) => parse("--coarse-param", kv)));
    try {
      // a coarse grid the problem cannot build is bad input, found now rather than in the first job
      buildProblem({ name: flags.problem, params: { ...params, ...coarseGrid }, ...(module === undefined ? {} : { module }) });
    } catch (e) {
      throw new UsageError(`--coarse-param ${flags.coarseParam.join(" ")}: ${(e as Error).message}`);
    }
  }
  return {
    ...(coarseGrid === undefined ? {} : { coarseGrid }),
    ...flags,
    ...(module === undefined ? {} : { problemModule: module }),
    omega0: params.omega0 ?? flags.omega0,
    zeta: params.zeta ?? flags.zeta,
    problemParams: params,
    h: given("h") ? flags.h : entry.fine.h,
    tEnd: given("tEnd") ? flags.tEnd : entry.tEnd,
    points: given("points") ? flags.points : entry.points,
    y0: given("y0") ? flags.y0 : entry.y0({ ...entry.defaults, ...params }),
    fine: flags.fine ?? entry.fine.method,
    coarse: flags.coarse ?? entry.coarse.method,
  };
}

export function prepareOutput(output: string): string {
  const dir = resolve(output);
  try {
    for (const sub of ["euler", "parareal"]) {
      makeDirs(join(dir, sub));
      accessSync(join(dir, sub), constants.W_OK);
    }
  } catch (e) {
    throw new UsageError(`cannot write to output directory \`${output}\`: ${(e as Error).message}`);
  }
  return dir;
}

/** `--mpi`: rank 0 drives through Redis (its own private server unless --redis), the others serve. */
async function runMpi(flags: RunFlags, defaultWorkers: boolean): Promise<void> {
  const mpi = await import("./mpi.js");
  const place = mpi.mpiPlace();
  if (!place) throw new UsageError("--mpi: no MPI rank in the environment (start with mpirun -n P or srun)");
  log.configure({ level: logLevel(flags.log), file: flags.logFile });
  const file = mpi.schedulerFile(resolve(flags.output));
  if (place.rank !== 0) {
    const info = await mpi.waitForSchedulerFile(file, place.launch);
    const { serveWorker } = await import("./worker-command.js");
    // ranks of one launch serve only the run that their own command line describes: trust its modules and commands
    await serveWorker({ url: info.url, caFile: flags.redisCa }, { concurrency: defaultWorkers ? 1 : flags.workers, run: info.run, allowModules: true, allowCommands: true });
    return;
  }
  if (place.size < 2) log.warning("--mpi with a single rank: no worker ranks, the run waits for `parareal worker` processes");
  prepareOutput(flags.output);
  const server = flags.redis === undefined ? await mpi.startPrivateRedis(flags.redisBind) : undefined;
  const { newRunId } = await import("../exec/redis/executor.js");
  const runId = newRunId();
  try {
    mpi.writeSchedulerFile(file, { launch: place.launch, url: flags.redis ?? server!.url, run: runId });
    await run({ ...flags, redis: flags.redis ?? server!.url }, { runId, workers: place.size - 1 });
  } finally {
    mpi.removeSchedulerFile(file);
    await server?.stop();
  }
}

/** Imported on demand: each executor pulls in its own dependencies (Piscina, BullMQ). */
export async function openExecutor(flags: ExecutorFlags, mpi?: MpiRun): Promise<Executor> {
  if (flags.redis !== undefined) {
    const { checkUrl } = await import("../exec/redis/url.js");
    try {
      checkUrl(flags.redis);
    } catch (e) {
      throw new UsageError(`--redis: ${(e as Error).message}`);
    }
    const { RedisExecutor } = await import("../exec/redis/executor.js");
    const executor = await RedisExecutor.open({ url: flags.redis, caFile: flags.redisCa }, {
      attempts: flags.attempts,
      runId: mpi?.runId,
      root: resolve(flags.output),
      modules: flags.problemModule === undefined ? [] : [flags.problemModule],
    });
    // like dask-mpi, start when every rank is there, so all of them share the work
    if (mpi) await executor.waitForWorkers(mpi.workers);
    return executor;
  }
  if (flags.executor === "inline") return new (await import("../exec/inline.js")).InlineExecutor();
  return new (await import("../exec/threads.js")).ThreadsExecutor(flags.workers);
}

/** Under --mpi: the run id announced in the scheduler file, and how many worker ranks come. */
interface MpiRun {
  readonly runId: string;
  readonly workers: number;
}

export async function run(flags: RunFlags, mpi?: MpiRun): Promise<void> {
  const level: Level = logLevel(flags.log);
  log.configure({ level, file: flags.logFile });
  const problem: ProblemSpec = {
    name: flags.problemModule === undefined ? flags.problem : basename(flags.problem),
    params: flags.problemParams ?? { omega0: flags.omega0, zeta: flags.zeta },
    ...(flags.problemModule === undefined ? {} : { module: flags.problemModule }),
  };
  let dim: number;
  try {
    dim = buildProblem(problem).dim;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (flags.y0.length !== dim) {
    const what = flags.problem === "harmonic" ? "the oscillator's state has 2 (q,p)" : `the state of \`${flags.problem}\` has ${dim}`;
    throw new UsageError(`--y0 \`${flags.y0.join(",")}\` has ${flags.y0.length} values; ${what}`);
  }
  const fineMethod = flags.fine ?? "euler";
  const coarseMethod = flags.coarse ?? "euler";
  // the optional solver settings, present only when given: they shape both the solvers and run.json
  const optional = Object.fromEntries(
    Object.entries({
      coarseH: flags.coarseH,
      coarseGrid: flags.coarseGrid,
      fineCommand: flags.fineCmd,
      coarseCommand: flags.coarseCmd,
      rtol: flags.rtol,
      atol: flags.atol,
    }).filter(([, v]) => v !== undefined),
  ) as Pick<SolverOptions, "coarseH" | "coarseGrid" | "fineCommand" | "coarseCommand" | "rtol" | "atol">;
  const solverOptions: SolverOptions = { problem, h: flags.h, fineMethod, coarseMethod, saveEvery: flags.saveEvery, ...optional };
  const t = linspace(0, flags.tEnd, flags.points);
  const maxIterations = flags.maxIterations ?? flags.points - 1;
  const parameters = {
    problem,
    y0: flags.y0,
    tEnd: flags.tEnd,
    points: flags.points,
    h: flags.h,
    fine: fineMethod,
    coarse: coarseMethod,
    ...optional,
    tol: flags.tol,
    saveEvery: flags.saveEvery,
    maxIterations,
    reference: flags.reference,
  };
  const resume = claimOutput(resolve(flags.output), flags.output, parameters, { resume: flags.resume, force: flags.force });
  const output = prepareOutput(flags.output);
  const executor = await openExecutor(flags, mpi);
  const progress = await iterationProgress(maxIterations, flags.progress && !log.enabled("info"));
  const started = new Date().toISOString();
  const solverSpecs = solvers(solverOptions, output);
  const record = {
    format: "parareal-run/1" as const,
    version,
    started,
    parameters,
    coarse: solverSpecs.coarse(0),
    fine: solverSpecs.fine(0, join(output, "parareal")),
    executor: flags.redis !== undefined ? `redis ${describeUrl(flags.redis)}` : flags.executor === "inline" ? "inline" : `threads (${flags.workers})`,
    host: hostname(),
    pid: process.pid,
  };
  writeRunRecord(output, { ...record, status: "running" });
  const finish = (status: RunStatus, extra: Partial<RunRecord>) =>
    writeRunRecord(output, { ...record, status, finished: new Date().toISOString(), jobs: executor.records.map((r) => ({ ...r })), ...extra });
  // On SIGINT/SIGTERM: cancel, clean up (a Redis run removes its keys), exit 130/143.
  let interrupted: Promise<never> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= (async () => {
      log.warning(`${signal}: cancelling the run`);
      finish("interrupted", {});
      await executor.close().catch(() => undefined);
      process.exit(signal === "SIGINT" ? 130 : 143);
    })();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const report = await runParareal({
      ...solverOptions,
      resume,
      y0: flags.y0,
      t,
      tol: flags.tol,
      maxIterations,
      output,
      reference: flags.reference,
      executor,
      onIterate: (k, d) => progress.update(k, d),
    });
    progress.stop();
    finish(report.converged ? "converged" : "not converged", {
      iterations: report.iterations,
      maxdif: report.maxdif,
      wallSeconds: report.wallSeconds,
      resumedJobs: report.resumedJobs + report.referenceResumedJobs,
      ...(report.referenceSeconds !== undefined ? { referenceSeconds: report.referenceSeconds } : {}),
    });
    if (!report.converged) log.warning(`not converged after ${report.iterations} iterations (tol ${flags.tol})`);
    if (flags.json) {
      process.stdout.write(
        JSON.stringify({
          ...report,
          tol: flags.tol,
          parameters,
        }) + "\n",
      );
    } else {
      process.stdout.write(formatSummary(report, flags.tol) + "\n");
    }
  } catch (e) {
    if (interrupted) await interrupted; // the failure is the cancellation itself
    finish("failed", { error: (e as Error).message });
    throw e;
  } finally {
    progress.stop();
    await executor.close();
  }
}
