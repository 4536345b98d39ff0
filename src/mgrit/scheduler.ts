/**
 * MGRIT over futures: the plan of each V-cycle (plan.ts, cycle.ts) executed on an executor, as
 * Parareal does parareal's iterations. Every plan value becomes a future:
 *   propagate on level 0     a fine job (its HDF5 file in the archive, result the last row)
 *   propagate on level >= 1  a coarse job (cheap: run in the driver)
 *   combine                  the expression (a + b) - c, no job (parareal's c1 + f1 - c2)
 * A job starts as soon as its input exists, so V-cycle k+1 overlaps the end of V-cycle k. The
 * plan memoizes propagations of the same value over the same interval, so exact C-points are not
 * propagated again (parareal's "slices already exact are not recomputed").
 *
 * Iterate k on the finest level is the F-relaxation sweep from its C-point values: all its
 * points, and Φ(u_{i-1}) at each C-point i (the residual's first term). `wait` takes iterates
 * in order, tests each, and cancels all work left once the test passes or the last one is in.
 *
 * File naming (the fine solver's `iteration` in `fine-<iter>-<t0>-<t1>.h5`): the plan's label,
 * V-cycle k's, which is also that of the sweep from iterate k-1 that starts it. So the files of
 * iteration k are fine solves from iterate k-1, as parareal's are, and two-level MGRIT-F writes
 * parareal's files cut at its F-points. FCF's second F-relaxation (from the C-relaxed values)
 * solves every interval again within the same V-cycle: its files go to a directory of their own
 * (`fine(k, true)`), so each directory holds one file per fine interval and iteration.
 */
import { combine, type Vector } from "../expr/vector.js";
import { Future } from "../exec/future.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import type { SolverSpec } from "../solvers/spec.js";
import type { Hierarchy } from "./hierarchy.js";
import { MgritPlanner, type Relaxation, type Sweep } from "./cycle.js";
import { Plan, type ValueId } from "./plan.js";

export interface MgritSolvers {
  /** the coarse solver of V-cycle k, on every level >= 1 */
  coarse(k: number): SolverSpec;
  /** the fine solver of V-cycle k; `relax`: FCF's second F-relaxation, whose files go elsewhere */
  fine(k: number, relax: boolean): SolverSpec;
}

export interface MgritScheduleOptions {
  /** V-cycles at most (iterates 0..maxIterations) */
  readonly maxIterations: number;
  /** V-cycles laid out beyond the iterate awaited (default 2): they overlap, with no barrier */
  readonly lookahead?: number;
}

/** Iterate k on the finest level, as expressions. */
export interface MgritIterate {
  readonly iteration: number;
  /** the state at every finest time point */
  readonly u: Vector[];
  /** at each finest C-point j (entry 0: y0): Φ of the point before it, so the residual is psi - u there */
  readonly psi: Vector[];
}

export interface MgritScheduledResult {
  readonly converged: boolean;
  /** V-cycles made: the index of the last iterate taken */
  readonly iterations: number;
  readonly iterate: MgritIterate;
  /** fine propagations on the longest dependency chain ending in the iterate taken */
  readonly fineCriticalPath: number;
}

export type MgritTest = (iterate: MgritIterate) => boolean | Promise<boolean>;

export class MgritScheduler {
  readonly plan = new Plan();
  private readonly planner: MgritPlanner;
  /** the future of every plan value, by id */
  private readonly values: Future<Vector>[] = [];
  /** every unsettled future of this run, so that stopping cancels exactly its own work */
  private readonly futures = new Set<Future<Vector>>();
  /** plan steps turned into futures so far */
  private made = 0;
  /** per iterate: its finest-level sweep */
  private readonly sweeps: Sweep[] = [];
  private t: Float64Array = new Float64Array(0);

  constructor(
    readonly executor: SolverExecutor,
    readonly solvers: MgritSolvers,
    readonly hierarchy: Hierarchy,
    relax: Relaxation,
    readonly options: MgritScheduleOptions,
  ) {
    this.planner = new MgritPlanner(hierarchy, relax, this.plan);
    if (!Number.isSafeInteger(options.maxIterations) || options.maxIterations < 0) throw new RangeError(`maxIterations must be a whole number >= 0, got ${options.maxIterations}`);
  }

  private track(f: Future<Vector>): Future<Vector> {
    this.futures.add(f);
    // settled futures leave the set: a long run holds only the work in flight
    const drop = () => this.futures.delete(f);
    void f.promise.then(drop, drop);
    return f;
  }

  private value(id: ValueId): Future<Vector> {
    const f = this.values[id];
    if (f === undefined) throw new Error(`MGRIT plan: value ${id} has no future`);
    return f;
  }

  /** Futures for the plan's steps made since the last call; `relax`: they are FCF's second F-relaxation. */
  private materialize(relax: boolean): void {
    const { steps } = this.plan;
    for (; this.made < steps.length; this.made++) {
      const s = steps[this.made]!;
      if (s.op === "combine") {
        const inputs = [this.value(s.a), this.value(s.b), this.value(s.c)];
        this.values[s.output] = this.track(Future.all(inputs).map(([a, b, c]) => combine(a!, b!, c!)));
        continue;
      }
      const solver = s.level === 0 ? this.solvers.fine(s.iteration, relax) : this.solvers.coarse(s.iteration);
      this.values[s.output] = this.track(this.executor.submit({ solver, t0: this.t[s.from]!, t1: this.t[s.to]!, slice: s.to }, this.value(s.input)));
    }
  }

  /** The coarse initial guess (iterate 0's C-points) and the sweep that completes iterate 0. */
  schedule(y0: Vector, t: Float64Array): void {
    if (t.length !== this.hierarchy.levels[0]!.points.length) throw new RangeError(`MGRIT: ${t.length} time points for a hierarchy of ${this.hierarchy.levels[0]!.points.length}`);
    if (this.sweeps.length > 0) throw new Error("MGRIT: already scheduled");
    this.t = t;
    const id = this.plan.input();
    this.values[id] = Future.resolved(y0);
    const c0 = this.planner.initialGuess(id);
    this.materialize(false);
    // labels as the serial oracle's: the sweep from iterate k's C-points belongs to V-cycle k + 1
    this.plan.iteration = 1;
    this.sweeps.push(this.planner.sweep(0, c0));
    this.materialize(false);
  }

  /** Lay out V-cycles until iterate `awaited + lookahead` (at most the last) exists as futures. */
  private extend(awaited: number): void {
    const upTo = Math.min(this.options.maxIterations, awaited + (this.options.lookahead ?? 2));
    for (let k = this.sweeps.length; k <= upTo; k++) {
      const c = this.planner.cycle(k, this.sweeps[k - 1]!);
      this.materialize(true); // the cycle's only fine propagations are FCF's second F-relaxation
      this.plan.iteration = k + 1;
      this.sweeps.push(this.planner.sweep(0, c));
      this.materialize(false);
    }
  }

  /** Iterate k as expressions, once all of it exists. */
  private async iterate(k: number): Promise<MgritIterate> {
    const sweep = this.sweeps[k]!;
    const [u, psi] = await Promise.all([this.executor.gather(sweep.u.map((id) => this.value(id))), this.executor.gather(sweep.psi.map((id) => this.value(id)))]);
    return { iteration: k, u, psi };
  }

  /** Take iterates in order until the test passes (or the last one), then cancel all work left. */
  async wait(test: MgritTest): Promise<MgritScheduledResult> {
    if (this.sweeps.length === 0) throw new Error("MGRIT: nothing scheduled");
    let result: MgritScheduledResult | undefined;
    try {
      for (let k = 0; k <= this.options.maxIterations; k++) {
        this.extend(k);
        const iterate = await this.iterate(k);
        const sweep = this.sweeps[k]!;
        const fineCriticalPath = Math.max(...sweep.u.map((id) => this.plan.fineDepth[id]!), ...sweep.psi.map((id) => this.plan.fineDepth[id]!));
        result = { converged: false, iterations: k, iterate, fineCriticalPath };
        if (await test(iterate)) {
          result = { ...result, converged: true };
          break;
        }
      }
    } finally {
      this.cancel();
    }
    return result!;
  }

  /** Cancel every job of this run that has not finished. */
  cancel(): number {
    return this.executor.cancel([...this.futures]);
  }
}
