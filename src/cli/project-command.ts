/**
 * `parareal project OUTPUT --workers 1,2,4,...`: the run's wall time, speedup and efficiency on P
 * workers, by replaying its own task graph on a simulated executor (report/projection.ts). Without
 * OUTPUT, from costs alone: `--fine-cost S --coarse-cost S --points N --iterations K`.
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { readRunRecord } from "../archive/run-record.js";
import { MAX_POINTS } from "../config/run-config.js";
import { UsageError } from "../errors.js";
import { checkOutputFile } from "./output-file.js";
import { modelOfCosts, modelOfRun, project, type MeasuredJob, type Projection, type ProjectionModel } from "../parareal/projection.js";
import { coarseSpec, fineSpec, type CoarseSpec, type FineSpec } from "../solvers/spec.js";

export interface ProjectFlags {
  workers: number[];
  json: boolean;
  output?: string;
  fineCost?: number;
  coarseCost?: number;
  overhead: number;
  points?: number;
  iterations?: number;
}



function costModel(flags: ProjectFlags): ProjectionModel {
  const missing = (["fineCost", "coarseCost", "points", "iterations"] as const).filter((k) => flags[k] === undefined);
  if (missing.length > 0) throw new UsageError(`without a run directory, give ${missing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
  // the projection lays out the run's task graph as a run would: bounded alike
  if ((flags.points as number) > MAX_POINTS) throw new UsageError(`--points ${flags.points}: at most ${MAX_POINTS} time points`);
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
  if (points > MAX_POINTS) throw new UsageError(`${dir}/run.json: ${points} time points; a run has at most ${MAX_POINTS}`);
  const slices = points - 1;
  return modelOfRun({
    jobs: record.jobs as readonly MeasuredJob[],
    slices,
    iterations: record.iterations,
    converged: record.status === "converged",
    maxIterations: typeof p.maxIterations === "number" ? p.maxIterations : slices,
    referenceSeconds: record.referenceSeconds,
    startupSeconds: record.startupSeconds,
    driverBusySeconds: record.driverBusySeconds,
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

/** `parareal project`: the action. */
export async function projectAction(dir: string | undefined, flags: ProjectFlags): Promise<void> {
      if (flags.output !== undefined && ![".png", ".svg"].includes(extname(flags.output).toLowerCase())) throw new UsageError(`-o \`${flags.output}\`: give a file ending in .png or .svg`);
      if (flags.output !== undefined) checkOutputFile(flags.output, "-o");
      const model = dir === undefined ? costModel(flags) : runModel(dir);
      const projection = await project(model, flags.workers);
      process.stdout.write((flags.json ? JSON.stringify(projection) : formatProjection(projection)) + "\n");
      if (flags.output !== undefined) await drawProjection(projection, flags.output);
    }
