/**
 * A template case made ready for parareal, once per run: a copy under the run's root with a mesh,
 * a controlDict that writes binary at full precision, and a start time directory holding every
 * field the state carries (fields the solver computes at start-up, such as phi, are made by the
 * application itself with `-postProcess -func writeObjects(...)`). Jobs copy this case; its start
 * directory gives every field's header and boundaryField.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { appRun, runAppSync } from "./app-process.js";
import { freshDir, insideRoot, writeConfined } from "./confine.js";
import { getEntry, setEntries } from "./controldict.js";
import { classValueType, fieldFilePath, readFieldFile } from "./foam-file.js";
import { layoutOf, readState, type StateLayout } from "./field-state.js";
import { meshSize, patchSizes } from "./mesh-size.js";
import { timeDirs, timeName } from "./time-name.js";

/** Everything a job needs to know about the prepared case; plain JSON. */
export interface PreparedCase {
  /** the prepared copy, under the run's root */
  readonly dir: string;
  /** the user's case it was made from */
  readonly template: string;
  readonly app: string;
  /** the case's start time, and its directory's name in `dir` */
  readonly startTime: number;
  readonly startName: string;
  /** timePrecision of the case (time directory names are formatted with it) */
  readonly timePrecision: number;
  readonly layout: StateLayout;
  /** the OpenFOAM bashrc to source (undefined: found as environment.ts says) */
  readonly bashrc?: string | undefined;
}

export interface PrepareOptions {
  /** the template case directory (meshed, or with a system/blockMeshDict) */
  readonly template: string;
  /** the run's root: the prepared copy is made in it, nothing is written elsewhere */
  readonly root: string;
  /** name of the prepared copy inside root (default "openfoam-case") */
  readonly name?: string;
  /** the solver application (default: the controlDict's `application`) */
  readonly app?: string;
  /** the fields of the state (default: every vol/surface field the application writes after one step) */
  readonly fields?: readonly string[];
  readonly bashrc?: string | undefined;
  /** replace an existing prepared copy of that name */
  readonly replace?: boolean;
  /** carry the fields' patch values in the state (default true; see field-state.ts) */
  readonly patches?: boolean;
}

/** Entries every copy gets: binary at full precision, one fixed step, times named `general`. */
export function normalControls(timePrecision: number): Record<string, string | number> {
  return {
    startFrom: "startTime",
    stopAt: "endTime",
    writeControl: "timeStep",
    writeInterval: 1,
    writeFormat: "binary",
    writePrecision: 17,
    writeCompression: "off",
    timeFormat: "general",
    timePrecision,
    purgeWrite: 0,
    runTimeModifiable: "false",
    adjustTimeStep: "no",
  };
}

/** Time directories, processor directories and run output are not copied. */
export function isRunOutput(name: string): boolean {
  return Number.isFinite(Number(name)) || /^processor\d+$|^processors\d*$/.test(name) || name === "postProcessing" || name === "dynamicCode" || name.startsWith("log.") || name === PREPARED_RECORD;
}

export const PREPARED_RECORD = "parareal-case.json";

/** A numeric controlDict entry (undefined when absent; an error naming `where` when not a number). */
export function numberEntry(text: string, key: string, where: string): number | undefined {
  const words = getEntry(text, key);
  if (words === undefined) return undefined;
  const v = Number(words[0]);
  if (words.length !== 1 || !Number.isFinite(v)) throw new Error(`${where}: ${key} is not a number (${words.join(" ")})`);
  return v;
}

/** The start time directory of the template, as its controlDict's startFrom says. */
export function templateStart(template: string, control: string): { name: string; value: number } {
  const where = join(template, "system", "controlDict");
  const from = getEntry(control, "startFrom")?.[0] ?? "startTime";
  const dirs = timeDirs(template).map((d) => ({ name: d.name, value: Number(d.name) }));
  if (dirs.length === 0) throw new Error(`${template} has no time directory (such as 0) with the initial fields`);
  if (from === "firstTime") return dirs[0]!;
  if (from === "latestTime") return dirs[dirs.length - 1]!;
  const start = numberEntry(control, "startTime", where) ?? 0;
  const dir = dirs.find((d) => d.value === start);
  if (!dir) throw new Error(`${template} has no time directory for startTime ${start} (it has ${dirs.map((d) => d.name).join(", ")})`);
  return dir;
}

/** Run blockMesh when the case has no mesh but a blockMeshDict. */
function ensureMesh(dir: string, template: string, bashrc: string | undefined): void {
  if (existsSync(join(dir, "constant", "polyMesh", "owner")) || existsSync(join(dir, "constant", "polyMesh", "owner.gz"))) return;
  if (!existsSync(join(dir, "system", "blockMeshDict"))) throw new Error(`${template} has no mesh (constant/polyMesh) and no system/blockMeshDict to make one`);
  runAppSync(appRun(dir, "blockMesh", [], { bashrc }), `meshing ${template}`);
}

/** Field files (vol and surface fields) in a time directory. */
function fieldNames(timeDir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(timeDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const name = entry.name.replace(/\.gz$/, "");
    try {
      const cls = readFieldFile(join(timeDir, entry.name)).header.class;
      if (classValueType(cls) && !cls.startsWith("point")) names.push(name);
    } catch {
      // not a field file OpenFOAM could restart from
    }
  }
  return names.sort();
}

/** Run the application one step in a throw-away copy and name the fields it writes. */
function fieldsWritten(dir: string, startName: string, startTime: number, control: string, app: string, bashrc: string | undefined): string[] {
  const where = join(dir, "system", "controlDict");
  const dt = numberEntry(control, "deltaT", where);
  if (dt === undefined || !(dt > 0)) throw new Error(`${where}: no deltaT to find the fields ${app} writes; name them (fields)`);
  const probe = join(dir, "probe");
  rmSync(probe, { recursive: true, force: true });
  freshDir(dir, probe);
  try {
    for (const name of readdirSync(dir)) if (name !== "probe" && (!isRunOutput(name) || name === startName)) cpSync(join(dir, name), join(probe, name), { recursive: true });
    const probeControl = join(probe, "system", "controlDict");
    writeConfined(probe, probeControl, setEntries(readFileSync(probeControl, "latin1"), { startTime, endTime: startTime + dt, deltaT: dt, writeInterval: 1 }));
    runAppSync(appRun(probe, app, [], { bashrc }), `(one step to find the fields it writes)`);
    const written = timeDirs(probe).filter((d) => d.name !== startName);
    const last = written[written.length - 1];
    if (!last) throw new Error(`${app} wrote no time directory after one step of ${dt}`);
    return fieldNames(join(probe, last.name));
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Make the prepared copy of a template case; see PreparedCase. */
export function prepareCase(options: PrepareOptions): PreparedCase {
  const template = resolve(options.template);
  const templateControl = join(template, "system", "controlDict");
  if (!existsSync(templateControl)) throw new Error(`${template} is not an OpenFOAM case (no system/controlDict)`);
  const control = readFileSync(templateControl, "latin1");
  const app = options.app ?? getEntry(control, "application")?.[0];
  if (!app) throw new Error(`${templateControl} names no application; give one (app)`);
  const timePrecision = numberEntry(control, "timePrecision", templateControl) ?? 6;
  const start = templateStart(template, control);
  const startName = timeName(start.value, timePrecision);

  const dir = insideRoot(options.root, join(options.root, options.name ?? "openfoam-case"));
  if (existsSync(dir)) {
    if (!options.replace) throw new Error(`${dir} exists already`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(resolve(options.root), { recursive: true });
  freshDir(options.root, dir);
  for (const name of readdirSync(template)) {
    if (isRunOutput(name) && name !== start.name) continue;
    // copied, not linked: nothing the solver writes may reach the template
    cpSync(join(template, name), join(dir, name === start.name ? startName : name), {
      recursive: true,
      dereference: true,
      filter: (src) => !(name === start.name && basename(src) === "uniform"),
    });
  }
  try {
    const controlPath = join(dir, "system", "controlDict");
    const normal = setEntries(control, { application: app, ...normalControls(timePrecision), startTime: start.value });
    writeConfined(dir, controlPath, normal);
    ensureMesh(dir, template, options.bashrc);

    const startDir = join(dir, startName);
    const fields = options.fields ?? fieldsWritten(dir, startName, start.value, normal, app, options.bashrc);
    if (fields.length === 0) throw new Error(`no fields to carry in ${template}`);
    const odd = fields.find((f) => !/^[A-Za-z_][\w.:-]*$/.test(f));
    if (odd !== undefined) throw new Error(`\`${odd}\` is not a field name`);
    // the solver writes every field as it holds it at the start (binary, full precision, each
    // patch's value entry), and makes the ones it computes when absent (phi from U)
    const args = ["-postProcess", "-func", `writeObjects(${fields.join(",")})`, "-time", startName];
    runAppSync(appRun(dir, app, args, { bashrc: options.bashrc, log: "log.writeObjects" }), `writing ${fields.join(", ")} at time ${startName}`);
    const missing = fields.filter((f) => !fieldFilePath(startDir, f));
    if (missing.length) {
      throw new Error(`field${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not in ${template} at time ${start.name}, nor written by ${app} (the case has ${fieldNames(startDir).join(", ")})`);
    }
    // a field the solver did not write is still the template's text: OpenFOAM's ASCII reader is not
    // correctly rounded (17 digits may come back one ulp off), so it becomes binary too
    if (fields.some((f) => readFieldFile(fieldFilePath(startDir, f)!).header.format !== "binary")) {
      runAppSync(appRun(dir, "foamFormatConvert", ["-time", startName], { bashrc: options.bashrc, log: "log.foamFormatConvert" }), `converting time ${startName} to binary`);
    }
    rmSync(join(startDir, "uniform"), { recursive: true, force: true });
    const layout = layoutOf(startDir, fields, meshSize(dir), { patches: options.patches ?? true, patchSizes: patchSizes(dir) });
    const prepared: PreparedCase = { dir, template, app, startTime: start.value, startName, timePrecision, layout, bashrc: options.bashrc };
    writeConfined(dir, join(dir, PREPARED_RECORD), `${JSON.stringify(prepared, null, 2)}\n`);
    return prepared;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The state at the case's start time. */
export function initialState(prepared: PreparedCase): Float64Array {
  return readState(join(prepared.dir, prepared.startName), prepared.layout);
}
