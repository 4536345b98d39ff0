/**
 * States moved between meshes, for a coarse solver on a coarser mesh: C = c2f(C_coarse(f2c(y))),
 * as the original's Parareal(c2f, f2c). OpenFOAM's mapFields (-consistent: same geometry and
 * patch names) interpolates the vol fields, internal and patch values; it does not map surface
 * fields, so those (phi) are made by the target's application from the mapped ones, as it makes
 * them at start-up (phi = flux(U)). Both cases live in scratch copies under the root.
 */
import { rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { appRun, runApp, runAppSync, type AppRun } from "./app-process.js";
import { checkFinite, scratchCase, type ScratchOptions } from "./case-run.js";
import { findApplication, foamEnvironment } from "./environment.js";
import { fieldFilePath } from "./foam-file.js";
import { fieldNames, readState } from "./field-state.js";
import type { PreparedCase } from "./prepare-case.js";

interface MapJob {
  readonly runs: AppRun[];
  readonly dirs: string[];
  readonly target: string;
}

/** Fields of `to` that mapFields cannot give (surface fields), to be made by `to`'s solver. */
function derivedFields(to: PreparedCase): string[] {
  return fieldNames(to.layout).filter((name) => to.layout.fields.some((f) => f.name === name && f.class.startsWith("surface")));
}

function startMap(from: PreparedCase, y: Float64Array, to: PreparedCase, options: ScratchOptions): MapJob {
  const derived = derivedFields(to);
  const fromFields = new Set(fieldNames(from.layout));
  const unmapped = fieldNames(to.layout).filter((f) => !derived.includes(f) && !fromFields.has(f));
  if (unmapped.length) throw new Error(`cannot map ${unmapped.join(", ")}: not in the state of ${from.template}`);
  for (const app of ["mapFields", ...(derived.length ? [to.app] : [])]) findApplication(foamEnvironment({ bashrc: to.bashrc }), app);
  // the time only names directories (mapping does not depend on it): the target's start time
  const t = to.startTime;
  const source = scratchCase(from, t, y, {}, { ...options, label: `${options.label ?? "map"}-from` });
  let target;
  try {
    target = scratchCase(to, t, undefined, {}, { ...options, label: `${options.label ?? "map"}-to` });
  } catch (e) {
    if (!options.keep) rmSync(source.dir, { recursive: true, force: true });
    throw e;
  }
  const targetTime = join(target.dir, target.timeName);
  for (const name of derived) {
    const path = fieldFilePath(targetTime, name);
    if (path) unlinkSync(path);
  }
  const runs = [appRun(target.dir, "mapFields", [source.dir, "-sourceTime", source.timeName, "-consistent"], { bashrc: to.bashrc, log: "log.mapFields" })];
  if (derived.length) {
    runs.push(appRun(target.dir, to.app, ["-postProcess", "-func", `writeObjects(${derived.join(",")})`, "-time", target.timeName], { bashrc: to.bashrc, log: "log.writeObjects" }));
  }
  return { runs, dirs: [source.dir, target.dir], target: targetTime };
}

function finishMap(to: PreparedCase, job: MapJob): Float64Array {
  const state = readState(job.target, to.layout);
  checkFinite(to.layout, state, "mapFields", to.startTime);
  return state;
}

function cleanUp(job: MapJob, options: ScratchOptions): void {
  if (!options.keep) for (const dir of job.dirs) rmSync(dir, { recursive: true, force: true });
}

/** The state y of case `from` on the mesh of case `to` (layout `to.layout`). */
export async function mapState(from: PreparedCase, y: Float64Array, to: PreparedCase, options: ScratchOptions & { stop?: () => boolean }): Promise<Float64Array> {
  const job = startMap(from, y, to, options);
  try {
    for (const run of job.runs) await runApp(run, `mapping ${from.template} onto ${to.template}`, options.stop);
    return finishMap(to, job);
  } finally {
    cleanUp(job, options);
  }
}

/** The same, blocking (for the serial oracle's f2c and c2f). */
export function mapStateSync(from: PreparedCase, y: Float64Array, to: PreparedCase, options: ScratchOptions): Float64Array {
  const job = startMap(from, y, to, options);
  try {
    for (const run of job.runs) runAppSync(run, `mapping ${from.template} onto ${to.template}`);
    return finishMap(to, job);
  } finally {
    cleanUp(job, options);
  }
}
