/**
 * An OpenFOAM case as a parareal solver, as fine and coarse solver specs carry it (their
 * `openfoam` part): plain JSON that travels to threads and Redis workers. The application named by
 * the prepared case is the solver; the spec's step (h) is its deltaT.
 */
import type { ProblemSpec } from "../models/problem-entry.js";
import type { FieldTable } from "./field-state.js";
import type { PreparedCase } from "./prepare-case.js";

export interface OpenFoamSolver {
  /** the prepared case (under the run's root), whose fields make the state */
  readonly case: PreparedCase;
  /** coarse solver only: a prepared case on a coarser mesh; states go to it and back by mapFields */
  readonly coarseCase?: PreparedCase;
  /** the run's root: each job's scratch copy of the case goes to <root>/cases */
  readonly root: string;
  /** keep the scratch copies (--keep-cases) */
  readonly keep?: boolean;
}

/**
 * The problem an OpenFOAM spec names: specs must name one, and this one is never built (the case
 * is the problem; its state size is the prepared layout's).
 */
export const OPENFOAM_PROBLEM: ProblemSpec = Object.freeze({ name: "openfoam", params: Object.freeze({}) });

/** Where the cases of a run live inside its output directory. */
export { OPENFOAM_CASE_DIR as PREPARED_CASE_DIR, OPENFOAM_COARSE_CASE_DIR as PREPARED_COARSE_CASE_DIR, CASES_DIR as SCRATCH_DIR } from "../archive/layout.js";

/**
 * The HDF5 dataset of one field table in a fine file: the field's name for its internal values,
 * `<field>@<patch>` for its values on a patch (a dataset name may not hold `/`; OpenFOAM names
 * never hold `@`).
 */
export function fieldDatasetName(table: Pick<FieldTable, "name" | "patch">): string {
  return table.patch === undefined ? table.name : `${table.name}@${table.patch}`;
}

/** The prepared case without what a job must not name (the bashrc: a worker uses its own OpenFOAM). */
export function portableCase(prepared: PreparedCase): PreparedCase {
  const { bashrc: _, ...rest } = prepared;
  return rest;
}
