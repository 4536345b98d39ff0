/**
 * Every subcommand of `parareal`, with its options and help, and nothing more: each action
 * imports its own implementation when it runs, so that `--help` and one command load only what
 * they need.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../errors.js";
import { problems } from "../models/builtin.js";
import type { CombineFlags } from "./combine-command.js";
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, dashboardPort } from "./dashboard-options.js";
import type { DashboardFlags } from "./dashboard-command.js";
import { parseMethods } from "./method-list.js";
import { integerAtLeast, nonNegativeNumber, numberList, positiveNumber } from "./parse.js";
import type { PlotFlags } from "./plot-command.js";
import type { ProjectFlags } from "./project-command.js";
import { addCommonOptions, addRunOptions, type RunFlags } from "./run-options.js";
import type { StudyFlags } from "./study-command.js";
import { addWorkerCommand } from "./worker-command.js";

function zetaList(text: string): number[] {
  const xs = numberList(text);
  if (xs.some((z) => z < 0)) throw new InvalidArgumentError(`\`${text}\` is not allowed: damping ratios are >= 0.`);
  return xs;
}

function workerList(text: string): number[] {
  const xs = text.split(",").map((s) => (/^\s*$/.test(s) ? Number.NaN : Number(s)));
  if (xs.length === 0 || xs.length > 64 || xs.some((x) => !Number.isSafeInteger(x) || x < 1 || x > 1_000_000)) {
    throw new UsageError(`--workers \`${text}\`: give up to 64 whole numbers from 1 to 1000000, separated by commas, e.g. 1,2,4,8`);
  }
  return xs;
}

export function addRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description(
      "Solve an initial value problem with parareal (by default the original's damped harmonic oscillator): first " +
        "the serial fine reference (files in DIR/euler), then parareal on a worker pool (files in DIR/parareal), " +
        "printing the convergence history.",
    );
  addRunOptions(command).action(async (flags: RunFlags, cmd: Command) => {
    const given = (name: string) => cmd.getOptionValueSource(name) !== "default" && cmd.getOptionValueSource(name) !== undefined;
    await (await import("./run-command.js")).runAction(flags, given);
  });
}

export function addCombineCommand(program: Command): void {
  program
    .command("combine")
    .description(
      "Join the fine files of a directory (output/euler, output/parareal) into one trajectory, as the original's " +
        "combine_fine_data: the first file whole, then each next one without its first row. For parareal, the " +
        "trajectory of one iterate, slices it did not recompute taken from the iteration that last did. Gaps, " +
        "overlaps, duplicates, names contradicting the attributes and non-finite data are errors (exit 1).",
    )
    .argument("<dir>", "directory of fine files")
    .addOption(new Option("--iteration <k>", "iterate to combine (default: the converged one, from run.json; else the last)").argParser(integerAtLeast(0)))
    .option("-o, --output <file>", "write FILE.h5 (datasets t and data) or FILE.csv; default: CSV on stdout")
    .option("--allow-gaps", "leave out inconsistent files instead of failing (one warning per file left out)", false)
    .option("--openfoam <dir>", "of an OpenFOAM run: write the trajectory as the OpenFOAM case DIR, one time directory per written step (ParaView opens DIR/DIR.foam)")
    .action(async (dir: string, flags: CombineFlags) => {
      await (await import("./combine-command.js")).combine(dir, flags);
    });
}

export function addInspectCommand(program: Command): void {
  program
    .command("inspect")
    .description(
      "Show what a run directory holds: the run's parameters and status, iterations and slices present; and everything " +
        "combine and plot rely on: run.json, missing, corrupt or misnamed files, duplicates, gaps, overlaps, non-finite data (exit 1 if any).",
    )
    .argument("<dir>", "run directory (the --output of parareal run)")
    .option("--json", "print the inspection as JSON", false)
    .action(async (dir: string, flags: { json: boolean }) => {
      await (await import("./inspect-command.js")).inspectAction(dir, flags);
    });
}

export function addPlotCommand(program: Command): void {
  program
    .command("plot")
    .description(
      "Plot a run: iterates against the serial reference and the exact solution, convergence, phase portrait, and the " +
        "timeline of its jobs (one row per worker). Inconsistent fine files are errors (exit 1), as for combine.",
    )
    .argument("<dir>", "run directory (the --output of parareal run)")
    .requiredOption("-o, --output <file>", "FILE.png (1200 px wide) or FILE.svg")
    .addOption(new Option("--kind <kind>", "what to plot (field: an OpenFOAM run's field on its mesh)").choices(["all", "trajectory", "convergence", "phase", "timeline", "field"]).default("all"))
    .option("--allow-gaps", "leave out inconsistent files instead of failing (one warning per file left out)", false)
    .option("--log <level>", "debug, info, warning, error or critical", "warning")
    .option("--field <name>", "of an OpenFOAM run: the field to draw on the mesh (default U)")
    .addOption(new Option("--times <list>", "of an OpenFOAM run: the times to draw the field at, comma separated (default: three of the run's time points)").argParser(numberList))
    .action(async (dir: string, flags: PlotFlags) => {
      await (await import("./plot-command.js")).plotAction(dir, flags);
    });
}

export function addStudyCommand(program: Command): void {
  const command = program
    .command("study")
    .description(
      "Run parareal for each damping ratio and report the iterations it needs to converge: parareal is bad at " +
        "oscillating behaviour, so less damping needs more iterations. Files go to DIR/zeta-<value>/parareal.",
    )
    .optionsGroup("Study:")
    .addOption(new Option("--zeta <list>", "damping ratios, comma separated").default([0.1, 0.2, 0.3, 0.5, 0.7, 0.9], "0.1,0.2,0.3,0.5,0.7,0.9").argParser(zetaList))
    .addOption(new Option("--methods <list>", "compare methods on one problem instead: parareal, mgrit, mgrit/F, mgrit/FCF/3 (relaxation/levels), comma separated; files in DIR/<method>").argParser(parseMethods))
    .addOption(new Option("--problem <name>", `with --methods: the problem (${Object.keys(problems).join(", ")}); --h, --t-end, --points and --y0 default to its own`))
    .addOption(new Option("--coarsening <m>", "with --methods: MGRIT's coarsening factor (default 2)").argParser(integerAtLeast(2)))
    .option("-o, --plot <file>", "also plot iterations against damping (with --methods: the convergence of each method) to FILE.png or FILE.svg")
    .option("--json", "print a JSON array of {zeta, iterations, converged, maxdif} on stdout", false)
    .option("--force", "overwrite the runs of an earlier study in its directories", false);
  addCommonOptions(command)
    .action(async (flags: StudyFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) !== "default" && cmd.getOptionValueSource(name) !== undefined;
      await (await import("./study-command.js")).studyAction(flags, given);
    });
}

export function addProjectCommand(program: Command): void {
  program
    .command("project")
    .description(
      "Project a run to other numbers of workers: its own task graph replayed by the parareal scheduler on a simulated " +
        "executor, each job taking its measured time. Prints, per number of workers, the wall time of the parareal " +
        "phase, the speedup over the serial fine solve, the efficiency and what bounds it. Without a run directory, " +
        "from costs: --fine-cost, --coarse-cost, --points, --iterations.",
    )
    .argument("[dir]", "run directory (the --output of parareal run)")
    .addOption(new Option("--workers <list>", "numbers of workers, comma separated").default([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], "1,2,4,...,1024").argParser(workerList))
    .option("--json", "print {serialSeconds, rows: [{workers, seconds, speedup, efficiency, bound}, ...]} on stdout", false)
    .option("-o, --output <file>", "also draw speedup against workers to FILE.png or FILE.svg")
    .addOption(new Option("--fine-cost <s>", "without a run: seconds of one fine job").argParser(positiveNumber))
    .addOption(new Option("--coarse-cost <s>", "without a run: seconds of one coarse job").argParser(nonNegativeNumber))
    .addOption(new Option("--overhead <s>", "without a run: seconds a worker job costs beyond its compute").default(0).argParser(nonNegativeNumber))
    .addOption(new Option("--points <n>", "without a run: time points (slices + 1)").argParser(integerAtLeast(2)))
    .addOption(new Option("--iterations <k>", "without a run: iterations to converge").argParser(integerAtLeast(1)))
    .action(async (dir: string | undefined, flags: ProjectFlags) => {
      await (await import("./project-command.js")).projectAction(dir, flags);
    });
}

export function addDashboardCommand(program: Command): void {
  program
    .command("dashboard")
    .description(
      "Serve the live dashboard of the run in OUTPUT (its jobs per iteration and slice, maxdif per iteration, the task stream per worker, " +
        "progress and parameters), finished or still running elsewhere: it follows OUTPUT/events.jsonl. Prints the URL; SIGINT or SIGTERM stops it.",
    )
    .argument("<output>", "the --output directory of `parareal run`")
    .addOption(new Option("--port <n>", "port to listen on; 0 picks a free one").argParser(dashboardPort).default(DEFAULT_DASHBOARD_PORT))
    .option("--host <address>", "address to listen on (other than loopback: anyone who reaches it sees the run)", DEFAULT_DASHBOARD_HOST)
    .option("--json", "print {\"url\", \"output\"} as one JSON line instead of text", false)
    .action(async (output: string, flags: DashboardFlags) => {
      await (await import("./dashboard-command.js")).serveRunDirectory(output, flags);
    });
}

/** Every subcommand, in the order `--help` lists them. */
export function addCommands(program: Command): void {
  addRunCommand(program);
  addWorkerCommand(program);
  addCombineCommand(program);
  addInspectCommand(program);
  addStudyCommand(program);
  addPlotCommand(program);
  addProjectCommand(program);
  addDashboardCommand(program);
}
