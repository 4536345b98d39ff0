/**
 * Rebuild a solver from its spec and apply it: the code a worker runs for every job. Programs
 * (black boxes, OpenFOAM) are imported only by the jobs that run them: every worker thread pays
 * for what it imports at start-up.
 */
import { reduceAsync } from "../evaluate/reduce.js";
import type { Vector } from "../expr/vector.js";
import { loadProblemModule } from "../models/user-module.js";
import { runCoarse } from "./coarse.js";
import { runFine } from "./fine.js";
import type { SolverSpec } from "./spec.js";
import { checkTrust, TRUST_ALL, type Trust } from "./trust.js";

export interface SolveOptions {
  /** what this worker may import and run (default: everything, as the driver's own threads) */
  readonly trust?: Trust;
  /** consulted between chunks of integration: true stops the job (CancelledError) */
  readonly stop?: (() => boolean) | undefined;
}

/** Run any solver job: its result, and whether an earlier run's file was reused for it. */
export async function runSolver(spec: SolverSpec, input: Vector, t0: number, t1: number, options: SolveOptions = {}): Promise<{ value: Vector; reused: boolean }> {
  checkTrust(spec, options.trust ?? TRUST_ALL);
  if (spec.problem.module !== undefined) await loadProblemModule(spec.problem.module);
  const y = await reduceAsync(input);
  if (spec.openfoam !== undefined) {
    const { runOpenFoamCoarse, runOpenFoamFine } = await import("./openfoam.js");
    if (spec.kind === "coarse") return { value: await runOpenFoamCoarse(spec, spec.openfoam, y, t0, t1, options.stop), reused: false };
    const { snap, reused } = await runOpenFoamFine(spec, spec.openfoam, y, t0, t1, options.stop);
    return { value: snap, reused };
  }
  if (spec.kind === "fine") {
    const { snap, reused } = await runFine(spec, y, t0, t1, options.stop);
    return { value: snap, reused };
  }
  if (spec.command === undefined) return { value: runCoarse(spec, y, t0, t1), reused: false };
  const { runCoarseCommand } = await import("./black-box.js");
  return { value: await runCoarseCommand(spec, spec.command, y, t0, t1), reused: false };
}
