/** Rebuild a solver from its spec and apply it: the code a worker runs for every job. */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { makeDirs } from "../archive/dirs.js";
import { fineFilename } from "../archive/filename.js";
import { loadHdf5, readDataset, writeHdf5 } from "../archive/hdf5.js";
import { rememberSnapshot, snapshotKey } from "../archive/snapshot-cache.js";
import { index } from "../expr/index.js";
import { reduceAsync } from "../expr/reduce.js";
import { H5Snap, Literal, type Vector } from "../expr/vector.js";
import { forwardEuler } from "../ode/forward-euler.js";
import { iterateSolution, keptRows, subSteps, tabulateSubSteps } from "../ode/iterate.js";
import { asMethod, type Method, type Problem } from "../ode/problem.js";
import { rk4 } from "../ode/rk4.js";
import { dopri5 } from "../ode/dopri5.js";
import { backwardEuler } from "../ode/backward-euler.js";
import { withKernel } from "../ode/kernel/kernel.js";
import { expandTemplate, ioNames, removeQuietly, runShell, type CommandSpec } from "./command.js";
import { buildProblem, loadProblemModule, problemEntry, problemParams, type ProblemSpec } from "./problems.js";
import { reusableLastRow } from "./reuse.js";
import { METHODS, type CoarseSpec, type FineSpec, type MethodName, type SolverSpec } from "./spec.js";

// A job may name a module to import or a command to run: code from whoever can submit jobs.
// Threads of the driver's own process may (the driver named it); a Redis worker only when
// started with --allow-modules / --allow-commands.
let allowModules = true;
let allowCommands = true;
export interface Trust {
  readonly modules: boolean;
  readonly commands: boolean;
}
export function setTrust(trust: Trust): void {
  allowModules = trust.modules;
  allowCommands = trust.commands;
}

function makeMethod(name: MethodName, problem: Problem, tolerances: { rtol?: number | undefined; atol?: number | undefined }): Method {
  // a problem that declares its right-hand side gets its whole sub-stepping loop generated
  return withKernel(genericMethod(name, problem, tolerances), problem, name, definedTolerances(tolerances));
}

function definedTolerances(t: { rtol?: number | undefined; atol?: number | undefined }): { rtol?: number; atol?: number } {
  return { ...(t.rtol === undefined ? {} : { rtol: t.rtol }), ...(t.atol === undefined ? {} : { atol: t.atol }) };
}

function genericMethod(name: MethodName, problem: Problem, tolerances: { rtol?: number | undefined; atol?: number | undefined }): Method {
  switch (name) {
    case "euler":
      return forwardEuler(problem);
    case "rk4":
      return rk4(problem);
    case "backward-euler":
      return backwardEuler(problem);
    case "dopri5": {
      // adaptive within each sub-step, so files keep their fixed grid of n + 1 rows
      const solve = dopri5(problem, definedTolerances(tolerances));
      return asMethod(problem.dim, (y, t0, t1, out) => out.set(solve(y, t0, t1)));
    }
    default:
      throw new Error(`unknown method \`${String(name)}\` (known: ${METHODS.join(", ")})`);
  }
}

// Rebuilding a problem per job would cost more than a coarse step; specs repeat, so memoize.
const methods = new Map<string, Method>();
function method(name: MethodName, problem: ProblemSpec, tolerances: { rtol?: number | undefined; atol?: number | undefined } = {}): Method {
  const key = JSON.stringify([name, problem.name, problem.params, tolerances.rtol, tolerances.atol]);
  let m = methods.get(key);
  if (!m) {
    m = makeMethod(name, buildProblem(problem), tolerances);
    methods.set(key, m);
  }
  return m;
}

function checkFinite(values: Float64Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new Error(`${what} produced a non-finite value (${values[i]}) at component ${i}`);
  }
}

/** One step per slice, as the original's coarse solver, or sub-steps of h. */
function coarseSolve(m: Method, h: number | undefined, y: Float64Array, t0: number, t1: number): Float64Array {
  return h === undefined ? m(y, t0, t1) : iterateSolution(m, h)(y, t0, t1);
}

export function runCoarse(spec: CoarseSpec, y: Float64Array, t0: number, t1: number): Literal {
  if (spec.grid !== undefined) return runCoarseOnGrid(spec, spec.grid, y, t0, t1);
  const out = coarseSolve(method(spec.method, spec.problem), spec.h, y, t0, t1);
  checkFinite(out, "coarse solver");
  return new Literal(out);
}

/** c2f(C(f2c(y))): the original's coarse solver on a coarser grid. */
function runCoarseOnGrid(spec: CoarseSpec, grid: Readonly<Record<string, number>>, y: Float64Array, t0: number, t1: number): Literal {
  const { regrid } = problemEntry(spec.problem.name, spec.problem.module);
  if (!regrid) throw new Error(`problem \`${spec.problem.name}\` has no grid mapping (regrid), so its coarse solver cannot run on another grid`);
  const coarseProblem: ProblemSpec = { ...spec.problem, params: { ...spec.problem.params, ...grid } };
  const [fineParams, coarseParams] = [problemParams(spec.problem), problemParams(coarseProblem)];
  const restricted = regrid(y, fineParams, coarseParams);
  const m = method(spec.method, coarseProblem);
  if (restricted.length !== m.dim) throw new Error(`regrid gave ${restricted.length} values for a coarse grid of ${m.dim}`);
  const out = regrid(coarseSolve(m, spec.h, restricted, t0, t1), coarseParams, fineParams);
  if (out.length !== y.length) throw new Error(`regrid gave ${out.length} values for a fine grid of ${y.length}`);
  checkFinite(out, "coarse solver");
  return new Literal(out);
}

const madeDirs = new Set<string>();
function reachArchive(archive: string): void {
  if (madeDirs.has(archive)) return;
  try {
    makeDirs(archive);
  } catch (e) {
    throw new Error(`cannot reach the archive directory ${archive} from ${hostname()} (${(e as Error).message}); it must be on a filesystem every worker shares`);
  }
  madeDirs.add(archive);
}

function finePath(spec: FineSpec, t0: number, t1: number): string {
  return join(spec.archive, fineFilename(spec.name, spec.iteration, t0, t1));
}

/** The snapshot of a fine file's last row, whose value is known here (and travels as a hint). */
function lastRowOf(path: string, last: Float64Array): H5Snap {
  const snap = new H5Snap(path, "data", index(-1));
  rememberSnapshot(snapshotKey(snap.path, snap.dataset, snap.index), last);
  return snap;
}

/** The fine solver's file, as the original writes it; returns the snapshot of its last row. */
async function writeFineFile(spec: FineSpec, t0: number, t1: number, table: { data: Float64Array; rows: number; dim: number; n: number; stride: number }): Promise<H5Snap> {
  const last = table.data.slice((table.rows - 1) * table.dim, table.rows * table.dim);
  checkFinite(last, "fine solver");
  reachArchive(spec.archive);
  const path = finePath(spec, t0, t1);
  await loadHdf5();
  writeHdf5(path, [
    {
      name: "data",
      data: table.data.subarray(0, table.rows * table.dim),
      shape: [table.rows, table.dim],
      attributes: {
        t0: { dtype: "float64", value: t0 },
        t1: { dtype: "float64", value: t1 },
        h: { dtype: "float64", value: spec.h },
        n: { dtype: "int64", value: table.n },
        stride: { dtype: "int64", value: table.stride },
      },
    },
  ]);
  return lastRowOf(path, last);
}

let scratch = new Float64Array(0);

/** A fine result: the snapshot of its file's last row; `reused` when an earlier run's file was taken. */
export interface FineResult {
  readonly snap: H5Snap;
  readonly reused: boolean;
}

/** With spec.reuse: the earlier run's file, when it is exactly what this job would write. */
async function reuse(spec: FineSpec, y: Float64Array, t0: number, t1: number, own: { n: number; stride: number; rows: number } | undefined): Promise<H5Snap | undefined> {
  if (!spec.reuse) return undefined;
  await loadHdf5();
  const path = finePath(spec, t0, t1);
  const last = reusableLastRow(path, { t0, t1, h: spec.h, y, ...own });
  return last && lastRowOf(path, last);
}

/** `stop` is consulted between chunks of integration: a cancelled job ends early, writing nothing. */
export async function runFine(spec: FineSpec, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<FineResult> {
  if (spec.command !== undefined) {
    const earlier = await reuse(spec, y, t0, t1, undefined);
    return earlier ? { snap: earlier, reused: true } : { snap: await runFineCommand(spec, spec.command, y, t0, t1, stop), reused: false };
  }
  const m = method(spec.method, spec.problem, spec);
  if (y.length !== m.dim) throw new Error(`fine solver: state has ${y.length} components, problem \`${spec.problem.name}\` has ${m.dim}`);
  const n = subSteps(t0, t1, spec.h);
  const earlier = await reuse(spec, y, t0, t1, { n, stride: spec.saveEvery, rows: keptRows(n, spec.saveEvery) });
  if (earlier) return { snap: earlier, reused: true };
  const size = keptRows(n, spec.saveEvery) * m.dim;
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, 2 * scratch.length));
  // the table lives only until it is copied into the HDF5 file, so one buffer serves every job
  return { snap: await writeFineFile(spec, t0, t1, tabulateSubSteps(m, y, t0, t1, n, spec.saveEvery, scratch, stop)), reused: false };
}

/** Run a black-box command on the state y; returns what it wrote to `{out}`, checked, as rows of y's length. */
async function runBlackBox(kind: "coarse" | "fine", command: CommandSpec, iteration: number, h: number, y: Float64Array, t0: number, t1: number, stop?: () => boolean) {
  await loadHdf5();
  reachArchive(command.workdir);
  const { input, output } = ioNames(command, kind, iteration, t0, t1);
  const what = `${kind} command`; // the job error around it names the iteration and the slice
  try {
    writeHdf5(input, [{ name: "data", data: y, shape: [y.length], attributes: { t0: { dtype: "float64", value: t0 }, t1: { dtype: "float64", value: t1 } } }]);
    await runShell(expandTemplate(command.template, { in: input, out: output, t0, t1, iter: iteration, h }), what, stop);
    if (!existsSync(output)) throw new Error(`${what} exited 0 but wrote no {out} file (${output})`);
    const { data, shape } = readDataset(output, "data");
    const rows = shape.length === 1 ? 1 : shape[0]!;
    if (!((shape.length === 1 && shape[0] === y.length) || (shape.length === 2 && shape[1] === y.length && rows >= 1))) {
      throw new Error(`${what}: dataset \`data\` of {out} has shape [${shape.join(", ")}]; expected [${y.length}] or [rows, ${y.length}]`);
    }
    return { data, rows, dim: y.length };
  } finally {
    removeQuietly(input, output);
  }
}

async function runFineCommand(spec: FineSpec, command: CommandSpec, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<H5Snap> {
  const out = await runBlackBox("fine", command, spec.iteration, spec.h, y, t0, t1, stop);
  return writeFineFile(spec, t0, t1, { ...out, n: out.rows - 1, stride: 1 });
}

async function runCoarseCommand(spec: CoarseSpec, command: CommandSpec, y: Float64Array, t0: number, t1: number): Promise<Literal> {
  const out = await runBlackBox("coarse", command, spec.iteration, spec.h ?? t1 - t0, y, t0, t1);
  const last = out.data.slice((out.rows - 1) * out.dim, out.rows * out.dim);
  checkFinite(last, "coarse command");
  return new Literal(last);
}

/** Run any solver job: its result, and whether an earlier run's file was reused for it. */
export async function runSolver(spec: SolverSpec, input: Vector, t0: number, t1: number, stop?: () => boolean): Promise<{ value: Vector; reused: boolean }> {
  if (spec.problem.module !== undefined) {
    if (!allowModules) throw new Error(`this worker does not load problem modules (${spec.problem.module}); start it with --allow-modules`);
    await loadProblemModule(spec.problem.module);
  }
  if (spec.command !== undefined && !allowCommands) {
    throw new Error(`this worker does not run solver commands (${spec.command.template}); start it with --allow-commands`);
  }
  const y = await reduceAsync(input);
  if (spec.kind === "fine") {
    const { snap, reused } = await runFine(spec, y, t0, t1, stop);
    return { value: snap, reused };
  }
  return { value: spec.command === undefined ? runCoarse(spec, y, t0, t1) : await runCoarseCommand(spec, spec.command, y, t0, t1), reused: false };
}
