/** Shared by the MGRIT tests. */
import { resolveRunConfig } from "../src/config/run-config.js";

/** The configuration of a scheduled MGRIT run (its fine files under `output`). */
export function config(problem: string, output: string, mgrit: { levels: number; coarsening: number; relax: "F" | "FCF" }, extra: { points?: number; h?: number; tol?: number } = {}) {
  // every fine job to the executor under test (the driver would run these cheap ones itself)
  return resolveRunConfig({ problem, method: "mgrit", mgrit, reference: false, output, driverJobs: "coarse", tol: extra.tol ?? 1e-6, ...(extra.points ? { points: extra.points } : {}), ...(extra.h ? { h: extra.h } : {}) });
}
