/**
 * A whole run as the original's main does it: the serial fine reference (iteration 0 files in
 * <output>/euler), then parareal (files in <output>/parareal), with timings and job counts. The
 * executor is warmed first, so that neither phase pays the pool's start-up.
 */
import type { Criteria, RunConfig } from "../config/run-config.js";
import { literal } from "../expr/vector.js";
import type { ExecutorStats } from "../exec/executor.js";
import { solverJobs, type SolverExecutor } from "../jobs/solver-job.js";
import type { SolverSpec } from "../solvers/spec.js";
import { speedupReport, type SpeedupReport } from "../report/speedup.js";
import { Timeline } from "../report/timeline.js";
import { pararealSegment, values, type SegmentHooks, type SegmentMethod, type SegmentOutcome } from "./method.js";
import { tabulateJobs } from "./scheduler.js";
import { maxAbsDiff } from "./serial.js";
import type { MeasurementRecord } from "./stopping.js";
import { runWindows, type WindowRecord } from "./windowed.js";

export type Phase = "reference" | "parareal";

export interface RunHooks {
  /** records every job of the run (one is made if not given) */
  readonly timeline?: Timeline;
  /** a phase starts */
  readonly onPhase?: (phase: Phase) => void;
  /** after each iterate is checked */
  readonly onIterate?: (iterate: IterateRecord) => void;
  /** a time window is done (--window) */
  readonly onWindow?: (window: WindowRecord) => void;
}

/** One checked iterate: when, how far it moved, and how far it is from the serial fine reference. */
export interface IterateRecord {
  readonly iteration: number;
  /** the change since the iterate before (maxdif, in the criteria's norm); absent for iteration 0 */
  readonly maxdif?: number;
  /** max |y^k - reference| over every time point, when the reference ran (whole runs) */
  readonly error?: number;
  /** seconds from the start of the parareal phase until this iterate was checked */
  readonly at: number;
  /** seconds since the iterate before was checked */
  readonly seconds: number;
  /** the time window it belongs to (--window), counted from 1 */
  readonly window?: number;
}

export interface RunReport {
  converged: boolean;
  iterations: number;
  /** the absolute measure of the change per iteration, in the criteria's norm (max: the original's maxdif) */
  maxdif: number[];
  /** the stopping criteria, and what each iteration measured against them */
  criteria: Criteria;
  measurements: MeasurementRecord[];
  /** parareal or mgrit */
  method: string;
  /** MGRIT: the residual's norm of iterates 0..iterations */
  residual?: number[];
  /** fine jobs on the longest chain of dependent jobs behind the result: the parallel time, in fine jobs */
  fineCriticalPath: number;
  /** per time window (--window), in order; the fields above then cover all of them */
  windows?: WindowRecord[];
  /** every checked iterate (of every window, in turn) */
  iterates: IterateRecord[];
  t: number[];
  final: number[][];
  reference?: number[][];
  /** fine jobs computed by this process (parareal part) */
  fineJobs: number;
  /** fine jobs answered by files of an earlier run (--resume), parareal part */
  resumedJobs: number;
  coarseJobs: number;
  cancelledJobs: number;
  referenceFineJobs: number;
  referenceResumedJobs: number;
  wallSeconds: number;
  referenceSeconds?: number;
  /** starting the executor's workers, before anything was timed */
  startupSeconds: number;
  /** time the driver's own thread was busy during the parareal phase (its jobs, scheduling, answers) */
  driverBusySeconds: number;
  /** speedup over the serial fine solve, where the time went, and what theory allows */
  speedup: SpeedupReport;
  workers: number;
  /** the fine jobs were cheap enough for the driver to run them itself (config/driver-jobs.ts): no worker computed */
  fineInDriver?: boolean;
  output: string;
}

/** Executors that can start their workers ahead of the work (a thread pool). */
interface Warmable {
  warm(workers: number, preload?: readonly string[]): Promise<void>;
}

function canWarm(e: object): e is Warmable {
  return typeof (e as Partial<Warmable>).warm === "function";
}

function counts(s: Readonly<ExecutorStats>) {
  return { fine: s.completed.fine ?? 0, coarse: s.completed.coarse ?? 0, resumed: s.resumedJobs, cancelled: s.cancelledQueued + s.cancelledRunning };
}

/** The run: warm-up, the serial fine reference, then `method` (parareal by default; MGRIT from src/mgrit). */
export async function runParareal(config: RunConfig, exec: SolverExecutor, hooks: RunHooks = {}, method: SegmentMethod = pararealSegment): Promise<RunReport> {
  const y0 = literal(config.y0);
  const { t, layout } = config;
  const slices = t.length - 1;

  const warmStart = performance.now();
  // the reference is a serial chain; parareal keeps every slice busy at most. A run whose jobs
  // all run in the driver (cheap ones) starts no worker at all.
  const inDriver = (solver: SolverSpec) => solverJobs.info({ solver, t0: 0, t1: 0, slice: 0 }).local;
  const fineInDriver = inDriver(config.fine(0, layout.reference));
  const needsWorkers = !fineInDriver || !inDriver(config.coarse(0));
  const warmed = canWarm(exec) && needsWorkers;
  if (warmed) await exec.warm(Math.min(exec.concurrency, slices), config.modules);
  const startupSeconds = warmed ? (performance.now() - warmStart) / 1000 : 0;

  const timeline = hooks.timeline ?? new Timeline(exec);
  const phase = (p: Phase) => {
    timeline.phase = p;
    hooks.onPhase?.(p);
  };
  let reference: number[][] | undefined;
  let referenceSeconds: number | undefined;
  const before = counts(exec.stats);
  if (config.reference) {
    phase("reference");
    const start = performance.now();
    reference = await values(await exec.gather(tabulateJobs(exec, config.fine(0, layout.reference), y0, t)));
    referenceSeconds = (performance.now() - start) / 1000;
  }
  const mid = counts(exec.stats);

  phase("parareal");
  const start = performance.now();
  // how busy the driver's own thread is: its share of the run, for projections
  const loop = performance.eventLoopUtilization();
  const iterates: IterateRecord[] = [];
  const referenceValues = reference?.map((r) => Float64Array.from(r));
  let window = 0;
  const segmentHooks: SegmentHooks = {
    onIterate(iteration, maxdif, ys) {
      if (iteration === 0) window++;
      const at = (performance.now() - start) / 1000;
      const record: IterateRecord = {
        iteration,
        ...(maxdif !== undefined && iteration > 0 ? { maxdif } : {}),
        ...(referenceValues && ys && ys.length === referenceValues.length ? { error: maxAbsDiff(ys, referenceValues) } : {}),
        at,
        seconds: at - (iterates.at(-1)?.at ?? 0),
        ...(config.window === undefined ? {} : { window }),
      };
      iterates.push(record);
      hooks.onIterate?.(record);
    },
    ...(hooks.onWindow ? { onWindow: hooks.onWindow } : {}),
  };
  const outcome: SegmentOutcome & { windows?: WindowRecord[] } =
    config.window === undefined
      ? await method(config, exec, { t, y0, archive: layout.parareal, maxIterations: config.maxIterations }, segmentHooks)
      : await runWindows(config, exec, method, segmentHooks);
  const wallSeconds = (performance.now() - start) / 1000;
  const driverBusySeconds = performance.eventLoopUtilization(loop).active / 1000;
  const end = counts(exec.stats);
  if (!hooks.timeline) timeline.close();
  // fine jobs run by the driver ran one at a time: the run had one worker, whatever the pool's size
  const workers = fineInDriver ? 1 : Number.isFinite(exec.concurrency) ? exec.concurrency : exec.workersSeen.size;
  const speedup = speedupReport({
    slices,
    iterations: outcome.iterations,
    workers,
    wallSeconds,
    referenceSeconds,
    costs: { fine: timeline.done("parareal", "fine"), coarse: timeline.done("parareal", "coarse") },
  });
  return {
    converged: outcome.converged,
    iterations: outcome.iterations,
    maxdif: outcome.maxdif,
    criteria: config.criteria,
    measurements: outcome.measurements,
    method: config.method,
    ...(outcome.residual ? { residual: outcome.residual } : {}),
    fineCriticalPath: outcome.fineCriticalPath,
    ...(outcome.windows ? { windows: outcome.windows } : {}),
    iterates,
    t: Array.from(t),
    final: outcome.final,
    ...(reference ? { reference, referenceSeconds } : {}),
    fineJobs: end.fine - mid.fine,
    resumedJobs: end.resumed - mid.resumed,
    coarseJobs: end.coarse - mid.coarse,
    cancelledJobs: end.cancelled - mid.cancelled,
    referenceFineJobs: mid.fine - before.fine,
    referenceResumedJobs: mid.resumed - before.resumed,
    wallSeconds,
    startupSeconds,
    driverBusySeconds,
    speedup,
    // a distributed executor has no fixed size: count the workers that did something
    workers,
    ...(fineInDriver ? { fineInDriver } : {}),
    output: layout.root,
  };
}
