/**
 * The bench's sections, in the order `npm run bench` runs them, and choosing among them by name.
 * A section's module is imported only when it runs: `--list` and a single section stay light.
 */
import type { Section } from "./section.js";
import type { Table } from "./table.js";

function section(name: string, about: string, seconds: number, module: () => Promise<{ run(): Promise<Table[]> }>): Section {
  return { name, about, seconds, run: async () => (await module()).run() };
}

export const SECTIONS: readonly Section[] = [
  section("demo", "the original's example (Python + Dask when available) against `parareal run`, whole process", 90, () => import("./sections/demo.js")),
  section("startup", "CPU a worker thread costs to start and load its job module", 10, () => import("./sections/startup.js")),
  section("hdf5", "writing an HDF5 fine file: ours against h5wasm, encode and atomic write", 5, () => import("./sections/hdf5.js")),
  section("workers", "the sleeping problem on 1, 2, 4, 8, 16 worker threads: 16 never slower than 4", 30, () => import("./sections/workers.js")),
  section("projection", "`parareal project` of a 1-worker run (and of each run itself) against measured runs, sleeping problem", 10, () => import("./sections/projection.js")),
  section("kernel", "generated fine kernels against C (cc -O2) per step, every explicit method", 40, () => import("./sections/kernel.js")),
  section("overhead", "threads executor per-job overhead; a local coarse job against a thread round trip", 10, () => import("./sections/overhead.js")),
  section("help", "`parareal --help`, `run --help`, `combine --help` against bare Node, whole process", 10, () => import("./sections/help.js")),
  section("load", "peak RSS of 1,000-slice runs (17,000 to 60,000 jobs) on threads", 60, () => import("./sections/load.js")),
  section("redis", "Redis per-job overhead, heavy run on 1 and 2 workers, 1,000-slice peak RSS", 90, () => import("./sections/redis.js")),
  section("integrators", "every built-in problem with every integrator, per step, generic path", 30, () => import("./sections/integrators.js")),
  section("mgrit", "iterations and fine solves: parareal against MGRIT-F/FCF on 2 and 3 levels (serial oracles)", 5, () => import("./sections/mgrit.js")),
  section("dashboard", "the 1,000-slice run with and without --dashboard and a chromium viewer", 150, () => import("./sections/dashboard.js")),
  section("viewer", "a dashboard viewer's CPU, on a replayed synthetic run (no solvers)", 70, () => import("./sections/viewer.js")),
];

/** The sections named on the command line or in PARAREAL_BENCH (comma or space separated); all when none. */
export function chooseSections(args: readonly string[], env: string | undefined): Section[] {
  // --kernel: the former flag for the kernel table alone
  const names = [...args.map((a) => (a === "--kernel" ? "kernel" : a)), ...(env ?? "").split(/[\s,]+/)].filter((n) => n !== "");
  if (names.length === 0) return [...SECTIONS];
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0) throw new RangeError(`unknown section${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; there are: ${SECTIONS.map((s) => s.name).join(", ")}`);
  return SECTIONS.filter((s) => names.includes(s.name));
}

export function listSections(): string {
  const width = Math.max(...SECTIONS.map((s) => s.name.length));
  return SECTIONS.map((s) => `${s.name.padEnd(width)}  ~${String(s.seconds).padStart(3)} s  ${s.about}`).join("\n");
}

