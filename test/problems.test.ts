import { test } from "node:test";
import assert from "node:assert/strict";
import { ThreadsExecutor } from "../src/exec/threads.js";
import { linspace } from "../src/ode/linspace.js";
import { heatGrid } from "../src/ode/problems.js";
import { runParareal } from "../src/parareal/driver.js";
import { problems } from "../src/solvers/problems.js";
import { tempDir } from "./helpers.js";

test("every built-in problem converges to its serial fine solution with its defaults", async (t) => {
  const executor = new ThreadsExecutor(2);
  try {
    for (const [name, entry] of Object.entries(problems)) {
      const dir = tempDir(t);
      const problem = { name, params: {} };
      const report = await runParareal({
        problem,
        y0: entry.y0(entry.defaults),
        t: linspace(0, entry.tEnd, entry.points),
        h: entry.fine.h,
        fineMethod: entry.fine.method,
        coarseMethod: entry.coarse.method,
        tol: 1e-4,
        output: dir,
        saveEvery: 1,
        reference: true,
        executor,
      });
      assert.ok(report.converged, `${name}: converged (${report.iterations} iterations)`);
      assert.ok(report.iterations < entry.points - 1, `${name}: in fewer iterations than slices (${report.iterations})`);
      const scale = Math.max(1, ...report.reference!.flat().map(Math.abs));
      let err = 0;
      report.final.forEach((y, i) => y.forEach((x, j) => (err = Math.max(err, Math.abs(x - report.reference![i]![j]!)))));
      assert.ok(err < 1e-3 * scale, `${name}: parareal differs from the serial fine solution by ${err}`);
      if (name === "heat1d") {
        // and the fine solution is near the exact one, exp(-pi^2 t) sin(pi x)
        const x = heatGrid(31, 1);
        const u = report.reference!.at(-1)!;
        const exact = Array.from(x, (xi) => Math.exp(-Math.PI * Math.PI * entry.tEnd) * Math.sin(Math.PI * xi));
        assert.ok(Math.max(...u.map((v, i) => Math.abs(v - exact[i]!))) < 5e-3);
      }
    }
  } finally {
    await executor.close();
  }
});
