/** `parareal run`: the original's main (serial fine reference, then parareal) with our options. */
import { hostname } from "node:os";
import { join } from "node:path";
import { CASES_DIR } from "../archive/layout.js";
import { readRunRecord, writeRunRecord, type RunRecord, type RunStatus } from "../archive/run-record.js";
import { readRunStates, writeRunStates } from "../parareal/archived-result.js";
import { resolveRunConfig, resuming, type RunConfig } from "../config/run-config.js";
import { summarisedParameters } from "../size-limits.js";
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
import { DEFAULT_DASHBOARD_PORT, dashboardPort } from "./dashboard-options.js";
import type { EventFeed } from "../dashboard/feed.js";
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

/** What a run holds before it starts: its output directory (locked), whether it resumes, its dashboard. */
export interface ClaimedRun {
  readonly resume: boolean;
  readonly dashboard: Dashboard | undefined;
  /** unlock the output and stop the dashboard (once; later calls do nothing) */
  release(): Promise<void>;
}

/**
 * Check what needs no writing first (the dashboard's port, the Redis options and key), listen for
 * the dashboard, and only then claim the output: a bad value leaves nothing behind in it. Under
 * --mpi, rank 0 claims before it starts Redis or writes its scheduler file.
 */
export async function claimRun(flags: RunFlags, resolved: RunConfig, mpi: boolean): Promise<ClaimedRun> {
  const port = dashboardPortOf(flags);
  const { checkExecutorFlags } = await import("./executor-factory.js");
  await checkExecutorFlags(flags, mpi);
  const dashboard = port === undefined ? undefined : await openDashboard(flags, port);
  let claim: ReturnType<typeof claimOutput>;
  try {
    claim = claimOutput(resolved.layout, flags.output, resolved.parameters, { resume: flags.resume, force: flags.force });
  } catch (e) {
    await dashboard?.server.close();
    throw e;
  }
  let released = false;
  return {
    resume: claim.resume,
    dashboard,
    release: async () => {
      if (released) return;
      released = true;
      claim.lock.release();
      await dashboard?.server.close();
    },
  };
}

/**
 * Run one configuration as the flags say: claim the output, run, record, report. A caller that
 * claimed it already passes `claimed`, and releases it itself.
 */
export async function run(flags: RunFlags, resolved: RunConfig, mpi?: MpiRun, claimed?: ClaimedRun): Promise<void> {
  const held = claimed ?? (await claimRun(flags, resolved, mpi !== undefined));
  let config = held.resume ? resuming(resolved) : resolved;
  const { layout } = config;
  let executor: SolverExecutor | undefined;
  try {
    if (held.resume && (await reportConverged(flags, config))) return;
    prepareOutput(layout, flags.output);
    // an OpenFOAM case is prepared inside the output, once it is ours
    if (config.openfoam) config = (await import("../config/openfoam-config.js")).prepareOpenFoamRun(config);
    const { openExecutor } = await import("./executor-factory.js");
    executor = await openExecutor(flags, { root: layout.root, modules: config.modules }, mpi);
    await runWith(flags, config, executor, held.dashboard);
  } finally {
    await executor?.close().catch(() => undefined);
    if (claimed === undefined) await held.release();
  }
}

/** The live dashboard of a run: its server, listening before the run starts, and the feed it serves. */
interface Dashboard {
  readonly server: { readonly url: string; close(): Promise<void> };
  readonly feed: EventFeed;
}

/** --dashboard's port, checked before anything is written; undefined without --dashboard. */
function dashboardPortOf(flags: RunFlags): number | undefined {
  if (flags.dashboard === undefined || flags.dashboard === false) return undefined;
  if (typeof flags.dashboard !== "string") return DEFAULT_DASHBOARD_PORT;
  try {
    return dashboardPort(flags.dashboard);
  } catch (e) {
    throw new UsageError(`--dashboard ${(e as Error).message}`);
  }
}

/** Listen for the dashboard: a bad --dashboard-host or a port in use fails here, before the output is touched. */
async function openDashboard(flags: RunFlags, port: number): Promise<Dashboard> {
  const { startDashboard } = await import("./dashboard-command.js");
  const { EventFeed } = await import("../dashboard/feed.js");
  const feed = new EventFeed();
  const server = await startDashboard(feed, { host: flags.dashboardHost, port });
  return { server, feed };
}

/** An error's cause for one line: ENOSPC in words, else its code (or message). */
function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOSPC" ? "no space left on the device" : (code ?? (e as Error).message);
}

async function runWith(flags: RunFlags, config: RunConfig, executor: SolverExecutor, dashboard: Dashboard | undefined): Promise<void> {
  const { layout } = config;
  const timeline = new Timeline(executor);
  const events = new EventLog(layout.events);
  events.attach(executor);
  if (dashboard) {
    events.onEvent((e) => dashboard.feed.append(e));
    // its URL goes to stderr (stdout may be --json)
    process.stderr.write(`parareal: dashboard at ${dashboard.server.url}\n`);
  }
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
  /**
   * The final record; returns why it could not be written (a full disk), or undefined. Once only:
   * a run whose final record failed is not recorded again as failed.
   */
  let finished = false;
  const finish = (status: RunStatus, extra: Partial<RunRecord>): string | undefined => {
    finished = true;
    events.emit({ type: "end", status: status === "running" ? "interrupted" : status, iterations: extra.iterations ?? 0, ...(extra.error === undefined ? {} : { message: extra.error }) });
    events.close();
    try {
      writeRunRecord(layout.root, { ...record, status, finished: new Date().toISOString(), jobs: timeline.records(), ...extra });
      return undefined;
    } catch (e) {
      return why(e);
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
    try {
      writeRunStates(layout, report);
    } catch (e) {
      throw new Error(`cannot write ${layout.result}: ${why(e)}`);
    }
    const status = report.converged ? "converged" : "not converged";
    const unrecorded = finish(status, {
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
    // a run whose record still says "running" is no success, whatever it computed
    if (unrecorded !== undefined) throw new Error(`cannot write ${layout.runFile}: ${unrecorded} (the run ended ${status}, but its record still says running)`);
    const canConverge = config.criteria.tol > 0 || config.criteria.rtol !== undefined;
    if (!report.converged && canConverge) log.warning(`not converged after ${report.iterations} iterations (${criteriaText(config.criteria)})`);
    const fields = config.openfoam?.prepared && report.reference ? fieldDifferences(config.openfoam.prepared.layout, report.final, report.reference) : undefined;
    const summary = () => formatSummary(report, config.tol) + (fields ? `\n${formatFieldDifferences(fields)}` : "");
    process.stdout.write((flags.json ? JSON.stringify({ ...report, tol: config.tol, parameters: config.parameters, ...(fields ? { fieldDifferences: fields } : {}) }) : summary()) + "\n");
  } catch (e) {
    if (interrupted) await new Promise(() => undefined); // the signal handler ends the process
    if (!finished) {
      const unrecorded = finish("failed", { error: (e as Error).message });
      if (unrecorded !== undefined) (e as Error).message += ` (and ${layout.runFile} could not be updated: ${unrecorded})`;
    }
    throw e;
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
    events.close();
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
