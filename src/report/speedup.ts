/**
 * Did parareal pay off? Speedup and efficiency against the serial fine solve, where the work went,
 * and what the classical analysis allows for the measured iterations K, slices N and costs c_f
 * (one fine job) and c_c (one coarse job):
 *
 *   no pipelining  S = N / ((K + 1) N c_c / c_f + K)      (at most N / K, and c_f / ((K + 1) c_c))
 *   pipelined      S = N / (N c_c / c_f + K (1 + c_c / c_f))
 *
 * (each iteration's coarse sweep waits for the last, or starts as soon as its input exists).
 */
export interface Costs {
  /** fine jobs computed in the parareal phase, and their compute seconds */
  readonly fine: { readonly count: number; readonly seconds: number };
  readonly coarse: { readonly count: number; readonly seconds: number };
}

export interface SpeedupReport {
  /** the serial fine solve's time: the reference's, or estimated as N c_f */
  readonly serialSeconds: number;
  readonly serialEstimated: boolean;
  readonly speedup: number;
  readonly efficiency: number;
  /** compute seconds in the parareal phase */
  readonly fineSeconds: number;
  readonly coarseSeconds: number;
  /** share of the workers' time not spent computing fine jobs */
  readonly idleShare: number;
  /** mean compute seconds of one fine and one coarse job */
  readonly fineCost: number;
  readonly coarseCost: number;
  readonly bound: {
    readonly classical: number;
    readonly pipelined: number;
    /** N / K */
    readonly slicesOverIterations: number;
    /** c_f / ((K + 1) c_c) */
    readonly costRatio: number;
  };
  /** said when iterations come close to slices: speedup cannot then exceed about N / K */
  readonly warning?: string;
}

export interface SpeedupInput {
  readonly slices: number;
  readonly iterations: number;
  readonly workers: number;
  /** parareal's wall time (the phase alone, start-up not counted) */
  readonly wallSeconds: number;
  /** the serial fine reference's wall time, when it ran */
  readonly referenceSeconds?: number | undefined;
  readonly costs: Costs;
}

export function speedupReport(r: SpeedupInput): SpeedupReport {
  const N = r.slices;
  const K = Math.max(r.iterations, 1);
  const fineCost = r.costs.fine.count > 0 ? r.costs.fine.seconds / r.costs.fine.count : 0;
  const coarseCost = r.costs.coarse.count > 0 ? r.costs.coarse.seconds / r.costs.coarse.count : 0;
  const serialEstimated = r.referenceSeconds === undefined;
  const serialSeconds = r.referenceSeconds ?? N * fineCost;
  const speedup = r.wallSeconds > 0 ? serialSeconds / r.wallSeconds : 0;
  const ratio = fineCost > 0 ? coarseCost / fineCost : 0;
  const classical = N / ((K + 1) * N * ratio + K);
  const pipelined = N / (N * ratio + K * (1 + ratio));
  const idleShare = r.workers > 0 && r.wallSeconds > 0 ? Math.min(1, Math.max(0, 1 - r.costs.fine.seconds / (r.workers * r.wallSeconds))) : 0;
  const report: SpeedupReport = {
    serialSeconds,
    serialEstimated,
    speedup,
    efficiency: r.workers > 0 ? speedup / r.workers : 0,
    fineSeconds: r.costs.fine.seconds,
    coarseSeconds: r.costs.coarse.seconds,
    idleShare,
    fineCost,
    coarseCost,
    bound: { classical, pipelined, slicesOverIterations: N / K, costRatio: coarseCost > 0 ? fineCost / ((K + 1) * coarseCost) : Number.POSITIVE_INFINITY },
  };
  if (r.iterations > 0 && N / r.iterations < 2) {
    return { ...report, warning: `parareal needed ${r.iterations} iterations for ${N} slices: its speedup cannot exceed about N/K = ${(N / r.iterations).toFixed(2)} (more slices per iteration, or a better coarse solver, would help)` };
  }
  return report;
}
