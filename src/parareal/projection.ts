/**
 * How long would this run take on P workers? Its own task graph is replayed by the same Parareal
 * scheduler on a simulated executor (exec/simulated.ts): each job takes its measured compute
 * time (jobs never measured take the median of their kind), worker jobs pay the per-job overhead
 * measured in the run, and the run converges at the iteration it converged at. Not a formula:
 * dependencies, priorities, lookahead and cancellation are those of a real run.
 */
import { literal, type Vector } from "../expr/vector.js";
import { SimulatedExecutor } from "../exec/simulated.js";
import type { JobInfo } from "../exec/job.js";
import { solverJobs, type JobSpec } from "../jobs/solver-job.js";
import { linspace } from "../ode/linspace.js";
import { Parareal } from "./scheduler.js";
import type { CoarseSpec, FineSpec } from "../solvers/spec.js";

/** What a run (or a cost model alone) tells the projection. */
export interface ProjectionModel {
  readonly slices: number;
  /** the iteration the run converged at; undefined: it did not, and runs maxIterations */
  readonly convergedAt: number | undefined;
  readonly maxIterations: number;
  /** compute seconds of a job, when it was measured */
  measured(kind: string, iteration: number, slice: number): number | undefined;
  /** compute seconds of a job of this kind that was never measured */
  readonly median: Readonly<Record<string, number>>;
  /** seconds a worker job costs beyond its compute */
  readonly overhead: number;
  /** of that, what the driver's own thread spends per worker job (serial) */
  readonly driverCost?: number;
  /** seconds to start one worker (reported apart: the run's wall time excludes it) */
  readonly startupPerWorker: number;
  /** the serial fine solve, measured (the reference) or estimated */
  readonly serialSeconds: number;
  readonly serialEstimated: boolean;
  /** the run's solver specs (iteration 0), so that jobs are what they were (local or not) */
  readonly coarse: CoarseSpec;
  readonly fine: FineSpec;
}

export type Bound = "fine work" | "coarse chain" | "overhead";

export interface ProjectionRow {
  readonly workers: number;
  /** projected wall time of the parareal phase */
  readonly seconds: number;
  readonly speedup: number;
  readonly efficiency: number;
  /** what limits it: the fine work spread over the workers, the serial chain of coarse sweeps, or per-job overhead */
  readonly bound: Bound;
  /** starting the workers, before the run (not in `seconds`) */
  readonly startupSeconds: number;
  /** share of the workers' time not spent on jobs */
  readonly idleShare: number;
}

export interface Projection {
  readonly serialSeconds: number;
  readonly serialEstimated: boolean;
  readonly rows: ProjectionRow[];
}

const ANY = literal([0]);

/** Replay the run on P workers (Infinity: as many as jobs): virtual seconds, and what the lanes did. */
export async function simulate(model: ProjectionModel, workers: number): Promise<{ seconds: number; fineWork: number; chain: number; overheadWork: number; busy: number }> {
  const duration = (_job: JobSpec, info: JobInfo) => model.measured(info.kind, info.iteration, info.slice) ?? model.median[info.kind] ?? 0;
  const exec = new SimulatedExecutor<JobSpec, Vector>(workers, solverJobs, { duration, overhead: model.overhead, ...(model.driverCost === undefined ? {} : { driverCost: model.driverCost }) }, () => ANY);
  let fineWork = 0;
  let overheadWork = 0;
  exec.onEvent((e) => {
    if (e.state === "running" && !e.info.local) {
      fineWork += model.measured(e.info.kind, e.info.iteration, e.info.slice) ?? model.median[e.info.kind] ?? 0;
      overheadWork += model.overhead;
    }
  });
  // the time points only name intervals here: any strictly increasing grid of the right length
  const t = linspace(0, model.slices, model.slices + 1);
  const p = new Parareal(exec, (k) => ({ ...model.coarse, iteration: k }), (k) => ({ ...model.fine, iteration: k }), { maxIterations: model.maxIterations });
  let checked = 0;
  await p.wait(p.schedule(ANY, t), () => model.convergedAt !== undefined && checked++ === model.convergedAt);
  const seconds = exec.now;
  await exec.close();
  const busy = exec.busy.reduce((a, b) => a + b, 0);
  return { seconds, fineWork, chain: exec.driverBusy, overheadWork, busy };
}

export async function project(model: ProjectionModel, workers: readonly number[]): Promise<Projection> {
  const rows: ProjectionRow[] = [];
  for (const P of workers) {
    const s = await simulate(model, P);
    const seconds = s.seconds;
    const speedup = seconds > 0 ? model.serialSeconds / seconds : 0;
    // the largest lower bound names what limits the run
    const candidates: [Bound, number][] = [
      ["fine work", s.fineWork / P],
      ["coarse chain", s.chain],
      ["overhead", s.overheadWork / P],
    ];
    const fineShare = s.fineWork / P / seconds;
    const bound: Bound = fineShare > 0.8 ? "fine work" : (candidates.slice(1).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "coarse chain");
    rows.push({ workers: P, seconds, speedup, efficiency: speedup / P, bound, startupSeconds: model.startupPerWorker * P, idleShare: seconds > 0 ? Math.max(0, 1 - s.busy / (P * seconds)) : 0 });
  }
  return { serialSeconds: model.serialSeconds, serialEstimated: model.serialEstimated, rows };
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One job as run.json records it (archive/run-record.ts JobRecord), the fields used here. */
export interface MeasuredJob {
  readonly kind: string;
  readonly phase: string;
  readonly iteration: number;
  readonly slice: number;
  readonly dispatched?: number;
  readonly started?: number;
  readonly finished?: number;
  readonly status?: string;
  readonly seconds?: number;
}

/** The cost model of a finished run, from its job records and timings. */
export function modelOfRun(run: {
  readonly jobs: readonly MeasuredJob[];
  readonly slices: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly maxIterations: number;
  readonly referenceSeconds?: number | undefined;
  readonly startupSeconds?: number | undefined;
  /** the driver thread's busy time in the parareal phase */
  readonly driverBusySeconds?: number | undefined;
  readonly warmedWorkers: number;
  readonly coarse: CoarseSpec;
  readonly fine: FineSpec;
}): ProjectionModel {
  const done = run.jobs.filter((j) => j.phase === "parareal" && j.status === "done");
  const local = (kind: string) => solverJobs.info({ solver: kind === "coarse" ? run.coarse : run.fine, t0: 0, t1: 1, slice: 1 }).local;
  // a job's cost: its compute for worker jobs (overhead added apart), the driver's whole time for local ones
  const since = (j: MeasuredJob) => j.dispatched ?? j.started;
  const cost = (j: MeasuredJob) => (local(j.kind) && since(j) !== undefined && j.finished !== undefined ? (j.finished as number) - (since(j) as number) : (j.seconds ?? 0));
  const byJob = new Map<string, number>();
  const byKind: Record<string, number[]> = {};
  for (const j of done) {
    byJob.set(`${j.kind}/${j.iteration}/${j.slice}`, cost(j));
    (byKind[j.kind] ??= []).push(cost(j));
  }
  const overheads = done.filter((j) => !local(j.kind) && since(j) !== undefined && j.finished !== undefined && j.seconds !== undefined).map((j) => (j.finished as number) - (since(j) as number) - (j.seconds as number));
  const medians = Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, median(xs)]));
  // the driver's thread: its own (local) jobs, and the rest spread over the worker jobs it handled
  const localSeconds = done.filter((j) => local(j.kind)).reduce((s, j) => s + cost(j), 0);
  const remoteJobs = done.filter((j) => !local(j.kind)).length;
  const overhead = Math.max(0, median(overheads));
  const driverCost = run.driverBusySeconds !== undefined && remoteJobs > 0 ? Math.min(overhead, Math.max(0, (run.driverBusySeconds - localSeconds) / remoteJobs)) : undefined;
  const fineMedian = medians.fine ?? 0;
  return {
    slices: run.slices,
    convergedAt: run.converged ? run.iterations : undefined,
    maxIterations: run.maxIterations,
    measured: (kind, iteration, slice) => byJob.get(`${kind}/${iteration}/${slice}`),
    median: medians,
    overhead,
    ...(driverCost === undefined ? {} : { driverCost }),
    startupPerWorker: run.warmedWorkers > 0 ? (run.startupSeconds ?? 0) / run.warmedWorkers : 0,
    serialSeconds: run.referenceSeconds ?? run.slices * fineMedian,
    serialEstimated: run.referenceSeconds === undefined,
    coarse: run.coarse,
    fine: run.fine,
  };
}

/** A cost model without a run: every fine job `fine` seconds, every coarse job `coarse`. */
export function modelOfCosts(o: { slices: number; iterations: number; fine: number; coarse: number; overhead?: number; coarseSpec: CoarseSpec; fineSpec: FineSpec }): ProjectionModel {
  return {
    slices: o.slices,
    convergedAt: o.iterations,
    maxIterations: o.slices,
    measured: () => undefined,
    median: { fine: o.fine, coarse: o.coarse },
    overhead: o.overhead ?? 0,
    startupPerWorker: 0,
    serialSeconds: o.slices * o.fine,
    serialEstimated: true,
    coarse: o.coarseSpec,
    fine: o.fineSpec,
  };
}
