/**
 * Parareal over futures. `schedule` lays out every iteration as a dataflow graph at once;
 * each job starts when its input exists, so iteration k+1 overlaps iteration k.
 *
 *   y^0_i = C(y^0_{i-1})
 *   y^k_i = C(y^k_{i-1}) + F(y^{k-1}_{i-1}) - C(y^{k-1}_{i-1})        (i >= k)
 *   y^k_i = y^{k-1}_i                                                  (i <  k: already exact)
 *
 * C of a given state is computed once: C(y^{k-1}_{i-1}) of iteration k is the c1 of
 * iteration k-1, so it is reused rather than recomputed.
 *
 * Iterations are laid out `lookahead` ahead of the one being checked, not all N at once: N
 * slices would otherwise mean N^2/2 futures (500,000 for 1,000 slices) before the first result.
 */
import { combine, type Vector } from "../expr/vector.js";
import { Future } from "../exec/future.js";
import type { SolverExecutor } from "../jobs/solver-job.js";
import type { SolverSpec } from "../solvers/spec.js";

/** Slice-iterations to lay out ahead at most, unless `lookahead` says otherwise. */
const LAID_OUT = 20_000;

export type SolverFactory = (iteration: number) => SolverSpec;

export interface PararealOptions {
  /** iterations to schedule after iteration 0 (default: the number of slices) */
  readonly maxIterations?: number | undefined;
  /** iterations laid out beyond the one awaited (default 4, down to 1 for 20,000 slices): they overlap, with no barrier */
  readonly lookahead?: number;
}

export interface PararealResult {
  readonly converged: boolean;
  /** corrections made: the index of the last iterate taken */
  readonly iterations: number;
  /** the last iterate taken, one expression per time point */
  readonly iterate: Vector[];
}

export type ConvergenceTest = (y: Vector[]) => boolean | Promise<boolean>;

export class Parareal {
  /** every unsettled future of this run, so convergence cancels exactly its own work */
  private readonly futures = new Set<Future<Vector>>();
  // weak: the coarse result of a state is needed only while that state's future is
  private readonly coarseOf = new WeakMap<Future<Vector>, Future<Vector>>();

  constructor(
    readonly executor: SolverExecutor,
    readonly coarse: SolverFactory,
    readonly fine: SolverFactory,
    readonly options: PararealOptions = {},
  ) {}

  private track(f: Future<Vector>): Future<Vector> {
    this.futures.add(f);
    // settled futures leave the set: a long run holds only the work still in flight
    void f.promise.then(
      () => this.futures.delete(f),
      () => this.futures.delete(f),
    );
    return f;
  }

  /** C over slice i of the state y (at t[i-1]), computed once per distinct state. */
  private C(iteration: number, y: Future<Vector>, t: Float64Array, i: number): Future<Vector> {
    let c = this.coarseOf.get(y);
    if (!c) {
      c = this.track(this.executor.submit({ solver: this.coarse(iteration), t0: t[i - 1]!, t1: t[i]!, slice: i }, y));
      this.coarseOf.set(y, c);
    }
    return c;
  }

  private F(iteration: number, y: Future<Vector>, t: Float64Array, i: number): Future<Vector> {
    return this.track(this.executor.submit({ solver: this.fine(iteration), t0: t[i - 1]!, t1: t[i]!, slice: i }, y));
  }

  /** One correction: iterate k from iterate k-1. */
  step(k: number, prev: Future<Vector>[], t: Float64Array): Future<Vector>[] {
    const next: Future<Vector>[] = [prev[0]!];
    for (let i = 1; i < t.length; i++) {
      if (i < k) {
        next.push(prev[i]!);
        continue;
      }
      const c1 = this.C(k, next[i - 1]!, t, i);
      const f1 = this.F(k, prev[i - 1]!, t, i);
      const c2 = this.C(k, prev[i - 1]!, t, i);
      next.push(this.track(Future.all([c1, f1, c2]).map(([a, b, c]) => combine(a!, b!, c!))));
    }
    return next;
  }

  private t: Float64Array = new Float64Array(0);

  /** the last iteration to schedule */
  get lastIteration(): number {
    return this.options.maxIterations ?? this.t.length - 1;
  }

  /** Iteration 0 (serial coarse) and the first iterations after it, as futures; `wait` lays out the rest. */
  schedule(y0: Vector, t: Float64Array): Future<Vector>[][] {
    if (t.length < 2) throw new RangeError("parareal needs at least two time points");
    this.t = t;
    const first: Future<Vector>[] = [Future.resolved(y0)];
    for (let i = 1; i < t.length; i++) first.push(this.C(0, first[i - 1]!, t, i));
    const jobs = [first];
    this.extend(jobs, 0);
    return jobs;
  }

  /**
   * Iterations laid out beyond the one awaited: 4, fewer when there are many slices. Each
   * slice-iteration laid out holds its futures and jobs in memory (kilobytes), and with thousands
   * of slices one iteration alone keeps every worker busy.
   */
  private get lookahead(): number {
    return this.options.lookahead ?? Math.max(1, Math.min(4, Math.floor(LAID_OUT / Math.max(1, this.t.length - 1))));
  }

  /** Lay out iterations up to `awaited + lookahead` (at most the last). */
  private extend(jobs: Future<Vector>[][], awaited: number): void {
    const upTo = Math.min(this.lastIteration, awaited + this.lookahead);
    for (let k = jobs.length; k <= upTo; k++) jobs.push(this.step(k, jobs[k - 1]!, this.t));
  }

  /** Take iterates in order until the test passes, then cancel all work left. */
  async wait(jobs: Future<Vector>[][], convergenceTest: ConvergenceTest): Promise<PararealResult> {
    let result: PararealResult | undefined;
    try {
      for (let k = 0; k < jobs.length; k++) {
        this.extend(jobs, k);
        const y = await this.executor.gather(jobs[k] ?? []);
        // iteration k-1 fed iterations up to k + lookahead, all laid out: let it go
        if (k >= 1) jobs[k - 1] = [];
        result = { converged: false, iterations: k, iterate: y };
        if (await convergenceTest(y)) {
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

/** The original's tabulate over futures: a serial chain of solver jobs (the fine reference). */
export function tabulateJobs(executor: SolverExecutor, solver: SolverSpec, y0: Vector, t: Float64Array): Future<Vector>[] {
  const y: Future<Vector>[] = [Future.resolved(y0)];
  for (let i = 1; i < t.length; i++) y.push(executor.submit({ solver, t0: t[i - 1]!, t1: t[i]!, slice: i }, y[i - 1]!));
  return y;
}
