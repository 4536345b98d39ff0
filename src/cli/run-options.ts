/**
 * The options of `parareal run` (and, for the common part, `study`): their definitions, parsers
 * and how the flags become a RunInput. Every value is checked here or in resolveRunConfig, before
 * anything runs.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { METHOD_CHOICES, NORM_NAMES, RELAX_NAMES, type MethodChoice, type NormName, type RelaxName } from "../config/choices.js";
import type { MgritSettings, RunInput } from "../config/run-config.js";
import { DRIVER_JOB_CHOICES, type DriverJobs } from "../config/driver-jobs.js";
import { METHODS, type MethodName } from "../ode/method-names.js";
import { problems } from "../models/builtin.js";
import { templateProblem } from "../solvers/command-template.js";
import { integerAtLeast, nonNegativeNumber, numberList, positiveNumber, secondsFrom, workerCount } from "./parse.js";
import { addOpenFoamOptions, openFoamInput, type OpenFoamFlags } from "./openfoam-options.js";

export interface ExecutorFlags {
  workers: number;
  executor: "threads" | "inline";
  redis?: string;
  redisCa?: string;
  keyFile?: string;
  attempts: number;
  redisOutage: number;
  output: string;
}

export interface CommonFlags extends ExecutorFlags {
  log: string;
  logFile?: string;
  omega0: number;
  h: number;
  tEnd: number;
  points: number;
  y0: number[];
  tol: number;
  norm: NormName;
  rtolIterate?: number;
  maxIterations?: number;
  saveEvery: number;
  debug: boolean;
  driverJobs?: DriverJobs;
}

export interface RunFlags extends CommonFlags, OpenFoamFlags {
  problem: string;
  param: string[];
  coarseParam: string[];
  zeta: number;
  fine?: MethodName;
  coarse?: MethodName;
  fineCmd?: string;
  coarseCmd?: string;
  coarseH?: number;
  rtol?: number;
  atol?: number;
  method: MethodChoice;
  levels?: number;
  coarsening?: number;
  relax?: RelaxName;
  window?: number;
  mpi: boolean;
  redisBind: string;
  reference: boolean;
  json: boolean;
  progress: boolean;
  resume: boolean;
  force: boolean;
  /** --dashboard [port]: true without a port */
  dashboard?: boolean | string;
  dashboardHost: string;
}

/** Help headings: options are listed by what they are about, in this order. */
export const GROUP = {
  problem: "Problem:",
  solvers: "Solvers:",
  method: "Method and convergence:",
  execution: "Where jobs run:",
  output: "Output:",
  openfoam: "OpenFOAM cases:",
} as const;

/** Options shared by `run` and `study`: the problem's numbers, the executor, the output. */
export function addCommonOptions(command: Command): Command {
  command
    .optionsGroup(GROUP.problem)
    .addOption(new Option("--omega0 <x>", "natural angular frequency omega0 of the oscillator").default(1.0).argParser(positiveNumber))
    .addOption(new Option("--t-end <x>", "end of the time interval; it starts at 0").default(15, "the problem's; 15 for the oscillator").argParser(positiveNumber))
    .addOption(new Option("--points <n>", "time points: t = linspace(0, t-end, points), giving points - 1 slices").default(20, "the problem's; 20 for the oscillator").argParser(integerAtLeast(2)))
    .addOption(new Option("--y0 <list>", "initial state, comma separated").default([1, 0], "the problem's; 1,0 for the oscillator").argParser(numberList));
  command
    .optionsGroup(GROUP.solvers)
    .addOption(new Option("--h <x>", "fine solver step: n = ceil((t1 - t0) / h) steps per slice").default(0.01, "the problem's; 0.01 for the oscillator").argParser(positiveNumber));
  command
    .optionsGroup(GROUP.method)
    .addOption(new Option("--tol <x>", "convergence: stop when norm(y^k - y^(k-1)) < tol; 0: run exactly --max-iterations (0 by default when only --rtol-iterate is given)").default(1e-4).argParser(nonNegativeNumber))
    .addOption(new Option("--norm <name>", "norm over the state and the time points for --tol and --rtol-iterate: max, rms or l2").choices(NORM_NAMES).default("max"))
    .addOption(new Option("--rtol-iterate <x>", "convergence: also stop when norm(y^k - y^(k-1)) < x * norm(y^k)").argParser(nonNegativeNumber))
    .addOption(new Option("--max-iterations <k>", "iterations to schedule after the coarse one (default: the number of slices)").argParser(integerAtLeast(1)));
  command
    .optionsGroup(GROUP.execution)
    .addOption(new Option("--workers <n>", "worker threads, started as work needs them").default(availableParallelism(), "one per core").argParser(workerCount))
    .addOption(new Option("--executor <name>", "where jobs run: threads (a worker pool) or inline (this thread, for debugging)").choices(["threads", "inline"]).default("threads"))
    .addOption(
      new Option("--driver-jobs <which>", "jobs the driver runs itself, sparing a round trip to a worker: cheap (the coarse ones, and fine ones of a few microseconds: euler or rk4 on a built-in or declared problem) or coarse (every fine job goes to a worker)")
        .choices(DRIVER_JOB_CHOICES)
        .default(undefined, "cheap; coarse with --redis or --mpi, whose workers are there to work"),
    )
    .addOption(new Option("--redis <url>", "run jobs on `parareal worker` processes through this Redis server (redis:// or rediss://)").env("PARAREAL_REDIS"))
    .option("--redis-ca <file>", "PEM file of the certificate authority for rediss://")
    .addOption(new Option("--key-file <file>", "with --redis: the key shared with the workers (mode 600); or PARAREAL_KEY").env("PARAREAL_KEY_FILE"))
    .addOption(new Option("--attempts <n>", "with --redis: tries per job before the run fails").default(3).argParser(integerAtLeast(1)))
    .addOption(new Option("--redis-outage <s>", "with --redis: fail the run when Redis stays unreachable this long").default(60).argParser(secondsFrom(0)));
  return command
    .optionsGroup(GROUP.output)
    .option("--output <dir>", "output directory (receives euler/ and parareal/); with --redis, on a filesystem every worker shares", "./output")
    .addOption(new Option("--save-every <k>", "keep every k-th fine step in the HDF5 files (and always the last)").default(1).argParser(integerAtLeast(1)))
    .addOption(new Option("--log <level>", "log level: debug, info, warning, error or critical (any case)").default("warning"))
    .option("--log-file <file>", "append log lines to this file instead of stderr")
    .option("--debug", "show stack traces of errors", false);
}

function commandTemplate(text: string): string {
  const problem = templateProblem(text);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return text;
}

/** `key=value`, repeatable; values parsed later, against the problem's own parameters. */
function collectParam(text: string, previous: string[]): string[] {
  if (!/^[A-Za-z]\w*=.+$/.test(text)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give key=value, e.g. rho=28.`);
  return [...previous, text];
}

export function addRunOptions(command: Command): Command {
  command
    .optionsGroup(GROUP.problem)
    .addOption(new Option("--problem <name>", `built-in problem (${Object.keys(problems).join(", ")}) or a module path (./my-problem.mjs); --h, --t-end, --points and --y0 default to its own`).default("harmonic"))
    .addOption(new Option("--param <key=value>", "set a problem parameter (repeatable), e.g. --param rho=28").default([]).argParser(collectParam))
    .addOption(new Option("--zeta <x>", "damping ratio zeta of the oscillator (0 <= zeta)").default(0.5).argParser(nonNegativeNumber));
  addCommonOptions(command);
  command
    .optionsGroup(GROUP.solvers)
    .addOption(new Option("--fine <method>", "fine solver method (default: the problem's)").choices(METHODS))
    .addOption(new Option("--coarse <method>", "coarse solver method (default: the problem's)").choices(METHODS))
    .addOption(new Option("--coarse-h <x>", "coarse sub-step, at least --h (default: one step per slice, as the original)").argParser(positiveNumber))
    .addOption(new Option("--coarse-param <key=value>", "run the coarse solver with this parameter changed (repeatable), on a coarser grid: e.g. --coarse-param n=15 for heat1d").default([]).argParser(collectParam))
    .addOption(new Option("--rtol <x>", "relative tolerance of dopri5").argParser(positiveNumber))
    .addOption(new Option("--atol <x>", "absolute tolerance of dopri5").argParser(positiveNumber))
    .addOption(new Option("--fine-cmd <template>", "fine solver: a program run by /bin/sh, e.g. 'python3 solve.py {in} {out} {t0} {t1} {h}' ({iter} also); it reads the state from the HDF5 file {in} and writes its trajectory to {out}, dataset data").argParser(commandTemplate))
    .addOption(new Option("--coarse-cmd <template>", "coarse solver: a program, as --fine-cmd ({out} may hold just the state)").argParser(commandTemplate));
  command
    .optionsGroup(GROUP.method)
    .addOption(new Option("--method <name>", "parareal, or mgrit (multigrid reduction in time: --levels, --coarsening, --relax)").choices(METHOD_CHOICES).default("parareal"))
    .addOption(new Option("--levels <L>", "MGRIT: levels, the time points being level 0 (default 2)").argParser(integerAtLeast(2)))
    .addOption(new Option("--coarsening <m>", "MGRIT: level l+1 keeps every m-th point of level l, and the last (default 2)").argParser(integerAtLeast(2)))
    .addOption(new Option("--relax <kind>", "MGRIT: relaxation, F or FCF (default FCF)").choices(RELAX_NAMES))
    .addOption(new Option("--window <W>", "time windows of W intervals each (the last may be shorter): the method runs on each in turn, from the end state of the one before").argParser(integerAtLeast(1)));
  command
    .optionsGroup(GROUP.execution)
    .option("--mpi", "under mpirun/srun: rank 0 drives, the other ranks are workers (each with --workers threads, default 1)", false)
    .option("--redis-bind <address>", "with --mpi and no --redis: address of rank 0's private Redis (give the node's address when ranks span nodes)", "127.0.0.1");
  command
    .optionsGroup(GROUP.output)
    .option("--no-reference", "skip the serial fine reference run")
    .option("--resume", "continue the run in --output (killed, failed): reuse every fine file it completed, if the parameters are the same", false)
    .option("--force", "overwrite a run already in --output", false)
    .option("--json", "print one JSON object with the results on stdout", false)
    .option("--no-progress", "no progress bar (it is only shown on a terminal anyway)")
    .option("--dashboard [port]", "serve a live dashboard of the run on 127.0.0.1 (default port 8765; 0 picks a free one); its URL goes to stderr")
    .option("--dashboard-host <address>", "address the dashboard listens on (other than loopback: anyone who reaches it sees the run)", "127.0.0.1");
  command.optionsGroup(GROUP.openfoam);
  return addOpenFoamOptions(command);
}

/** `key=value` pairs as numbers; the keys are checked against the problem in resolveRunConfig. */
function params(option: string, pairs: readonly string[]): Record<string, number> {
  // no prototype: a key like `constructor` or `__proto__` is a plain key here, refused later
  const out = Object.create(null) as Record<string, number>;
  for (const kv of pairs) {
    const at = kv.indexOf("=");
    const [key, text] = [kv.slice(0, at), kv.slice(at + 1)];
    const value = /^\s*$/.test(text) ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${option} ${kv}: \`${text}\` is not a finite number`);
    out[key] = value;
  }
  return { ...out };
}

/**
 * The run the flags describe. Options left at their defaults take the problem's own values; the
 * oscillator's --omega0 and --zeta are its parameters, and no other problem's.
 */
export function runInput(flags: RunFlags, given: (option: string) => boolean): RunInput {
  const openfoam = openFoamInput(flags, given);
  const set = params("--param", flags.param);
  if (flags.problem !== "harmonic") {
    for (const name of ["omega0", "zeta"]) if (given(name)) throw new InvalidArgumentError(`--${name} is a parameter of the harmonic problem, not of \`${flags.problem}\``);
  }
  const p = flags.problem === "harmonic" ? { omega0: flags.omega0, zeta: flags.zeta, ...set } : set;
  const coarseParams = params("--coarse-param", flags.coarseParam);
  const optional = <T>(name: string, value: T): T | undefined => (given(name) ? value : undefined);
  const input: RunInput = {
    problem: flags.problem,
    params: p,
    ...(flags.coarseParam.length > 0 ? { coarseParams } : {}),
    ...defined({
      fine: flags.fine,
      coarse: flags.coarse,
      fineCommand: flags.fineCmd,
      coarseCommand: flags.coarseCmd,
      coarseH: flags.coarseH,
      rtol: flags.rtol,
      atol: flags.atol,
      h: optional("h", flags.h),
      tEnd: optional("tEnd", flags.tEnd),
      points: optional("points", flags.points),
      y0: optional("y0", flags.y0),
      maxIterations: flags.maxIterations,
      window: flags.window,
    }),
    ...criteriaInput(flags, given),
    method: flags.method,
    ...mgritInput(flags),
    saveEvery: flags.saveEvery,
    driverJobs: driverJobsOf(flags),
    reference: flags.reference,
    resume: flags.resume,
    output: flags.output,
    ...(openfoam === undefined ? {} : { openfoam }),
  };
  return input;
}

/** --driver-jobs, by default cheap on threads; with Redis the workers were started to work. */
export function driverJobsOf(flags: CommonFlags & { mpi?: boolean }): DriverJobs {
  return flags.driverJobs ?? (flags.redis !== undefined || flags.mpi === true ? "coarse" : "cheap");
}

/** --levels, --coarsening and --relax as given (resolveRunConfig refuses them without --method mgrit). */
function mgritInput(flags: RunFlags): Pick<RunInput, "mgrit"> {
  const given: Partial<MgritSettings> = defined({ levels: flags.levels, coarsening: flags.coarsening, relax: flags.relax });
  return Object.keys(given).length === 0 ? {} : { mgrit: given };
}

/** --tol, --norm and --rtol-iterate: a relative tolerance given alone turns the absolute test off. */
export function criteriaInput(flags: CommonFlags, given: (option: string) => boolean): Pick<RunInput, "tol" | "norm" | "rtolIterate"> {
  const tol = flags.rtolIterate !== undefined && !given("tol") ? 0 : flags.tol;
  return { tol, norm: flags.norm, ...(flags.rtolIterate === undefined ? {} : { rtolIterate: flags.rtolIterate }) };
}

function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
