/**
 * A whole run as the original's main does it: the serial fine reference (iteration 0 files in
 * <output>/euler), then parareal (files in <output>/parareal), with timings and job counts.
 */
import { resolve, join } from "node:path";
import { reduceAsync } from "../expr/reduce.js";
import { literal, type Vector } from "../expr/vector.js";
import type { Executor } from "../exec/executor.js";
import type { ProblemSpec } from "../solvers/problems.js";
import { coarseSpec, fineSpec, type CoarseSpec, type FineSpec, type MethodName } from "../solvers/spec.js";
import { History, convergenceTest } from "./history.js";
import { Parareal, tabulateJobs } from "./scheduler.js";

/** What makes the coarse and fine solvers of a run. */
export interface SolverOptions {
  readonly problem: ProblemSpec;
  readonly h: number;
  /** default: forward Euler for both, as the original */
  readonly fineMethod?: MethodName;
  readonly coarseMethod?: MethodName;
  /** coarse sub-step; default: one step per slice */
  readonly coarseH?: number;
  /** parameters of a coarser grid for the coarse solver (c2f/f2c by the problem's regrid) */
  readonly coarseGrid?: Readonly<Record<string, number>>;
  /** dopri5 tolerances */
  readonly rtol?: number;
  readonly atol?: number;
  readonly saveEvery: number;
  /** black-box programs instead of the methods: command templates (see solvers/command.ts) */
  readonly fineCommand?: string;
  readonly coarseCommand?: string;
  /** reuse the fine files an earlier run of the same parameters left in the output directory */
  readonly resume?: boolean;
}

/** The solvers of iteration k; fine ones write into `archive`, black boxes exchange files in `<output>/io`. */
export function solvers(o: SolverOptions, output: string): { coarse: (k: number) => CoarseSpec; fine: (k: number, archive: string) => FineSpec } {
  const tolerances = { ...(o.rtol === undefined ? {} : { rtol: o.rtol }), ...(o.atol === undefined ? {} : { atol: o.atol }) };
  const workdir = join(resolve(output), "io");
  const fineCommand = o.fineCommand === undefined ? {} : { command: { template: o.fineCommand, workdir } };
  const coarseCommand = o.coarseCommand === undefined ? undefined : { template: o.coarseCommand, workdir };
  return {
    coarse: (k) => coarseSpec(o.problem, k, o.coarseMethod ?? "euler", o.coarseH, o.coarseGrid, coarseCommand),
    fine: (k, archive) =>
      fineSpec(o.problem, k, { h: o.h, archive, saveEvery: o.saveEvery, method: o.fineMethod ?? "euler", ...tolerances, ...fineCommand, ...(o.resume ? { reuse: true } : {}) }),
  };
}

export interface RunOptions extends SolverOptions {
  readonly y0: readonly number[];
  readonly t: Float64Array;
  readonly tol: number;
  readonly maxIterations?: number | undefined;
  readonly output: string;
  readonly reference: boolean;
  readonly executor: Executor;
  /** called after each iterate is checked: iteration k and its maxdif (undefined for k = 0) */
  readonly onIterate?: (k: number, maxdif: number | undefined) => void;
}

export interface RunReport {
  converged: boolean;
  iterations: number;
  maxdif: number[];
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
  workers: number;
  output: string;
}

async function values(ys: readonly Vector[]): Promise<number[][]> {
  return Promise.all(ys.map(async (y) => Array.from(await reduceAsync(y))));
}

export async function runParareal(o: RunOptions): Promise<RunReport> {
  const output = resolve(o.output);
  const y0 = literal(o.y0);
  const exec = o.executor;
  let reference: number[][] | undefined;
  let referenceSeconds: number | undefined;
  const before = { ...exec.stats };
  const solver = solvers(o, output);

  if (o.reference) {
    const start = performance.now();
    const ys = await Promise.all(tabulateJobs(exec, solver.fine(0, join(output, "euler")), y0, o.t).map((f) => f.promise));
    reference = await values(ys);
    referenceSeconds = (performance.now() - start) / 1000;
  }
  const referenceFineJobs = exec.stats.fineJobs - before.fineJobs;
  const referenceResumedJobs = exec.stats.resumedJobs - before.resumedJobs;
  const mid = { ...exec.stats };

  const start = performance.now();
  const archive = join(output, "parareal");
  const p = new Parareal(exec, solver.coarse, (k) => solver.fine(k, archive), { maxIterations: o.maxIterations });
  const history = new History(o.tol, 2);
  const test = convergenceTest(history);
  const jobs = p.schedule(y0, o.t);
  const result = await p.wait(jobs, async (y) => {
    const done = await test(y);
    o.onIterate?.(history.seen - 1, history.maxdif.at(-1));
    return done;
  });
  const final = await values(result.iterate);
  const wallSeconds = (performance.now() - start) / 1000;
  const s = exec.stats;
  return {
    converged: result.converged,
    iterations: result.iterations,
    maxdif: [...history.maxdif],
    t: Array.from(o.t),
    final,
    ...(reference ? { reference, referenceSeconds } : {}),
    fineJobs: s.fineJobs - mid.fineJobs,
    resumedJobs: s.resumedJobs - mid.resumedJobs,
    coarseJobs: s.coarseJobs - mid.coarseJobs,
    cancelledJobs: s.cancelledQueued + s.cancelledRunning - mid.cancelledQueued - mid.cancelledRunning,
    referenceFineJobs,
    referenceResumedJobs,
    wallSeconds,
    // a distributed executor has no fixed size: count the workers that did something
    workers: Number.isFinite(exec.concurrency) ? exec.concurrency : exec.workersSeen.size,
    output,
  };
}
