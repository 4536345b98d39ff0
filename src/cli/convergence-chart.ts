/**
 * Convergence per iteration of one or more runs, as a Vega-Lite layer: parareal's change of the
 * iterate (maxdif) and MGRIT's residual at the C-points, on a log scale, with the tolerance.
 */

/** One run's history: `maxdif` for iterations 1..K; for MGRIT also `residual` for iterates 0..K. */
export interface ConvergenceHistory {
  readonly label: string;
  readonly maxdif: readonly number[];
  readonly residual?: readonly number[];
}

export interface ConvergencePoint {
  readonly k: number;
  readonly value: number;
  readonly series: string;
}

/**
 * The points to draw: per run its residual when it has one (what MGRIT stops on), else its
 * maxdif; `both` adds MGRIT's change of the iterate as a series of its own. Zeros and non-finite
 * values cannot sit on a log scale and are left out.
 */
export function convergencePoints(runs: readonly ConvergenceHistory[], both = false): ConvergencePoint[] {
  const out: ConvergencePoint[] = [];
  const add = (series: string, values: readonly number[], first: number) =>
    values.forEach((value, i) => {
      if (Number.isFinite(value) && value > 0) out.push({ k: first + i, value, series });
    });
  for (const r of runs) {
    if (r.residual) {
      add(runs.length === 1 ? "residual at the C-points" : `${r.label}: residual`, r.residual, 0);
      if (both) add(runs.length === 1 ? "change of the iterate" : `${r.label}: change`, r.maxdif, 1);
    } else add(runs.length === 1 ? "change of the iterate (maxdif)" : `${r.label}: maxdif`, r.maxdif, 1);
  }
  return out;
}

/** A layered chart of the points, with the tolerance as a dashed rule. */
export function convergenceLayers(points: readonly ConvergencePoint[], tol: number | undefined, measure: string): Record<string, unknown>[] {
  return [
    {
      data: { values: points },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "k", type: "quantitative", title: "iteration k", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", title: measure, scale: { type: "log" } },
        color: { field: "series", type: "nominal", title: null },
      },
    },
    ...(tol === undefined || !(tol > 0)
      ? []
      : [
          {
            data: { values: [{ tol, series: `tolerance ${tol}` }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "#d62728" },
            encoding: { y: { field: "tol", type: "quantitative" }, strokeDash: { field: "series", type: "nominal", title: null } },
          },
        ]),
  ];
}
