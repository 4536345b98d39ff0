/**
 * The Python original's HDF5/Dask tutorial in TypeScript: the damped harmonic oscillator, a
 * serial fine reference archived in output/euler, then parareal on a worker-thread pool with
 * fine results archived in output/parareal and convergence checked as iterates arrive.
 *
 *   node dist/examples/tutorial.js [output-dir]
 */
import { join } from "node:path";
import {
  History,
  literal,
  linspace,
  Parareal,
  reduceAsync,
  tabulateJobs,
  threadsExecutor,
  coarseSpec,
  fineSpec,
  underdampedSolution,
  type Vector,
} from "../src/index.js";

const OMEGA0 = 1.0;
const ZETA = 0.5;
const H = 0.01;
const output = process.argv[2] ?? "./output";

const system = { name: "harmonic", params: { omega0: OMEGA0, zeta: ZETA } };
const y0 = literal([1.0, 0.0]);
const t = linspace(0.0, 15.0, 20);
const client = threadsExecutor();

try {
  // For reference, the full integrator using just the fine solution.
  const euler = tabulateJobs(client, fineSpec(system, 0, { h: H, archive: join(output, "euler") }), y0, t);
  const reference = await Promise.all((await client.gather(euler)).map(reduceAsync));

  // Running parareal.
  const archive = join(output, "parareal");
  const p = new Parareal(
    client,
    (n) => coarseSpec(system, n),
    (n) => fineSpec(system, n, { h: H, archive }),
  );
  const jobs = p.schedule(y0, t);
  const history = new History(1e-4);
  const result = await p.wait(jobs, async (y: Vector[]) => history.convergenceTest(await Promise.all(y.map(reduceAsync))));

  const exact = underdampedSolution(OMEGA0, ZETA);
  const final = history.iterates.at(-1)!;
  console.log(`converged: ${result.converged} after ${result.iterations} iterations`);
  console.log(`maxdif: ${history.maxdif.map((d) => d.toFixed(6)).join(" ")}`);
  console.log("     t        parareal q    fine q        exact q");
  t.forEach((ti, i) => {
    const row = [ti.toFixed(3), final[i]![0]!.toFixed(6), reference[i]![0]!.toFixed(6), exact(ti)[0].toFixed(6)];
    console.log(row.map((s) => s.padStart(12)).join("  "));
  });
} finally {
  await client.close();
}
