/**
 * One solver job on an OpenFOAM case: a scratch copy of the prepared case under the run's root,
 * the state y written as the start time directory t0, controlDict set to run from t0 to t1 with
 * time step dt, the application run, every written time read back as a state, the copy removed
 * (unless kept). Fine and coarse jobs differ only in dt and in how often times are written.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { removeEntries } from "../archive/dirs.js";
import { appRun, runApp, runAppSync, type AppRun } from "./app-process.js";
import { findApplication, foamEnvironment } from "./environment.js";
import { freshDir, writeConfined } from "./confine.js";
import { setEntries } from "./controldict.js";
import { fieldNames, readState, stateFiles, type StateLayout } from "./field-state.js";
import { isRunOutput, type PreparedCase } from "./prepare-case.js";
import { timeDirs, timeName } from "./time-name.js";

export interface CaseRunOptions extends ScratchOptions {
  /** write every k-th step (reduced to a divisor of the step count, so the end is always written); default: only the end */
  readonly writeEvery?: number;
  /** polled while the application runs; true kills it (the job then throws CancelledError) */
  readonly stop?: () => boolean;
}

/** The states at the start and at every written time, row by row. */
export interface CaseTrajectory {
  /** rows × layout.size: row 0 is the start state y, the last row the state at t1 */
  readonly data: Float64Array;
  readonly rows: number;
  readonly dim: number;
  /** the time of every row, as OpenFOAM recorded it (t0 + k·deltaT, so t1 up to rounding) */
  readonly times: Float64Array;
  /** steps taken, the deltaT used, steps between written rows */
  readonly n: number;
  readonly deltaT: number;
  readonly stride: number;
  /** wall time of the job (copy, run, read) */
  readonly seconds: number;
  /** the scratch copy, when kept */
  readonly caseDir?: string;
}

/**
 * Steps and time step from t0 to t1 with about dt: the given dt when (t1 - t0)/dt is an integer up
 * to rounding (as a plain OpenFOAM run takes it; it stops within half a step of endTime), else
 * ceil((t1 - t0)/dt) equal steps that land on t1.
 */
export function stepsFor(t0: number, t1: number, dt: number): { n: number; deltaT: number } {
  if (!(t1 > t0) || !Number.isFinite(t1 - t0)) throw new RangeError(`empty or invalid interval [${t0}, ${t1}]`);
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`time step must be positive, got ${dt}`);
  const ratio = (t1 - t0) / dt;
  const near = Math.round(ratio);
  if (near >= 1 && Math.abs(ratio - near) <= 1e-9 * near) return { n: near, deltaT: dt };
  const n = Math.ceil(ratio);
  return { n, deltaT: (t1 - t0) / n };
}

/** The largest divisor of n that is at most k (so the last step is a written one). */
export function writeStride(n: number, k: number | undefined): number {
  let s = Math.max(1, Math.min(n, Math.floor(k ?? n)));
  while (n % s !== 0) s--;
  return s;
}

interface Job {
  readonly dir: string;
  readonly startName: string;
  readonly run: AppRun;
  readonly n: number;
  readonly deltaT: number;
  readonly stride: number;
  readonly started: number;
}

/** Where scratch copies go and what they are called; shared by case runs and field mappings. */
export interface ScratchOptions {
  /** the run's root (archive): every path written lies under it */
  readonly root: string;
  /** where the scratch copies go, under root (default <root>/cases) */
  readonly scratch?: string;
  /** a label for the copy's name */
  readonly label?: string;
  /** keep the copy */
  readonly keep?: boolean;
}

/**
 * A scratch copy of the prepared case with a time directory for t: the prepared start files, with
 * the state y written over them when given, and controlDict's `entries` set (startTime t always).
 */
export function scratchCase(prepared: PreparedCase, t: number, y: Float64Array | undefined, entries: Readonly<Record<string, string | number>>, options: ScratchOptions): { dir: string; timeName: string } {
  if (y && y.length !== prepared.layout.size) throw new RangeError(`state has ${y.length} values, the case's fields (${fieldNames(prepared.layout).join(", ")}) need ${prepared.layout.size}`);
  const scratch = options.scratch ?? join(options.root, "cases");
  const dir = freshDir(options.root, join(scratch, `${options.label ?? "job"}-${process.pid}-${randomBytes(4).toString("hex")}`));
  try {
    for (const name of readdirSync(prepared.dir)) {
      if (!isRunOutput(name)) cpSync(join(prepared.dir, name), join(dir, name), { recursive: true, dereference: true });
    }
    const name = timeName(t, prepared.timePrecision);
    const template = join(prepared.dir, prepared.startName);
    const startDir = join(dir, name);
    // fields the state does not carry (and anything else there) come from the prepared start
    cpSync(template, startDir, { recursive: true, dereference: true });
    if (y) for (const [file, bytes] of stateFiles(template, prepared.layout, y)) writeConfined(options.root, join(startDir, file), bytes);
    const control = join(dir, "system", "controlDict");
    writeConfined(options.root, control, setEntries(readFileSync(control, "latin1"), { startTime: t, ...entries }));
    return { dir, timeName: name };
  } catch (e) {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Remove the scratch copies this process made in `scratch` (named with its pid), for an
 * interrupted run: its jobs' threads end before their own clean-up.
 */
export function removeOwnScratchCopies(scratch: string): void {
  const mine = new RegExp(`-${process.pid}-[0-9a-f]{8}$`);
  removeEntries(scratch, (name) => mine.test(name));
}

/** Copy the case, write the start state, set controlDict. */
function startJob(prepared: PreparedCase, y: Float64Array, t0: number, t1: number, dt: number, options: CaseRunOptions): Job {
  const started = performance.now();
  const { n, deltaT } = stepsFor(t0, t1, dt);
  const stride = writeStride(n, options.writeEvery);
  // the environment first: without OpenFOAM nothing is copied
  findApplication(foamEnvironment({ bashrc: prepared.bashrc }), prepared.app);
  const { dir, timeName: startName } = scratchCase(prepared, t0, y, { endTime: t1, deltaT, writeInterval: stride }, options);
  return { dir, startName, run: appRun(dir, prepared.app, [], { bashrc: prepared.bashrc }), n, deltaT, stride, started };
}

export function checkFinite(layout: StateLayout, row: Float64Array, app: string, t: number): void {
  for (const f of layout.fields) {
    for (let i = f.offset, end = f.offset + f.count * f.components; i < end; i++) {
      if (!Number.isFinite(row[i]!)) {
        const where = f.patch === undefined ? `field ${f.name}` : `field ${f.name} on patch ${f.patch}`;
        throw new Error(`${app} diverged: ${where} has the non-finite value ${row[i]} at time ${t} (element ${Math.floor((i - f.offset) / f.components)})`);
      }
    }
  }
}

/** Read every written time back, in order, after the start state. */
function finishJob(prepared: PreparedCase, job: Job, y: Float64Array, t0: number, t1: number): CaseTrajectory {
  const written = timeDirs(job.dir).filter((d) => d.name !== job.startName && d.value > t0);
  const rows = job.n / job.stride + 1;
  if (written.length !== rows - 1) {
    throw new Error(`${prepared.app} wrote ${written.length} time directories from ${t0} to ${t1}, expected ${rows - 1} (${job.n} steps of ${job.deltaT}, every ${job.stride})`);
  }
  const dim = prepared.layout.size;
  const data = new Float64Array(rows * dim);
  const times = new Float64Array(rows);
  data.set(y, 0);
  times[0] = t0;
  written.forEach((d, i) => {
    const row = data.subarray((i + 1) * dim, (i + 2) * dim);
    readState(join(job.dir, d.name), prepared.layout, row);
    checkFinite(prepared.layout, row, prepared.app, d.value);
    times[i + 1] = d.value;
  });
  return { data, rows, dim, times, n: job.n, deltaT: job.deltaT, stride: job.stride, seconds: (performance.now() - job.started) / 1000 };
}

function what(t0: number, t1: number, deltaT: number): string {
  return `from t = ${t0} to ${t1} (deltaT ${deltaT})`;
}

/** Run the case from state y at t0 to t1 with time step about dt (see stepsFor). */
export async function runCase(prepared: PreparedCase, y: Float64Array, t0: number, t1: number, dt: number, options: CaseRunOptions): Promise<CaseTrajectory> {
  const job = startJob(prepared, y, t0, t1, dt, options);
  try {
    await runApp(job.run, what(t0, t1, job.deltaT), options.stop);
    const result = finishJob(prepared, job, y, t0, t1);
    return options.keep ? { ...result, caseDir: job.dir } : result;
  } finally {
    if (!options.keep) rmSync(job.dir, { recursive: true, force: true });
  }
}

/** The same, blocking the thread (for the serial oracle `parareal()` on plain arrays). */
export function runCaseSync(prepared: PreparedCase, y: Float64Array, t0: number, t1: number, dt: number, options: CaseRunOptions): CaseTrajectory {
  const job = startJob(prepared, y, t0, t1, dt, options);
  try {
    runAppSync(job.run, what(t0, t1, job.deltaT));
    const result = finishJob(prepared, job, y, t0, t1);
    return options.keep ? { ...result, caseDir: job.dir } : result;
  } finally {
    if (!options.keep) rmSync(job.dir, { recursive: true, force: true });
  }
}

/** The last row of a trajectory: the state at t1. */
export function finalState(trajectory: CaseTrajectory): Float64Array {
  return trajectory.data.subarray((trajectory.rows - 1) * trajectory.dim);
}
