/** `parareal run`: the original's main (serial fine reference, then parareal) with our options. */
import { hostname } from "node:os";
import { join } from "node:path";
import { CASES_DIR } from "../archive/layout.js";
import type { Command } from "commander";
import { writeRunRecord, type RunRecord, type RunStatus } from "../archive/run-record.js";
import { resolveRunConfig, resuming, type RunConfig } from "../config/run-config.js";
import { describeUrl } from "../exec/redis/url.js";
import { log } from "../log.js";
import { runParareal } from "../parareal/driver.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { Timeline } from "../report/timeline.js";
import { killCommands, removeOwnExchangeFiles } from "../solvers/command.js";
import { version } from "../version.js";
import type { MpiRun } from "./executor-factory.js";
import { configureLog } from "./logging.js";
import { claimOutput, prepareOutput } from "./output-dir.js";
import { iterationProgress } from "./progress.js";
import { addRunOptions, runInput, type RunFlags } from "./run-options.js";
import { formatSummary } from "./summary.js";
import { fieldDifferences, formatFieldDifferences } from "../openfoam/field-differences.js";

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
    configureLog(flags);
    const input = runInput(flags, given);
    if (flags.mpi) {
      const { runMpi } = await import("./mpi.js");
      await runMpi(flags, input, given("workers"));
    } else {
      await run(flags, await resolveRunConfig(input));
    }
  });
}

function executorName(flags: RunFlags): string {
  if (flags.redis !== undefined) return `redis ${describeUrl(flags.redis)}`;
  return flags.executor === "inline" ? "inline" : `threads (${flags.workers})`;
}

/** Run one configuration as the flags say: claim the output, run, record, report. */
export async function run(flags: RunFlags, resolved: RunConfig, mpi?: MpiRun): Promise<void> {
  const { lock, resume } = claimOutput(resolved.layout, flags.output, resolved.parameters, { resume: flags.resume, force: flags.force });
  let config = resume ? resuming(resolved) : resolved;
  const { layout } = config;
  let executor: SolverExecutor | undefined;
  try {
    prepareOutput(layout, flags.output);
    // an OpenFOAM case is prepared inside the output, once it is ours
    if (config.openfoam) config = (await import("../config/openfoam-config.js")).prepareOpenFoamRun(config);
    const { openExecutor } = await import("./executor-factory.js");
    executor = await openExecutor(flags, { root: layout.root, modules: config.modules }, mpi);
    await runWith(flags, config, executor);
  } finally {
    await executor?.close().catch(() => undefined);
    lock.release();
  }
}

async function runWith(flags: RunFlags, config: RunConfig, executor: SolverExecutor): Promise<void> {
  const { layout } = config;
  const timeline = new Timeline(executor);
  const progress = await iterationProgress(config.maxIterations, flags.progress && !log.enabled("info"));
  const record = {
    format: "parareal-run/1" as const,
    version,
    started: new Date().toISOString(),
    parameters: config.parameters,
    coarse: config.coarse(0),
    fine: config.fine(0, layout.parareal),
    executor: executorName(flags),
    host: hostname(),
    pid: process.pid,
  };
  writeRunRecord(layout.root, { ...record, status: "running" });
  /** The final record; if even that cannot be written (a full disk), say so in the message. */
  const finish = (status: RunStatus, extra: Partial<RunRecord>): string => {
    try {
      writeRunRecord(layout.root, { ...record, status, finished: new Date().toISOString(), jobs: timeline.records(), ...extra });
      return "";
    } catch (e) {
      return ` (and ${layout.runFile} could not be updated: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
  };
  // On SIGINT/SIGTERM: stop solver commands, cancel, clean up (a Redis run removes its keys), exit 130/143.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(signal === "SIGINT" ? 130 : 143); // a second signal: at once
    interrupted = true;
    log.warning(`${signal}: cancelling the run`);
    finish("interrupted", {});
    const hardStop = setTimeout(() => process.exit(signal === "SIGINT" ? 130 : 143), 1800);
    void (async () => {
      await killCommands(500);
      removeOwnExchangeFiles(layout.io);
      if (config.openfoam) (await import("../openfoam/case-run.js")).removeOwnScratchCopies(join(layout.root, CASES_DIR));
      await executor.close().catch(() => undefined);
      clearTimeout(hardStop);
      process.exit(signal === "SIGINT" ? 130 : 143);
    })();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const report = await runParareal(config, executor, { onPhase: (p) => (timeline.phase = p), onIterate: (k, d) => progress.update(k, d) });
    progress.stop();
    finish(report.converged ? "converged" : "not converged", {
      iterations: report.iterations,
      maxdif: report.maxdif,
      wallSeconds: report.wallSeconds,
      resumedJobs: report.resumedJobs + report.referenceResumedJobs,
      ...(report.referenceSeconds !== undefined ? { referenceSeconds: report.referenceSeconds } : {}),
    });
    if (!report.converged) log.warning(`not converged after ${report.iterations} iterations (tol ${config.tol})`);
    const fields = config.openfoam?.prepared && report.reference ? fieldDifferences(config.openfoam.prepared.layout, report.final, report.reference) : undefined;
    const summary = () => formatSummary(report, config.tol) + (fields ? `\n${formatFieldDifferences(fields)}` : "");
    process.stdout.write((flags.json ? JSON.stringify({ ...report, tol: config.tol, parameters: config.parameters, ...(fields ? { fieldDifferences: fields } : {}) }) : summary()) + "\n");
  } catch (e) {
    if (interrupted) await new Promise(() => undefined); // the signal handler ends the process
    const note = finish("failed", { error: (e as Error).message });
    if (note) (e as Error).message += note;
    throw e;
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
