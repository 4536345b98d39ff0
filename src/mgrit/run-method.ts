/**
 * MGRIT as the driver runs it (`--method mgrit`): the scheduler over the run's executor, the
 * stopping criteria on XBraid's residual, and what it reports. Also the choice of method for a
 * configuration, here because this folder may import src/parareal and not the other way round.
 *
 * Each iterate k is measured twice, and both are logged:
 *   the residual  r_j = Φ(u_{j-1}) - u_j at the finest C-points j, relative to the size of u
 *                 there: what the criteria stop on, as XBraid's || r ||; it is logged as XBraid
 *                 does (`|| r_k || = ..., conv factor = ...`), with the C-points still moving;
 *   the change    u^k - u^(k-1) at every finest point, parareal's maxdif, reported as `maxdif`
 *                 so that parareal and MGRIT runs compare.
 */
import { join } from "node:path";
import type { RunConfig } from "../config/run-config.js";
import { reduceAsync } from "../evaluate/reduce.js";
import { log } from "../log.js";
import { describe, measure, type Measurement, type StoppingCriteria } from "../parareal/criteria.js";
import { pararealSegment, values, type SegmentMethod } from "../parareal/method.js";
import { recordOf, type MeasurementRecord } from "../parareal/stopping.js";
import { buildHierarchy, type Hierarchy } from "./hierarchy.js";
import { MgritScheduler, type MgritIterate } from "./scheduler.js";

/** Under the fine files' directory: FCF's second F-relaxation of each V-cycle. */
export const RELAX_DIR = "relax";

/** The residual and the change of each iterate as they come in. */
export class ResidualStopping {
  readonly residual: number[] = [];
  /** the residual's measurements, iterates 0..k: what decides */
  readonly records: MeasurementRecord[] = [];
  /** the change of the iterate, iterates 1..k */
  readonly maxdif: number[] = [];
  private last: Float64Array[] | undefined;

  constructor(
    readonly criteria: StoppingCriteria,
    readonly hierarchy: Hierarchy,
  ) {}

  async test(it: MgritIterate): Promise<boolean> {
    const [u, psi] = await Promise.all([Promise.all(it.u.map(reduceAsync)), Promise.all(it.psi.map(reduceAsync))]);
    return this.check(it.iteration, u, psi);
  }

  check(k: number, u: Float64Array[], psi: Float64Array[]): boolean {
    const cpoints = this.hierarchy.levels[0]!.cpoints;
    const atC = Array.from(cpoints, (p) => u[p]!);
    const r: Measurement = measure(this.criteria, psi, atC, atC);
    const previous = this.residual.at(-1);
    this.residual.push(r.absolute);
    this.records.push(recordOf(k, r));
    const factor = previous === undefined ? "" : `, conv factor = ${(r.absolute / previous).toExponential(2)}`;
    log.info(`MGRIT: || r_${k} || = ${r.absolute.toExponential(6)}${factor}`);
    log.info(`iteration ${k}: ${describe(this.criteria, r, "residual", cpoints.length - 1)}`);
    if (this.last !== undefined) {
      const change = measure(this.criteria, u, this.last);
      this.maxdif.push(change.absolute);
      log.info(`iteration ${k}: ${describe(this.criteria, change)}`);
    }
    this.last = u;
    if (r.converged) log.info(`Converged after ${k} iterations (${r.by})`);
    return r.converged;
  }
}

/** MGRIT over the segment with the configuration's levels, coarsening and relaxation. */
export const mgritSegment: SegmentMethod = async (config, executor, segment, hooks) => {
  const settings = config.mgrit;
  if (settings === undefined) throw new Error("MGRIT run without MGRIT settings");
  const hierarchy = buildHierarchy(segment.t, settings.levels, settings.coarsening);
  const scheduler = new MgritScheduler(
    executor,
    { coarse: (k) => config.coarse(k), fine: (k, relax) => config.fine(k, relax ? join(segment.archive, RELAX_DIR) : segment.archive) },
    hierarchy,
    settings.relax,
    { maxIterations: segment.maxIterations },
  );
  const stopping = new ResidualStopping(config.criteria, hierarchy);
  scheduler.schedule(segment.y0, segment.t);
  const result = await scheduler.wait(async (it) => {
    const done = await stopping.test(it);
    hooks.onIterate?.(it.iteration, stopping.residual.at(-1));
    return done;
  });
  const coarseIntervals = hierarchy.levels[1]!.points.length - 1;
  return {
    converged: result.converged,
    iterations: result.iterations,
    maxdif: stopping.maxdif,
    measurements: stopping.records,
    residual: stopping.residual,
    final: await values(result.iterate.u),
    fineCriticalPath: result.fineCriticalPath,
    // two levels: F-relaxation makes one more coarse interval exact per V-cycle, FCF two
    exact: settings.levels === 2 && result.iterations * (settings.relax === "FCF" ? 2 : 1) >= coarseIntervals,
  };
};

/** The method a configuration asks for. */
export function segmentMethod(config: RunConfig): SegmentMethod {
  return config.method === "mgrit" ? mgritSegment : pararealSegment;
}
