/**
 * Iterations and fine solves to converge: parareal, MGRIT-F and MGRIT-FCF on 2 and 3 levels, on
 * the serial oracles. n = 1,024 fine time steps over the problem's time span, the fine
 * propagator one step of its fine method per step, every coarse level's propagator one step of
 * its coarse method per coarse interval (level l+1 keeps every m-th point). Parareal runs on
 * level 1's points (slices of m fine steps): the same coarse grid as MGRIT's level 1.
 * All stop on the same criterion, the change of the iterate in the max norm (parareal's maxdif:
 * at its slice points; MGRIT: at every fine point) below tol; the residual column is XBraid's
 * C-point residual of the result, which is per step and so much smaller than the error it
 * leaves (PARAREAL_BENCH_MEASURE=residual stops MGRIT on it instead, as XBraid; tol from
 * PARAREAL_BENCH_TOL, default 1e-8). Counts are in fine steps (finest intervals): "scheduled" as the
 * scheduler would run them (parareal: slices k..N in iteration k; MGRIT: every propagation of
 * a state over an interval once, which skips the same exact slices), "all" without any reuse
 * (as XBraid); the critical path is the longest chain of dependent fine steps (parallel time).
 */
import { mgrit } from "../../src/mgrit/serial.js";
import { problemSolutions } from "../../src/mgrit/problem-solutions.js";
import { buildHierarchy } from "../../src/mgrit/hierarchy.js";
import type { Solution } from "../../src/ode/problem.js";
import { linspace } from "../../src/ode/linspace.js";
import { tabulate } from "../../src/ode/tabulate.js";
import { differenceNorm } from "../../src/parareal/criteria.js";
import { runPararealOracle, scheduledFineJobs } from "../../src/parareal/windows.js";
import { maxAbsDiff } from "../../src/parareal/serial.js";
import type { Table } from "../table.js";

/** The fine step applied over the finest points from..to: one fine job over a parareal slice. */
function fineOver(step: Solution, t: Float64Array, from: number, to: number): (y: Float64Array) => Float64Array {
  return (y) => {
    let x = y;
    for (let i = from; i < to; i++) x = step(x, t[i]!, t[i + 1]!);
    return x;
  };
}

export async function run(): Promise<Table[]> {
  const n = 1024;
  const tol = Number(process.env.PARAREAL_BENCH_TOL ?? 1e-8);
  const measure = process.env.PARAREAL_BENCH_MEASURE === "residual" ? "residual" : "change";
  const header = ["problem", "method", "m", "iterations", "fine (scheduled)", "fine (all)", "critical path", "residual", "max |y - serial fine|"];
  const cells: string[][] = [];
  for (const name of ["harmonic", "vanderpol", "heat1d"]) {
    const p = problemSolutions(name);
    const t = linspace(0, p.tEnd, n + 1);
    const serial = tabulate(p.fineStep, p.y0, t);
    const residual = (y: Float64Array[], points: ArrayLike<number>) => {
      const propagated = y.map((_, j) => (j === 0 ? y[0]! : fineOver(p.fineStep, t, points[j - 1]!, points[j]!)(y[j - 1]!)));
      return differenceNorm("max", propagated, y, 1);
    };
    for (const m of [2, 4]) {
      const level1 = buildHierarchy(t, 2, m).levels[1]!;
      const slices = level1.points.length - 1;
      const index = new Map(Array.from(level1.t, (x, j) => [x, level1.points[j]!]));
      const fine: Solution = (y, t0, t1) => fineOver(p.fineStep, t, index.get(t0)!, index.get(t1)!)(y);
      const pr = runPararealOracle(p.coarse, fine, p.y0, level1.t, { criteria: { tol } });
      const onLevel1 = Array.from(level1.points, (i) => serial[i]!);
      cells.push([name, "parareal", String(m), `${pr.iterations}${pr.converged ? "" : " (not converged)"}`, String(m * scheduledFineJobs(slices, pr.iterations)), String(m * slices * pr.iterations), String(m * pr.iterations), residual(pr.final, level1.points).toExponential(2), maxAbsDiff(pr.final, onLevel1).toExponential(2)]);
      for (const levels of [2, 3]) {
        for (const relax of ["F", "FCF"] as const) {
          const r = mgrit(p.fineStep, p.coarse, p.y0, t, { levels, coarsening: m, relax, measure, criteria: { tol } });
          cells.push([name, `MGRIT-${relax}, ${levels} levels`, String(m), `${r.iterations}${r.converged ? "" : " (not converged)"}`, String(r.fineSolves), String(r.fineSolvesWithoutReuse), String(r.fineCriticalPath), r.history.at(-1)!.residual.toExponential(2), maxAbsDiff(r.final, serial).toExponential(2)]);
        }
      }
    }
  }
  const until = measure === "change" ? "max |y^k - y^(k-1)|" : "max |y^k - y^(k-1)| (parareal), max C-point residual (MGRIT)";
  return [{ title: `Parareal and MGRIT until ${until} < ${tol}, n = ${n} fine steps (serial: ${n} fine steps on the critical path)`, header, cells }];
}
