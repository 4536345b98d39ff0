/**
 * `parareal study --zeta LIST`: iterations to converge against damping, the original's closing
 * remark made a command. Parareal is bad at oscillating behaviour: less damping, more iterations.
 * The runs share one executor (one worker pool, or one Redis queue namespace per run).
 */
import { extname, join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { resolveRunConfig } from "../config/run-config.js";
import { UsageError } from "../errors.js";
import { log } from "../log.js";
import { runParareal } from "../parareal/driver.js";
import { openExecutor } from "./executor-factory.js";
import { configureLog } from "./logging.js";
import { prepareOutput } from "./output-dir.js";
import { numberList } from "./parse.js";
import { addCommonOptions, type CommonFlags } from "./run-options.js";

type StudyFlags = CommonFlags & { zeta: number[]; json: boolean; plot?: string };

export interface StudyRow {
  zeta: number;
  iterations: number;
  converged: boolean;
  maxdif: number[];
  wallSeconds: number;
}

function zetaList(text: string): number[] {
  const xs = numberList(text);
  if (xs.some((z) => z < 0)) throw new InvalidArgumentError(`\`${text}\` is not allowed: damping ratios are >= 0.`);
  return xs;
}

export function addStudyCommand(program: Command): void {
  const command = program
    .command("study")
    .description(
      "Run parareal for each damping ratio and report the iterations it needs to converge: parareal is bad at " +
        "oscillating behaviour, so less damping needs more iterations. Files go to DIR/zeta-<value>/parareal.",
    )
    .addOption(new Option("--zeta <list>", "damping ratios, comma separated").default([0.1, 0.2, 0.3, 0.5, 0.7, 0.9], "0.1,0.2,0.3,0.5,0.7,0.9").argParser(zetaList));
  addCommonOptions(command)
    .option("--json", "print a JSON array of {zeta, iterations, converged, maxdif} on stdout", false)
    .option("-o, --plot <file>", "also plot iterations against damping to FILE.png or FILE.svg")
    .action(async (flags: StudyFlags) => {
      await study(flags);
    });
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
  const configs = [];
  for (const zeta of flags.zeta) {
    const config = await resolveRunConfig({
      problem: "harmonic",
      params: { omega0: flags.omega0, zeta },
      y0: flags.y0,
      tEnd: flags.tEnd,
      points: flags.points,
      h: flags.h,
      tol: flags.tol,
      ...(flags.maxIterations === undefined ? {} : { maxIterations: flags.maxIterations }),
      saveEvery: flags.saveEvery,
      reference: false,
      output: join(flags.output, `zeta-${zeta}`),
    });
    prepareOutput(config.layout, config.layout.root);
    configs.push({ zeta, config });
  }
  const executor = await openExecutor(flags, { root: resolve(flags.output), modules: [] });
  const rows: StudyRow[] = [];
  try {
    for (const { zeta, config } of configs) {
      const r = await runParareal(config, executor);
      log.info(`zeta ${zeta}: ${r.iterations} iterations, converged ${r.converged}`);
      rows.push({ zeta, iterations: r.iterations, converged: r.converged, maxdif: r.maxdif, wallSeconds: r.wallSeconds });
    }
  } finally {
    await executor.close();
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
