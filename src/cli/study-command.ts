/**
 * `parareal study --zeta LIST`: iterations to converge against damping, the original's closing
 * remark made a command. Parareal is bad at oscillating behaviour: less damping, more iterations.
 * The runs share one executor (one worker pool, or one Redis queue namespace per run).
 */
import { extname, join, resolve } from "node:path";
import { resolveRunConfig } from "../config/run-config.js";
import { UsageError } from "../errors.js";
import { log } from "../log.js";
import { runParareal } from "../parareal/driver.js";
import { openExecutor } from "./executor-factory.js";
import { configureLog } from "./logging.js";
import { checkOutputFile } from "./output-file.js";
import { checkStudyOutput, claimStudyRuns, refuseSameDirectory } from "./study-output.js";
import { criteriaInput, driverJobsOf, type CommonFlags } from "./run-options.js";
import { compareMethods, formatMethods, type MethodSpec } from "./study-methods.js";
import { convergenceLayers, convergencePoints } from "./convergence-chart.js";

export type StudyFlags = CommonFlags & { zeta: number[]; json: boolean; force: boolean; plot?: string; methods?: MethodSpec[]; problem?: string; coarsening?: number };

export interface StudyRow {
  zeta: number;
  iterations: number;
  converged: boolean;
  maxdif: number[];
  wallSeconds: number;
}



/** `study --methods`: every method on one problem, a table (or JSON) and the convergence of each. */
async function studyMethods(flags: StudyFlags, given: (option: string) => boolean): Promise<void> {
  configureLog(flags);
  if (flags.plot !== undefined && ![".png", ".svg"].includes(extname(flags.plot).toLowerCase())) {
    throw new UsageError(`-o \`${flags.plot}\`: give a file ending in .png or .svg`);
  }
  if (flags.plot !== undefined) checkOutputFile(flags.plot, "-o");
  checkStudyOutput(flags.output);
  const problem = flags.problem ?? "harmonic";
  if (problem !== "harmonic" && (given("zeta") || given("omega0"))) throw new UsageError(`--zeta and --omega0 are parameters of the harmonic problem, not of \`${problem}\``);
  if (problem === "harmonic" && flags.zeta.length !== 1 && given("zeta")) throw new UsageError("--zeta: give one damping ratio with --methods");
  const optional = <T>(name: string, value: T): Partial<Record<string, T>> => (given(name) ? { [name]: value } : {});
  const base = {
    problem,
    ...(problem === "harmonic" ? { params: { omega0: flags.omega0, zeta: given("zeta") ? flags.zeta[0]! : 0.5 } } : {}),
    ...optional("h", flags.h),
    ...optional("tEnd", flags.tEnd),
    ...optional("points", flags.points),
    ...optional("y0", flags.y0),
    ...criteriaInput(flags, given),
    ...(flags.maxIterations === undefined ? {} : { maxIterations: flags.maxIterations }),
    saveEvery: flags.saveEvery,
    driverJobs: driverJobsOf(flags),
    reference: false,
  };
  const rows = await compareMethods(flags, base, flags.methods!, flags.coarsening);
  const config = await resolveRunConfig({ ...base, output: flags.output });
  process.stdout.write((flags.json ? JSON.stringify(rows) : formatMethods(rows, problem, config.t.length - 1, config.criteria)) + "\n");
  if (flags.plot !== undefined) {
    const { writeChart } = await import("./plot-command.js");
    const points = convergencePoints(rows.map((r) => ({ label: r.method, maxdif: r.maxdif, ...(r.residual ? { residual: r.residual } : {}) })));
    await writeChart(
      {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: { text: `parareal study: convergence of each method on ${problem} (${config.criteria.norm} norm; parareal: change of the iterate, MGRIT: residual)`, fontSize: 16 },
        width: 1000,
        height: 400,
        layer: convergenceLayers(points, config.criteria.tol, `${config.criteria.norm} norm (log)`),
        resolve: { scale: { color: "independent", strokeDash: "independent" } },
        config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
      },
      flags.plot,
    );
  }
}

export function formatStudy(rows: readonly StudyRow[], tol: number): string {
  const lines = [`iterations to converge (tol ${tol}):`, "   zeta  iterations  converged  last maxdif  wall s"];
  for (const r of rows) {
    const last = r.maxdif.at(-1);
    lines.push(
      `${r.zeta.toString().padStart(7)}  ${String(r.iterations).padStart(10)}  ${(r.converged ? "yes" : "no").padStart(9)}  ${(last === undefined ? "-" : last.toExponential(3)).padStart(11)}  ${r.wallSeconds.toFixed(3).padStart(6)}`,
    );
  }
  return lines.join("\n");
}

export async function study(flags: StudyFlags): Promise<StudyRow[]> {
  configureLog(flags);
  if (flags.plot !== undefined && ![".png", ".svg"].includes(extname(flags.plot).toLowerCase())) {
    throw new UsageError(`-o \`${flags.plot}\`: give a file ending in .png or .svg`);
  }
  if (flags.plot !== undefined) checkOutputFile(flags.plot, "-o");
  checkStudyOutput(flags.output);
  refuseSameDirectory("--zeta", flags.zeta.map((zeta) => ({ value: String(zeta), dir: `zeta-${zeta}` })));
  const configs = [];
  for (const zeta of flags.zeta) {
    const config = await resolveRunConfig({
      problem: "harmonic",
      params: { omega0: flags.omega0, zeta },
      y0: flags.y0,
      tEnd: flags.tEnd,
      points: flags.points,
      h: flags.h,
      ...criteriaInput(flags, () => true),
      ...(flags.maxIterations === undefined ? {} : { maxIterations: flags.maxIterations }),
      saveEvery: flags.saveEvery,
      driverJobs: driverJobsOf(flags),
      reference: false,
      output: join(flags.output, `zeta-${zeta}`),
    });
    configs.push({ zeta, config });
  }
  const release = await claimStudyRuns(flags, configs.map((c) => c.config));
  const rows: StudyRow[] = [];
  try {
    const executor = await openExecutor(flags, { root: resolve(flags.output), modules: [] });
    try {
      for (const { zeta, config } of configs) {
        const r = await runParareal(config, executor);
        log.info(`zeta ${zeta}: ${r.iterations} iterations, converged ${r.converged}`);
        rows.push({ zeta, iterations: r.iterations, converged: r.converged, maxdif: r.maxdif, wallSeconds: r.wallSeconds });
      }
    } finally {
      await executor.close();
    }
  } finally {
    release();
  }
  process.stdout.write((flags.json ? JSON.stringify(rows) : formatStudy(rows, flags.tol)) + "\n");
  if (flags.plot !== undefined) {
    const { writeChart } = await import("./plot-command.js");
    await writeChart(
      {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: { text: `parareal study: iterations to converge against damping (omega0 = ${flags.omega0}, tol ${flags.tol})`, fontSize: 16 },
        width: 1000,
        height: 400,
        data: { values: rows.map((r) => ({ ...r, converged: r.converged ? "converged" : "not converged" })) },
        mark: { type: "line", point: { size: 80, filled: true } },
        encoding: {
          x: { field: "zeta", type: "quantitative", title: "damping ratio zeta (1)" },
          y: { field: "iterations", type: "quantitative", title: "iterations to converge (count)", scale: { zero: true } },
          color: { field: "converged", type: "nominal", title: null },
        },
        config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
      },
      flags.plot,
    );
  }
  return rows;
}

/** `parareal study`: the action. */
export async function studyAction(flags: StudyFlags, given: (option: string) => boolean): Promise<void> {
      if (flags.methods !== undefined) await studyMethods(flags, given);
      else {
        for (const name of ["problem", "coarsening"]) if (given(name)) throw new UsageError(`--${name}: an option of study --methods`);
        await study(flags);
      }
    }
