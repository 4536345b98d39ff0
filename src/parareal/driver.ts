/**
 * A whole run as the original's main does it: the serial fine reference (iteration 0 files in
 * <output>/euler), then parareal (files in <output>/parareal), with timings and job counts. The
 * executor is warmed first, so that neither phase pays the pool's start-up.
 */
import type { Criteria, RunConfig } from "../config/run-config.js";
import { reduceAsync } from "../evaluate/reduce.js";
import { literal, type Vector } from "../expr/vector.js";
import type { ExecutorStats } from "../exec/executor.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { Parareal, tabulateJobs } from "./scheduler.js";
import { IterateStopping, type MeasurementRecord } from "./stopping.js";

export type Phase = "reference" | "parareal";

export interface RunHooks {
  /** a phase starts */
  readonly onPhase?: (phase: Phase) => void;
  /** after each iterate is checked: iteration k and its maxdif (undefined for k = 0) */
  readonly onIterate?: (k: number, maxdif: number | undefined) => void;
}

export interface RunReport {
  converged: boolean;
  iterations: number;
  /** the absolute measure of the change per iteration, in the criteria's norm (max: the original's maxdif) */
  maxdif: number[];
  /** the stopping criteria, and what each iteration measured against them */
  criteria: Criteria;
  measurements: MeasurementRecord[];
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

async function values(ys: readonly Vector[]): Promise<number[][]> {
  return Promise.all(ys.map(async (y) => Array.from(await reduceAsync(y))));
}

function counts(s: Readonly<ExecutorStats>) {
  return { fine: s.completed.fine ?? 0, coarse: s.completed.coarse ?? 0, resumed: s.resumedJobs, cancelled: s.cancelledQueued + s.cancelledRunning };
}

export async function runParareal(config: RunConfig, exec: SolverExecutor, hooks: RunHooks = {}): Promise<RunReport> {
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
  const p = new Parareal(exec, (k) => config.coarse(k), (k) => config.fine(k, layout.parareal), { maxIterations: config.maxIterations });
  const stopping = new IterateStopping(config.criteria);
  const result = await p.wait(p.schedule(y0, t), async (y) => {
    const done = await stopping.test(y);
    hooks.onIterate?.(stopping.seen - 1, stopping.maxdif.at(-1));
    return done;
  });
  const final = await values(result.iterate);
  const wallSeconds = (performance.now() - start) / 1000;
  const end = counts(exec.stats);
  return {
    converged: result.converged,
    iterations: result.iterations,
    maxdif: [...stopping.maxdif],
    criteria: config.criteria,
    measurements: stopping.records,
    t: Array.from(t),
    final,
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
