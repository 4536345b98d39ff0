/**
 * `parareal combine OUTPUT/parareal --openfoam DIR`: an OpenFOAM run's combined trajectory back
 * into OpenFOAM, as a case with one time directory per written row (the prepared case's mesh and
 * settings, the fields' boundary conditions from its start time), which paraFoam, foamToVTK and
 * ParaView's reader (DIR/DIR.foam) open.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import * as v from "valibot";
import { OPENFOAM_CASE_DIR } from "../archive/layout.js";
import { readRunRecord } from "../archive/run-record.js";
import type { Trajectory } from "../archive/trajectory.js";
import { UsageError } from "../errors.js";
import { preparedCaseSchema } from "../jobs/openfoam-schema.js";
import { writeCaseTimes } from "../openfoam/combine-case.js";
import type { PreparedCase } from "../openfoam/prepare-case.js";

/**
 * The prepared case of the OpenFOAM run whose fine files are in `dir` (its euler/ or parareal/),
 * from run.json beside it; the case directory is the one in that output (wherever it was moved).
 */
export function runCaseOf(runDir: string): PreparedCase {
  const record = readRunRecord(runDir);
  const fine = record?.fine as { openfoam?: { case?: unknown } } | undefined;
  if (!fine?.openfoam) throw new UsageError(`${runDir} holds no OpenFOAM run (its run.json names no OpenFOAM case)`);
  const checked = v.safeParse(preparedCaseSchema, fine.openfoam.case);
  if (!checked.success) throw new UsageError(`${join(runDir, "run.json")}: the OpenFOAM case is malformed (${v.getDotPath(checked.issues[0]) ?? "case"}: ${checked.issues[0].message})`);
  const dir = join(resolve(runDir), OPENFOAM_CASE_DIR);
  if (!existsSync(dir)) throw new UsageError(`${dir} is missing: the prepared case of the run (combine needs its mesh and boundary conditions)`);
  return { ...checked.output, dir };
}

/** Write the trajectory read from the fine files in `dir` as the time directories of a new case `outDir`. */
export function combineIntoCase(dir: string, trajectory: Trajectory, outDir: string): void {
  const prepared = runCaseOf(dirname(resolve(dir)));
  const { size } = prepared.layout;
  if (trajectory.dim !== size) throw new UsageError(`${dir}: the fine files hold states of ${trajectory.dim} values, the run's case ${size}`);
  const states = Array.from(trajectory.t, (_, i) => trajectory.data.subarray(i * size, (i + 1) * size));
  let written;
  try {
    written = writeCaseTimes(prepared, outDir, trajectory.t, states);
  } catch (e) {
    throw new UsageError(`--openfoam ${outDir}: ${(e as Error).message}`);
  }
  process.stdout.write(`${written.dir}: ${written.names.length} time directories, ${written.names[0]} to ${written.names.at(-1)} (ParaView: open ${join(written.dir, `${basename(written.dir)}.foam`)})\n`);
}
