/**
 * MGRIT on plain arrays: the serial oracle for a scheduled MGRIT, as `parareal()` is for
 * parareal. It lays out each iteration as plan steps (plan.ts, cycle.ts) and runs them in order.
 *
 * Iterate k on the finest grid: its C-point values after k V-cycles (iterate 0: the coarse
 * solver's serial sweep over level 1, as parareal's iteration 0), and its F-points by
 * F-relaxation from them. That sweep also gives, at every C-point i >= 1, ψ_i = Φ(u_{i-1}),
 * hence the residual
 *   r_i = Φ(u_{i-1}) - u_i      at the finest level's C-points
 * (XBraid's and PyMGRIT's residual: A(u) = g with g = 0 away from t_0; it is zero at F-points
 * after F-relaxation). XBraid measures it inside the next cycle, after that cycle's
 * relaxation; here it is the residual of the iterate returned, which for F-relaxation is the
 * same number. The sweep is also the first relaxation of the next cycle, so it costs nothing
 * extra: one sweep per iteration with F-relaxation, two with FCF, plus the first one.
 *
 * Stopping: the criteria (criteria.ts) on the residual, newer = ψ, older = u at the C-points,
 * relative to the size of u there (`measure: "residual"`, the default); or on the change of
 * the iterate at every finest point, as parareal's maxdif (`measure: "change"`).
 */
import type { Solution } from "../ode/problem.js";
import { checkCriteria, DEFAULT_CRITERIA, describe, measure, type Measurement, type StoppingCriteria } from "../parareal/criteria.js";
import { log } from "../log.js";
import { buildHierarchy, type Hierarchy } from "./hierarchy.js";
import { MgritPlanner, type Relaxation, type Sweep } from "./cycle.js";
import { Plan, SerialRunner } from "./plan.js";

export interface MgritOptions {
  /** levels L >= 2 (level 0 the given points) */
  readonly levels: number;
  /** m >= 2: level l+1 keeps every m-th point of level l (and the last) */
  readonly coarsening: number;
  /** default FCF */
  readonly relax?: Relaxation;
  /** V-cycles at most (default: the number of level-1 intervals, after which two-level F is exact) */
  readonly maxIterations?: number;
  /** default: max norm, tol 1e-4 */
  readonly criteria?: Partial<StoppingCriteria>;
  /** what the criteria test: the C-point residual (default) or the change of the iterate */
  readonly measure?: "residual" | "change";
  /**
   * another initial guess instead of the coarse sweep: a state per finest point (only the
   * C-points' are used; point 0 is y0 regardless)
   */
  readonly initial?: readonly Float64Array[];
}

/** One iterate on the finest grid and what it measured. */
export interface MgritIterate {
  readonly iteration: number;
  /** the state at every finest time point */
  readonly u: Float64Array[];
  /** the residual's norm at the C-points (in the criteria's norm) */
  readonly residual: number;
  /** the residual measured against the criteria (per C-point: which coarse intervals still move) */
  readonly residualMeasurement: Measurement;
  /** the change from the iterate before, measured against the criteria (absent for iterate 0) */
  readonly change?: Measurement;
}

export interface MgritResult {
  readonly converged: boolean;
  /** V-cycles done: the index of the last iterate */
  readonly iterations: number;
  /** iterates 0..iterations */
  readonly history: readonly MgritIterate[];
  /** the last iterate at every finest point */
  readonly final: Float64Array[];
  readonly hierarchy: Hierarchy;
  /** the plan that was run, with its step counts and dependency depths */
  readonly plan: Plan;
  /** fine propagations (finest-level intervals) run, reusing any of the same state over the same interval */
  readonly fineSolves: number;
  /** fine propagations without reuse (every one the algorithm names, as XBraid runs them) */
  readonly fineSolvesWithoutReuse: number;
  /** coarse propagations run (every coarser level), with reuse */
  readonly coarseSolves: number;
  /** the longest chain of dependent fine propagations (the parallel time in fine solves) */
  readonly fineCriticalPath: number;
}

/**
 * Solve y' = f from y0 over the time points t by MGRIT: `fine` is Φ over each interval of t,
 * `coarse` Φ over each interval of every coarser level.
 */
export function mgrit(fine: Solution, coarse: Solution, y0: Float64Array, t: ArrayLike<number>, options: MgritOptions): MgritResult {
  const hierarchy = buildHierarchy(t, options.levels, options.coarsening);
  const criteria = checkCriteria({ ...DEFAULT_CRITERIA, ...options.criteria });
  const what = options.measure ?? "residual";
  const maxIterations = options.maxIterations ?? hierarchy.levels[1]!.points.length - 1;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError(`maxIterations must be a whole number >= 0, got ${maxIterations}`);

  const plan = new Plan();
  const planner = new MgritPlanner(hierarchy, options.relax ?? "FCF", plan);
  const runner = new SerialRunner(plan, t, (level) => (level === 0 ? fine : coarse));
  const y0id = plan.input();
  runner.set(y0id, Float64Array.from(y0));
  const cpoints = hierarchy.levels[0]!.cpoints;

  const history: MgritIterate[] = [];
  const c0 = options.initial === undefined ? planner.initialGuess(y0id) : givenGuess(plan, runner, y0id, options.initial, hierarchy, t.length);
  // the sweep from iteration k's C-points completes iterate k and starts V-cycle k + 1
  plan.iteration = 1;
  let sweep: Sweep = planner.sweep(0, c0);
  let converged = false;
  for (let k = 0; ; k++) {
    runner.run();
    const u = sweep.u.map((id) => runner.get(id));
    const atC = Array.from(cpoints, (p) => u[p]!);
    const psi = sweep.psi.map((id) => runner.get(id));
    const residualMeasurement = measure(criteria, psi, atC, atC);
    const previous = history[k - 1];
    const change = previous === undefined ? undefined : measure(criteria, u, previous.u);
    history.push({ iteration: k, u, residual: residualMeasurement.absolute, residualMeasurement, ...(change === undefined ? {} : { change }) });
    log.info(`MGRIT iteration ${k}: ${describe(criteria, residualMeasurement, "residual", cpoints.length - 1)}`);
    if (change !== undefined) log.info(`MGRIT iteration ${k}: ${describe(criteria, change)}`);
    const decisive = what === "residual" ? residualMeasurement : change;
    if (decisive?.converged) {
      converged = true;
      log.info(`MGRIT converged after ${k} iterations (${decisive.by})`);
      break;
    }
    if (k === maxIterations) break;
    const c = planner.cycle(k + 1, sweep);
    plan.iteration = k + 2;
    sweep = planner.sweep(0, c);
  }
  const last = history[history.length - 1]!;
  return {
    converged,
    iterations: last.iteration,
    history,
    final: last.u,
    hierarchy,
    plan,
    fineSolves: plan.emitted[0] ?? 0,
    fineSolvesWithoutReuse: plan.requested[0] ?? 0,
    coarseSolves: plan.emitted.slice(1).reduce((a, b) => a + (b ?? 0), 0),
    fineCriticalPath: plan.fineDepth.reduce((a, b) => Math.max(a, b), 0),
  };
}

function givenGuess(plan: Plan, runner: SerialRunner, y0: number, initial: readonly Float64Array[], h: Hierarchy, points: number): number[] {
  if (initial.length !== points) throw new RangeError(`the initial guess has ${initial.length} states for ${points} time points`);
  return Array.from(h.levels[1]!.points, (p) => {
    if (p === 0) return y0;
    const id = plan.input();
    runner.set(id, Float64Array.from(initial[p]!));
    return id;
  });
}
