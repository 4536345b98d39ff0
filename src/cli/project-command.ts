/**
 * `parareal project OUTPUT --workers 1,2,4,...`: the run's wall time, speedup and efficiency on P
 * workers, by replaying its own task graph on a simulated executor (report/projection.ts). Without
 * OUTPUT, from costs alone: `--fine-cost S --coarse-cost S --points N --iterations K`.
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { Command, Option } from "commander";
import { readRunRecord } from "../archive/run-record.js";
import { UsageError } from "../errors.js";
import { modelOfCosts, modelOfRun, project, type MeasuredJob, type Projection, type ProjectionModel } from "../parareal/projection.js";
import { coarseSpec, fineSpec, type CoarseSpec, type FineSpec } from "../solvers/spec.js";
import { integerAtLeast, nonNegativeNumber, positiveNumber } from "./parse.js";

interface ProjectFlags {
  workers: number[];
  json: boolean;
  output?: string;
  fineCost?: number;
  coarseCost?: number;
  overhead: number;
  points?: number;
  iterations?: number;
}

function workerList(text: string): number[] {
  const xs = text.split(",").map((s) => (/^\s*$/.test(s) ? Number.NaN : Number(s)));
  if (xs.length === 0 || xs.length > 64 || xs.some((x) => !Number.isSafeInteger(x) || x < 1 || x > 1_000_000)) {
    throw new UsageError(`--workers \`${text}\`: give up to 64 whole numbers from 1 to 1000000, separated by commas, e.g. 1,2,4,8`);
  }
  return xs;
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
      if (flags.output !== undefined && ![".png", ".svg"].includes(extname(flags.output).toLowerCase())) throw new UsageError(`-o \`${flags.output}\`: give a file ending in .png or .svg`);
      const model = dir === undefined ? costModel(flags) : runModel(dir);
      const projection = await project(model, flags.workers);
      process.stdout.write((flags.json ? JSON.stringify(projection) : formatProjection(projection)) + "\n");
      if (flags.output !== undefined) await drawProjection(projection, flags.output);
    });
}

function costModel(flags: ProjectFlags): ProjectionModel {
  const missing = (["fineCost", "coarseCost", "points", "iterations"] as const).filter((k) => flags[k] === undefined);
  if (missing.length > 0) throw new UsageError(`without a run directory, give ${missing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
  const slices = (flags.points as number) - 1;
  const iterations = flags.iterations as number;
  if (iterations > slices) throw new UsageError(`--iterations ${iterations}: at most the number of slices (${slices})`);
  const problem = { name: "harmonic", params: {} };
  return modelOfCosts({ slices, iterations, fine: flags.fineCost as number, coarse: flags.coarseCost as number, overhead: flags.overhead, coarseSpec: coarseSpec(problem, 0), fineSpec: fineSpec(problem, 0, { h: 1, archive: "/" }) });
}

function runModel(dir: string): ProjectionModel {
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
  let record;
  try {
    record = readRunRecord(dir);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!record) throw new UsageError(`${dir}: no run.json (is it the --output of parareal run?)`);
  const p = record.parameters as { points?: unknown; maxIterations?: unknown };
  const points = typeof p.points === "number" && Number.isSafeInteger(p.points) && p.points >= 2 ? p.points : undefined;
  if (points === undefined || record.iterations === undefined || !record.jobs?.length || (record.status !== "converged" && record.status !== "not converged")) {
    throw new UsageError(`${dir}/run.json: not a finished run with its job records (status ${record.status})`);
  }
  const slices = points - 1;
  return modelOfRun({
    jobs: record.jobs as readonly MeasuredJob[],
    slices,
    iterations: record.iterations,
    converged: record.status === "converged",
    maxIterations: typeof p.maxIterations === "number" ? p.maxIterations : slices,
    referenceSeconds: record.referenceSeconds,
    startupSeconds: record.startupSeconds,
    warmedWorkers: Math.min(record.workers ?? 1, slices),
    coarse: record.coarse as CoarseSpec,
    fine: record.fine as FineSpec,
  });
}

export function formatProjection(p: Projection): string {
  const serial = `${p.serialSeconds.toFixed(3)} s${p.serialEstimated ? " (estimated from the fine jobs: no reference ran)" : " (the serial fine reference)"}`;
  const lines = [`serial fine solve: ${serial}`, " workers   wall (s)   speedup   efficiency   bound          workers' start-up (s)"];
  for (const r of p.rows) {
    lines.push(`${String(r.workers).padStart(8)}   ${r.seconds.toFixed(3).padStart(8)}   ${r.speedup.toFixed(2).padStart(7)}   ${r.efficiency.toFixed(3).padStart(10)}   ${r.bound.padEnd(13)}  ${r.startupSeconds.toFixed(3)}`);
  }
  return lines.join("\n");
}

async function drawProjection(p: Projection, out: string): Promise<void> {
  const { writeChart } = await import("./plot-command.js");
  const values = p.rows.flatMap((r) => [
    { workers: r.workers, speedup: r.speedup, series: "projected speedup", bound: r.bound },
    { workers: r.workers, speedup: r.workers, series: "ideal (speedup = workers)", bound: "" },
  ]);
  await writeChart(
    {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: { text: `projected speedup over the serial fine solve (${p.serialSeconds.toFixed(3)} s)`, fontSize: 16 },
      width: 1000,
      height: 420,
      data: { values },
      mark: { type: "line", point: { size: 60, filled: true } },
      encoding: {
        x: { field: "workers", type: "quantitative", scale: { type: "log", base: 2 }, title: "workers (count)" },
        y: { field: "speedup", type: "quantitative", scale: { type: "log", base: 2 }, title: "speedup (1)" },
        color: { field: "series", type: "nominal", title: null, scale: { range: ["#1f77b4", "#7f7f7f"] } },
        tooltip: [{ field: "workers" }, { field: "speedup", format: ".2f" }, { field: "bound" }],
      },
      config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
    },
    out,
  );
}
