/**
 * Every built-in problem with every integrator through the generic path (method.into calling
 * problem.rhs), per step (dopri5: per accepted step); the generated kernels are in `kernel`.
 * The oscillator's RK4 is held to 1.5x the same step in C (cc -O2) when cc exists.
 */
import { problems } from "../../src/models/builtin.js";
import { backwardEuler } from "../../src/ode/backward-euler.js";
import { dopri5 } from "../../src/ode/dopri5.js";
import { forwardEuler } from "../../src/ode/forward-euler.js";
import { iterateSolution } from "../../src/ode/iterate.js";
import { rk4 } from "../../src/ode/rk4.js";
import { cNsPerStep } from "../kernel.js";
import { median } from "../stats.js";
import { rowsTable, type Row, type Table } from "../table.js";

export async function run(): Promise<Table[]> {
  const rows: Row[] = [];
  const c = cNsPerStep("harmonic", "rk4");
  for (const [name, entry] of Object.entries(problems)) {
    const problem = entry.build(entry.defaults);
    const y0 = Float64Array.from(entry.y0(entry.defaults));
    for (const method of ["euler", "rk4", "backward-euler", "dopri5"] as const) {
      const steps = method === "backward-euler" ? (problem.dim > 8 ? 2_000 : 50_000) : 500_000;
      const h = entry.tEnd / steps;
      const time = (): number => {
        const start = performance.now();
        if (method === "dopri5") {
          const solver = dopri5(problem, { rtol: 1e-8, atol: 1e-10 });
          solver(y0, 0, entry.tEnd);
          return ((performance.now() - start) * 1e6) / Math.max(1, solver.stats.accepted);
        }
        const m = method === "euler" ? forwardEuler(problem) : method === "rk4" ? rk4(problem) : backwardEuler(problem);
        iterateSolution(m, h)(y0, 0, entry.tEnd);
        return ((performance.now() - start) * 1e6) / steps;
      };
      time();
      const ns = median([time(), time(), time()]);
      const againstC = name === "harmonic" && method === "rk4" && c !== undefined;
      rows.push({
        what: `${name} (${problem.dim}), ${method}: per step, generic path (median of 3)`,
        value: ns,
        unit: "ns",
        ...(againstC ? { target: Math.round(150 * c) / 100 } : {}),
        note: againstC ? `C -O2 RK4 here: ${c.toFixed(2)} ns, ratio ${(ns / c).toFixed(2)}` : `dim ${problem.dim}`,
      });
    }
  }
  return [rowsTable("Integrators per step, generic path (every built-in problem)", rows)];
}
