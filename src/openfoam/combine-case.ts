/**
 * States back into OpenFOAM: a case directory with one time directory per state (the mesh and
 * settings of the prepared case, the fields' headers and boundaryFields from its start directory),
 * which ParaView opens through the empty `<name>.foam` file written beside them.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { freshDir, writeConfined } from "./confine.js";
import { setEntries } from "./controldict.js";
import { stateFiles } from "./field-state.js";
import { isRunOutput, type PreparedCase } from "./prepare-case.js";
import { distinctTimeNames } from "./time-name.js";

export interface CombineCaseOptions {
  /** every path written lies under root (default: the output directory itself) */
  readonly root?: string;
}

/** What was written: the time directories' names, in the order of the states. */
export interface CombinedCase {
  readonly dir: string;
  readonly names: readonly string[];
  readonly timePrecision: number;
}

/**
 * Write `states` (each of layout.size, at `times`) as the time directories of a new case `outDir`
 * (which must not exist, or be empty). Names follow OpenFOAM's (timeFormat general at the case's
 * timePrecision, raised until the names differ), so 0.5 is the directory "0.5".
 */
export function writeCaseTimes(prepared: PreparedCase, outDir: string, times: ArrayLike<number>, states: readonly Float64Array[], options: CombineCaseOptions = {}): CombinedCase {
  if (times.length !== states.length) throw new RangeError(`${times.length} times for ${states.length} states`);
  const dir = resolve(outDir);
  const root = options.root ?? dir;
  if (existsSync(dir)) {
    if (readdirSync(dir).length) throw new Error(`${dir} is not empty`);
  } else if (resolve(root) === dir) {
    mkdirSync(dir, { recursive: true });
  } else {
    freshDir(root, dir);
  }
  for (const name of readdirSync(prepared.dir)) {
    if (!isRunOutput(name)) cpSync(join(prepared.dir, name), join(dir, name), { recursive: true, dereference: true });
  }
  const { names, precision } = distinctTimeNames(times, prepared.timePrecision);
  const control = join(dir, "system", "controlDict");
  const first = times.length ? times[0]! : prepared.startTime;
  const last = times.length ? times[times.length - 1]! : prepared.startTime;
  writeConfined(root, control, setEntries(readFileSync(control, "latin1"), { startFrom: "startTime", startTime: first, endTime: last, timePrecision: precision }));
  const skeletons = join(prepared.dir, prepared.startName);
  states.forEach((state, i) => {
    for (const [file, bytes] of stateFiles(skeletons, prepared.layout, state)) writeConfined(root, join(dir, names[i]!, file), bytes);
  });
  writeConfined(root, join(dir, `${basename(dir)}.foam`), "");
  return { dir, names, timePrecision: precision };
}
