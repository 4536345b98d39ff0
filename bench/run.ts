/**
 * `npm run bench` (= npm run build && node dist/bench/run.js): the speed and memory targets of
 * issues 15 and 12 as tables. Each row: what was measured, the value, the target, met or MISSED,
 * and a note; the load average is printed before and after every section (the machine is shared:
 * rows give medians, and minimums beside them, of several repeats).
 *
 *   node dist/bench/run.js                  every section, in the order below (well under 15 minutes)
 *   node dist/bench/run.js workers kernel   only those sections (or PARAREAL_BENCH=workers,kernel)
 *   node dist/bench/run.js --list           the sections, what each measures and roughly how long it takes
 *
 * Sections (bench/sections/, one file each):
 *   demo         issue 15.1  the original's example (bench/original, Python + Dask, when installed) vs `parareal run`
 *   startup      issue 15.2  CPU per worker thread to start and load its job module
 *   hdf5         issue 15.3  an HDF5 fine file: encode + atomic write, against h5wasm
 *   workers      issue 15.4  the sleeping problem on 1, 2, 4, 8, 16 workers (bench/sleepy-runs.ts)
 *   projection   issue 12    `parareal project` against measured runs of the sleeping problem (same runs)
 *   kernel       issue 15.5  generated fine kernels against C (bench/kernel.ts), every explicit method
 *   overhead     issue 15.6  threads executor per-job overhead; a coarse job in the driver vs a thread round trip
 *   help         issue 15.7  `parareal --help`, `run --help`, `combine --help` against bare Node
 *   load                     peak RSS of 1,000-slice runs on threads
 *   redis                    per-job overhead through Redis, heavy run on 1 and 2 workers, 1,000-slice peak RSS
 *   integrators              every built-in problem with every integrator, per step, generic path
 *   mgrit                    iterations and fine solves, parareal against MGRIT
 *   dashboard    issue 12    the 1,000-slice run with and without --dashboard and a chromium viewer
 *   viewer                   a viewer's CPU on a replayed synthetic run (bench/dashboard-replay.ts)
 *
 * registry.ts lists the sections and chooses among them. Shared pieces: table.ts (rows, verdicts, printing), stats.ts (median, minimum), process.ts (a
 * whole command timed with peak RSS and CPU by /usr/bin/time), parareal-cli.ts (a `parareal run`
 * into a fresh directory, with its run.json), scratch.ts (temporary directories), tiny-jobs.ts
 * (per-job cost of an executor), redis-workers.ts (a private Redis and `parareal worker`
 * processes), chromium.ts (Debian's chromium through puppeteer-core), thousand-slices.ts.
 * Numbers are never asserted in tests, and CI does not run the bench.
 */
import { availableParallelism } from "node:os";
import { formatTable, loadAverage } from "./table.js";
import { chooseSections, listSections } from "./registry.js";
import { killOwnChildren } from "./children.js";
import type { Section } from "./section.js";

/** a section that takes longer has hung (its processes are killed when the bench exits) */
const SECTION_TIMEOUT_S = Number(process.env.PARAREAL_BENCH_TIMEOUT ?? 600);

function withTimeout<T>(work: Promise<T>, seconds: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--list")) {
    console.log(listSections());
    return 0;
  }
  let chosen: Section[];
  try {
    chosen = chooseSections(argv, process.env.PARAREAL_BENCH);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  const cores = availableParallelism();
  const start = performance.now();
  console.log(`# parareal bench: ${chosen.map((s) => s.name).join(", ")} (Node ${process.version}, ${new Date().toISOString()})`);
  let failed = 0;
  for (const section of chosen) {
    const began = performance.now();
    console.log(`\n# ${section.name}: ${section.about}\n${loadAverage(cores)}\n`);
    try {
      for (const table of await withTimeout(section.run(), SECTION_TIMEOUT_S, section.name)) console.log(`${formatTable(table)}\n`);
    } catch (e) {
      failed++;
      console.log(`section ${section.name} FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    console.log(`${loadAverage(cores)}; ${section.name} took ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  console.log(`\n# bench done in ${((performance.now() - start) / 1000).toFixed(0)} s${failed > 0 ? `; ${failed} section(s) FAILED` : ""}`);
  return failed > 0 ? 1 : 0;
}

process.on("exit", killOwnChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
const code = await main(process.argv.slice(2));
// exit once stdout is written out: a pool, a socket or a process a section left must not keep the bench alive
process.stdout.write("", () => process.exit(code));
