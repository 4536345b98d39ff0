/**
 * One resolved run configuration, built in one place: what the user gave (CLI flags or a library
 * call), with every default taken from the problem (its step, time span, points, initial state and
 * methods) or from the original, validated, and the coarse and fine solver specs built. Everything
 * downstream (driver, run.json, resume, the executors) reads this and nothing else.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runLayout, type RunLayout } from "../archive/layout.js";
import { UsageError } from "../errors.js";
import { linspace } from "../ode/linspace.js";
import type { MethodName } from "../ode/methods.js";
import { buildProblem, hasParameter, problemEntry } from "../models/catalogue.js";
import type { ProblemEntry, ProblemSpec } from "../models/problem-entry.js";
import { watchImport } from "../models/import-watchdog.js";
import { loadProblemModule } from "../models/user-module.js";
import { coarseSpec, fineSpec, type CoarseSpec, type FineSpec } from "../solvers/spec.js";
import type { OpenFoamInput, OpenFoamRunParameters, OpenFoamSetup } from "./openfoam-config.js";

/** What a user gives; anything left out takes the problem's default. */
export interface RunInput {
  /** a built-in problem's name, or the path of a module (./my-problem.ts) */
  readonly problem: string;
  readonly params?: Readonly<Record<string, number>>;
  /** the coarse problem's parameters where they differ (a coarser grid) */
  readonly coarseParams?: Readonly<Record<string, number>>;
  readonly fine?: MethodName;
  readonly coarse?: MethodName;
  readonly fineCommand?: string;
  readonly coarseCommand?: string;
  readonly coarseH?: number;
  readonly rtol?: number;
  readonly atol?: number;
  readonly h?: number;
  readonly tEnd?: number;
  readonly points?: number;
  readonly y0?: readonly number[];
  readonly tol: number;
  readonly maxIterations?: number;
  readonly saveEvery?: number;
  readonly reference?: boolean;
  readonly resume?: boolean;
  readonly output: string;
  /** an OpenFOAM case instead of a problem (parareal run --openfoam; see openfoam-config.ts) */
  readonly openfoam?: OpenFoamInput;
}

/** What run.json records of a run, and what --resume compares: plain data. */
export type RunParameters = {
  readonly problem: ProblemSpec;
  readonly y0: number[];
  readonly tEnd: number;
  readonly points: number;
  readonly h: number;
  readonly fine: MethodName;
  readonly coarse: MethodName;
  readonly coarseH?: number;
  readonly coarseParams?: Readonly<Record<string, number>>;
  readonly fineCommand?: string;
  readonly coarseCommand?: string;
  readonly rtol?: number;
  readonly atol?: number;
  readonly tol: number;
  readonly saveEvery: number;
  readonly maxIterations: number;
  readonly reference: boolean;
};

export interface RunConfig {
  readonly problem: ProblemSpec;
  /** absent for an OpenFOAM run (the case is the problem) */
  readonly entry?: ProblemEntry;
  readonly dim: number;
  readonly y0: Float64Array;
  /** the time points: linspace(0, tEnd, points) */
  readonly t: Float64Array;
  readonly tol: number;
  readonly maxIterations: number;
  /** run the serial fine reference first */
  readonly reference: boolean;
  /** take fine files an earlier run of the same parameters left (set by claiming the output) */
  readonly resume: boolean;
  readonly layout: RunLayout;
  readonly parameters: RunParameters | OpenFoamRunParameters;
  /** an OpenFOAM run: its case, prepared inside the output by prepareOpenFoamRun before it runs */
  readonly openfoam?: OpenFoamSetup;
  /** problem modules (file URLs) the run's jobs name */
  readonly modules: readonly string[];
  /** the coarse solver of iteration k */
  coarse(k: number): CoarseSpec;
  /** the fine solver of iteration k, writing into `archive` */
  fine(k: number, archive: string): FineSpec;
}

/** Most time points a run may have: its scheduler holds a few iterations of every slice in memory. */
export const MAX_POINTS = 100_001;
/** Most sub-steps of one solver over one slice (about a day of work at 10 ns a step). */
export const MAX_STEPS_PER_SLICE = 1e13;
/** Most numbers one fine file may hold (2 GiB of float64): a slice's table lives in memory. */
export const MAX_FILE_NUMBERS = 2 ** 28;

/** Refuse runs that could only fail later or never end: too many points, steps or rows per slice. */
function checkCost(p: RunParameters, dim: number): void {
  if (p.points > MAX_POINTS) throw new UsageError(`--points ${p.points}: at most ${MAX_POINTS} time points (${MAX_POINTS - 1} slices); use time windows or fewer points`);
  const width = p.tEnd / (p.points - 1);
  if (!(width >= p.h)) throw new UsageError(`--h ${p.h}: the slices are ${width} wide, narrower than the fine step; give a smaller --h or fewer --points`);
  const steps = Math.ceil(width / p.h);
  if (!(steps <= MAX_STEPS_PER_SLICE)) throw new UsageError(`--h ${p.h}: ${steps.toExponential(2)} fine steps per slice; at most ${MAX_STEPS_PER_SLICE.toExponential(0)} (give a larger --h)`);
  const rows = Math.floor(steps / p.saveEvery) + 2;
  if (rows * dim > MAX_FILE_NUMBERS) {
    const every = Math.ceil((steps * dim) / MAX_FILE_NUMBERS);
    throw new UsageError(`--h ${p.h}: each fine file would hold ${(rows * dim).toExponential(2)} numbers, at most ${MAX_FILE_NUMBERS} (2 GiB); give --save-every ${every} or more, or a larger --h`);
  }
  if (p.coarseH !== undefined) {
    if (p.coarseH < p.h) throw new UsageError(`--coarse-h ${p.coarseH}: smaller than --h ${p.h}; the coarse solver must be cheaper than the fine one`);
    if (!(Math.ceil(width / p.coarseH) <= MAX_STEPS_PER_SLICE)) throw new UsageError(`--coarse-h ${p.coarseH}: too many coarse steps per slice`);
  }
}

/** a module path rather than a built-in name */
const MODULE_PATH = /[\\/]|\.(m?js|cjs|m?ts)$/;

function usage<T>(f: () => T, prefix = ""): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(prefix + (e as Error).message);
  }
}

/** The problem a run names: a built-in one, or a module imported now (bad ones are bad input). */
async function problemOf(input: RunInput): Promise<{ spec: Omit<ProblemSpec, "params">; entry: ProblemEntry }> {
  if (!MODULE_PATH.test(input.problem)) return { spec: { name: input.problem }, entry: usage(() => problemEntry(input.problem)) };
  const path = resolve(input.problem);
  if (!existsSync(path)) throw new UsageError(`--problem: no such module file: ${input.problem}`);
  const module = pathToFileURL(path).href;
  let entry: ProblemEntry;
  try {
    entry = await watchImport(module, () => loadProblemModule(module));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { spec: { name: basename(input.problem), module }, entry };
}

function checkParams(option: string, problem: string, entry: ProblemEntry, params: Readonly<Record<string, number>>): void {
  for (const [key, value] of Object.entries(params)) {
    if (!hasParameter(entry, key)) throw new UsageError(`${option} ${key}=${value}: problem \`${problem}\` has no parameter \`${key}\` (it has: ${Object.keys(entry.defaults).join(", ")})`);
    if (!Number.isFinite(value)) throw new UsageError(`${option} ${key}=${value}: not a finite number`);
  }
}

/** Only what was given, so that run.json and --resume compare like with like. */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function resolveRunConfig(input: RunInput): Promise<RunConfig> {
  if (input.openfoam !== undefined) return (await import("./openfoam-config.js")).resolveOpenFoamConfig(input);
  const { spec, entry } = await problemOf(input);
  const params = { ...(input.params ?? {}) };
  checkParams("--param", input.problem, entry, params);
  const problem: ProblemSpec = { ...spec, params };
  const dim = usage(() => buildProblem(problem).dim);
  if (input.coarseParams !== undefined && Object.keys(input.coarseParams).length > 0) {
    if (!entry.regrid) throw new UsageError(`--coarse-param: problem \`${input.problem}\` has no grid mapping (regrid); only problems on a grid, such as heat1d, can run their coarse solver on another grid`);
    checkParams("--coarse-param", input.problem, entry, input.coarseParams);
    // a coarse grid the problem cannot build is bad input, found now rather than in the first job
    const given = Object.entries(input.coarseParams).map(([k, v]) => `${k}=${v}`).join(" ");
    usage(() => buildProblem({ ...problem, params: { ...params, ...input.coarseParams } }), `--coarse-param ${given}: `);
  }
  const y0 = input.y0 ?? entry.y0({ ...entry.defaults, ...params });
  if (y0.length !== dim) {
    const what = input.problem === "harmonic" ? "the oscillator's state has 2 (q,p)" : `the state of \`${input.problem}\` has ${dim}`;
    throw new UsageError(`--y0 \`${y0.join(",")}\` has ${y0.length} values; ${what}`);
  }
  const points = input.points ?? entry.points;
  const tEnd = input.tEnd ?? entry.tEnd;
  const h = input.h ?? entry.fine.h;
  const layout = runLayout(input.output);
  const parameters: RunParameters = {
    problem,
    y0: [...y0],
    tEnd,
    points,
    h,
    fine: input.fine ?? entry.fine.method,
    coarse: input.coarse ?? entry.coarse.method,
    ...present({ coarseH: input.coarseH, coarseParams: input.coarseParams, fineCommand: input.fineCommand, coarseCommand: input.coarseCommand, rtol: input.rtol, atol: input.atol }),
    tol: input.tol,
    saveEvery: input.saveEvery ?? 1,
    maxIterations: input.maxIterations ?? points - 1,
    reference: input.reference ?? true,
  };
  const p = parameters;
  checkCost(p, dim);
  const resume = input.resume ?? false;
  const fineCommand = p.fineCommand === undefined ? {} : { command: { template: p.fineCommand, workdir: layout.io } };
  const coarseCommand = p.coarseCommand === undefined ? undefined : { template: p.coarseCommand, workdir: layout.io };
  return {
    problem,
    entry,
    dim,
    y0: Float64Array.from(y0),
    t: linspace(0, tEnd, points),
    tol: p.tol,
    maxIterations: p.maxIterations,
    reference: p.reference,
    resume,
    layout,
    parameters,
    modules: problem.module === undefined ? [] : [problem.module],
    coarse: (k) => coarseSpec(problem, k, p.coarse, p.coarseH, p.coarseParams, coarseCommand),
    fine: (k, archive) =>
      fineSpec(problem, k, { h, archive, saveEvery: p.saveEvery, method: p.fine, ...present({ rtol: p.rtol, atol: p.atol }), ...fineCommand, ...(resume ? { reuse: true } : {}) }),
  };
}

/** The same configuration, resuming (the output directory holds an earlier run of it). */
export function resuming(config: RunConfig): RunConfig {
  if (config.resume) return config;
  const fine = config.fine;
  return { ...config, resume: true, fine: (k, archive) => ({ ...fine(k, archive), reuse: true }) };
}
