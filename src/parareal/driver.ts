/**
 * A whole run as the original's main does it: the serial fine reference (iteration 0 files in
 * <output>/euler), then parareal (files in <output>/parareal), with timings and job counts. The
 * executor is warmed first, so that neither phase pays the pool's start-up.
 */
import type { RunConfig } from "../config/run-config.js";
import { reduceAsync } from "../evaluate/reduce.js";
import { literal, type Vector } from "../expr/vector.js";
import { speedupReport, type SpeedupReport } from "../report/speedup.js";
import { Timeline } from "../report/timeline.js";
import type { ExecutorStats } from "../exec/executor.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import { History } from "./history.js";
import { maxAbsDiff } from "./serial.js";
import { Parareal, tabulateJobs } from "./scheduler.js";

export type Phase = "reference" | "parareal";

export interface RunHooks {
  /** records every job of the run (one is made if not given) */
  readonly timeline?: Timeline;
  /** a phase starts */
  readonly onPhase?: (phase: Phase) => void;
  /** after each iterate is checked */
  readonly onIterate?: (iterate: IterateRecord) => void;
}

/** One checked iterate: when, how far it moved, and how far it is from the serial fine reference. */
export interface IterateRecord {
  readonly iteration: number;
  /** max |y^k - y^(k-1)|; absent for iteration 0 */
  readonly maxdif?: number;
  /** max |y^k - reference| over every time point, when the reference ran */
  readonly error?: number;
  /** seconds from the start of the parareal phase until this iterate was checked */
  readonly at: number;
  /** seconds since the iterate before was checked */
  readonly seconds: number;
}

export interface RunReport {
  converged: boolean;
  iterations: number;
  maxdif: number[];
  /** every checked iterate, 0 to `iterations` */
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
  /** speedup over the serial fine solve, where the time went, and what theory allows */
  speedup: SpeedupReport;
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
  const p = new Parareal(exec, (k) => config.coarse(k), (k) => config.fine(k, layout.parareal), { maxIterations: config.maxIterations });
  const history = new History(config.tol, 2);
  const iterates: IterateRecord[] = [];
  const referenceValues = reference?.map((r) => Float64Array.from(r));
  const result = await p.wait(p.schedule(y0, t), async (y) => {
    const ys = await Promise.all(y.map(reduceAsync));
    const done = history.convergenceTest(ys);
    const at = (performance.now() - start) / 1000;
    const maxdif = history.maxdif.at(-1);
    const record: IterateRecord = {
      iteration: history.seen - 1,
      ...(history.seen > 1 && maxdif !== undefined ? { maxdif } : {}),
      ...(referenceValues ? { error: maxAbsDiff(ys, referenceValues) } : {}),
      at,
      seconds: at - (iterates.at(-1)?.at ?? 0),
    };
    iterates.push(record);
    hooks.onIterate?.(record);
    return done;
  });
  const final = await values(result.iterate);
  const wallSeconds = (performance.now() - start) / 1000;
  const end = counts(exec.stats);
  if (!hooks.timeline) timeline.close();
  const workers = Number.isFinite(exec.concurrency) ? exec.concurrency : exec.workersSeen.size;
  const speedup = speedupReport({
    slices,
    iterations: result.iterations,
    workers,
    wallSeconds,
    referenceSeconds,
    costs: { fine: timeline.done("parareal", "fine"), coarse: timeline.done("parareal", "coarse") },
  });
  return {
    converged: result.converged,
    iterations: result.iterations,
    maxdif: [...history.maxdif],
    iterates,
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
    speedup,
    // a distributed executor has no fixed size: count the workers that did something
    workers,
    output: layout.root,
  };
}
