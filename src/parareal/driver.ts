/**
 * A whole run as the original's main does it: the serial fine reference (iteration 0 files in
 * <output>/euler), then parareal (files in <output>/parareal), with timings and job counts. The
 * executor is warmed first, so that neither phase pays the pool's start-up.
 */
import type { Criteria, RunConfig } from "../config/run-config.js";
import { literal } from "../expr/vector.js";
import type { ExecutorStats } from "../exec/executor.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { pararealSegment, values, type SegmentMethod, type SegmentOutcome } from "./method.js";
import { tabulateJobs } from "./scheduler.js";
import type { MeasurementRecord } from "./stopping.js";
import { runWindows, type WindowRecord } from "./windowed.js";

export type Phase = "reference" | "parareal";

export interface RunHooks {
  /** a phase starts */
  readonly onPhase?: (phase: Phase) => void;
  /** after each iterate is checked: iteration k and its maxdif (undefined for k = 0) */
  readonly onIterate?: (k: number, maxdif: number | undefined) => void;
  /** a time window is done (--window) */
  readonly onWindow?: (window: WindowRecord) => void;
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
  workers: number;
  output: string;
}

/** Executors that can start their workers ahead of the work (a thread pool). */
interface Warmable {
  warm(workers: number): Promise<void>;
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
  // the reference is a serial chain; parareal keeps every slice busy at most
  if (canWarm(exec)) await exec.warm(Math.min(exec.concurrency, slices));
  const startupSeconds = (performance.now() - warmStart) / 1000;

  let reference: number[][] | undefined;
  let referenceSeconds: number | undefined;
  const before = counts(exec.stats);
  if (config.reference) {
    hooks.onPhase?.("reference");
    const start = performance.now();
    reference = await values(await exec.gather(tabulateJobs(exec, config.fine(0, layout.reference), y0, t)));
    referenceSeconds = (performance.now() - start) / 1000;
  }
  const mid = counts(exec.stats);

  hooks.onPhase?.("parareal");
  const start = performance.now();
  const outcome: SegmentOutcome & { windows?: WindowRecord[] } =
    config.window === undefined
      ? await method(config, exec, { t, y0, archive: layout.parareal, maxIterations: config.maxIterations }, hooks)
      : await runWindows(config, exec, method, hooks);
  const wallSeconds = (performance.now() - start) / 1000;
  const end = counts(exec.stats);
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
    // a distributed executor has no fixed size: count the workers that did something
    workers: Number.isFinite(exec.concurrency) ? exec.concurrency : exec.workersSeen.size,
    output: layout.root,
  };
}
