/** `parareal run`: the original's main (serial fine reference, then parareal) with our options. */
import { hostname } from "node:os";
import { join } from "node:path";
import { CASES_DIR } from "../archive/layout.js";
import { readRunRecord, writeRunRecord, type RunRecord, type RunStatus } from "../archive/run-record.js";
import { readRunStates, writeRunStates } from "../parareal/archived-result.js";
import { resolveRunConfig, resuming, type RunConfig } from "../config/run-config.js";
import { summarisedParameters } from "../config/size-limits.js";
import { describeUrl } from "../exec/redis/url.js";
import { log } from "../log.js";
import { runParareal, type RunHooks } from "../parareal/driver.js";
import type { WindowRecord } from "../parareal/windowed.js";
import { withoutPerSlice } from "../parareal/stopping.js";
import { segmentMethod } from "../mgrit/run-method.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { Timeline } from "../report/timeline.js";
import { EventLog } from "../dashboard/event-log.js";
import { UsageError } from "../errors.js";
import { killCommands } from "../process/supervisor.js";
import { oneLine } from "../shown.js";
import { removeOwnExchangeFiles } from "../solvers/command.js";
import { version } from "../version.js";
import type { MpiRun } from "./executor-factory.js";
import { configureLog } from "./logging.js";
import { claimOutput, prepareOutput } from "./output-dir.js";
import { iterationProgress } from "./progress.js";
import { runInput, type RunFlags } from "./run-options.js";
import { criteriaText } from "./iteration-table.js";
import { formatSummary } from "./summary.js";
import { fieldDifferences, formatFieldDifferences } from "../openfoam/field-differences.js";


/**
 * `--resume` on a run that already converged: say so and recompute nothing. Returns false when
 * the run did not converge (or its kept states are missing), and it is to be continued.
 */
async function reportConverged(flags: RunFlags, config: RunConfig): Promise<boolean> {
  const record = readRunRecord(config.layout.root);
  if (record?.status !== "converged" || record.iterations === undefined) return false;
  const states = await readRunStates(config.layout, config.t.length, config.dim);
  if (!states) return false;
  const message = `the run in ${config.layout.root} already converged after ${record.iterations} iterations (${record.finished ?? "earlier"}); nothing to recompute`;
  if (flags.json) {
    const maxdif = record.maxdif ?? [];
    process.stdout.write(JSON.stringify({ alreadyConverged: true, converged: true, iterations: record.iterations, maxdif, iterates: record.iterates ?? [], ...states, fineJobs: 0, coarseJobs: 0, cancelledJobs: 0, resumedJobs: 0, referenceFineJobs: 0, referenceResumedJobs: 0, wallSeconds: 0, startupSeconds: 0, ...(record.speedup ? { speedup: record.speedup } : {}), output: config.layout.root, tol: config.tol, parameters: config.parameters }) + "\n");
  } else {
    process.stdout.write(`${message}\n${(record.maxdif ?? []).map((d, i) => `  ${String(i + 1).padStart(9)}  ${d.toExponential(6)}`).join("\n")}\noutput: ${config.layout.root}\n`);
  }
  return true;
}

/** Windows as run.json keeps them: measurements without per-slice values. */
function windowsForRecord(windows: readonly WindowRecord[]): WindowRecord[] {
  return windows.map((w) => ({ ...w, measurements: withoutPerSlice(w.measurements) }));
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
    if (resume && (await reportConverged(flags, config))) return;
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

/** The live dashboard, when asked for: its URL goes to stderr (stdout may be --json). */
async function openDashboard(flags: RunFlags, events: EventLog): Promise<{ close(): Promise<void> } | undefined> {
  if (flags.dashboard === undefined || flags.dashboard === false) return undefined;
  const { dashboardPort, startDashboard, DEFAULT_DASHBOARD_PORT } = await import("./dashboard-command.js");
  const { EventFeed } = await import("../dashboard/feed.js");
  let port = DEFAULT_DASHBOARD_PORT;
  if (typeof flags.dashboard === "string") {
    try {
      port = dashboardPort(flags.dashboard);
    } catch (e) {
      throw new UsageError(`--dashboard ${(e as Error).message}`);
    }
  }
  const feed = new EventFeed();
  events.onEvent((e) => feed.append(e));
  const server = await startDashboard(feed, { host: flags.dashboardHost, port });
  process.stderr.write(`parareal: dashboard at ${server.url}\n`);
  return server;
}

async function runWith(flags: RunFlags, config: RunConfig, executor: SolverExecutor): Promise<void> {
  const { layout } = config;
  const timeline = new Timeline(executor);
  const events = new EventLog(layout.events);
  events.attach(executor);
  const dashboard = await openDashboard(flags, events);
  events.emit({
    type: "run",
    started: new Date().toISOString(),
    parameters: summarisedParameters(config.parameters),
    slices: config.t.length - 1,
    maxIterations: config.maxIterations,
    tol: config.tol,
    workers: Number.isFinite(executor.concurrency) ? executor.concurrency : 0,
    executor: executorName(flags),
    method: "parareal",
  });
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
    events.emit({ type: "end", status: status === "running" ? "interrupted" : status, iterations: extra.iterations ?? 0, ...(extra.error === undefined ? {} : { message: extra.error }) });
    events.close();
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
    // start nothing more, then stop what runs
    executor.halt();
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
  // a throw outside the run's own promises (a problem module's timer): run.json says failed,
  // before main's handler prints the one line and exits
  const onFatal = (e: unknown) => {
    if (!interrupted) finish("failed", { error: oneLine(e instanceof Error ? e.message : String(e), 8192) });
  };
  process.prependListener("uncaughtException", onFatal);
  process.prependListener("unhandledRejection", onFatal);
  try {
    const windows: WindowRecord[] = [];
    const hooks: RunHooks = {
      timeline,
      onPhase: (phase) => {
        events.phase = phase;
        events.emit({ type: "phase", phase });
      },
      onIterate: (it) => {
        progress.update(it.iteration, it.maxdif);
        events.emit({ type: "iterate", iteration: it.iteration, maxdif: it.maxdif ?? null, ...(it.error === undefined ? {} : { error: it.error }) });
      },
      // run.json says which windows are done while the run goes on
      onWindow: (w) => {
        windows.push(w);
        writeRunRecord(layout.root, { ...record, status: "running", windows: windowsForRecord(windows) });
      },
    };
    const report = await runParareal(config, executor, hooks, segmentMethod(config));
    progress.stop();
    writeRunStates(layout, report);
    finish(report.converged ? "converged" : "not converged", {
      iterations: report.iterations,
      maxdif: report.maxdif,
      iterates: report.iterates,
      criteria: report.criteria,
      measurements: withoutPerSlice(report.measurements),
      ...(report.residual ? { residual: report.residual } : {}),
      ...(report.windows ? { windows: windowsForRecord(report.windows) } : {}),
      wallSeconds: report.wallSeconds,
      startupSeconds: report.startupSeconds,
      driverBusySeconds: report.driverBusySeconds,
      workers: report.workers,
      speedup: { ...report.speedup },
      resumedJobs: report.resumedJobs + report.referenceResumedJobs,
      ...(report.referenceSeconds !== undefined ? { referenceSeconds: report.referenceSeconds } : {}),
    });
    const canConverge = config.criteria.tol > 0 || config.criteria.rtol !== undefined;
    if (!report.converged && canConverge) log.warning(`not converged after ${report.iterations} iterations (${criteriaText(config.criteria)})`);
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
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
    events.close();
    await dashboard?.close();
  }
}

/** `parareal run`: the action, once the options are parsed. */
export async function runAction(flags: RunFlags, given: (option: string) => boolean): Promise<void> {
    configureLog(flags);
    const input = runInput(flags, given);
    if (flags.mpi) {
      const { runMpi } = await import("./mpi.js");
      await runMpi(flags, input, given("workers"));
    } else {
      await run(flags, await resolveRunConfig(input));
    }
}
