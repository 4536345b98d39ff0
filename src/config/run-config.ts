/**
 * One resolved run configuration, built in one place: what the user gave (CLI flags or a library
 * call), with every default taken from the problem (its step, time span, points, initial state and
 * methods) or from the original, validated, and the coarse and fine solver specs built. Everything
 * downstream (driver, run.json, resume, the executors) reads this and nothing else.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fineNameClash } from "../archive/filename.js";
import { runLayout, type RunLayout } from "../archive/layout.js";
import { UsageError } from "../errors.js";
import { keptRows, subSteps } from "../ode/iterate.js";
import { linspace } from "../ode/linspace.js";
import type { MethodName } from "../ode/methods.js";
import type { Problem } from "../ode/problem.js";
import { buildProblem, hasParameter, problemEntry } from "../models/catalogue.js";
import type { ProblemEntry, ProblemSpec } from "../models/problem-entry.js";
import { watchImport } from "../models/import-watchdog.js";
import { loadProblemModule } from "../models/user-module.js";
import { coarseSpec, fineSpec, type CoarseSpec, type FineSpec } from "../solvers/spec.js";
import { oneLine } from "../shown.js";
import { checkDimension, checkIterateSize, checkSizeParameter, MAX_DENSE_DIMENSION } from "../size-limits.js";
import { sourceDigests, type SourceDigests } from "./source-digests.js";
import { fineRunsInDriver, type DriverJobs } from "./driver-jobs.js";
import type { OpenFoamInput, OpenFoamRunParameters, OpenFoamSetup } from "./openfoam-config.js";

export { METHOD_CHOICES, NORM_NAMES, RELAX_NAMES, type MethodChoice, type NormName, type RelaxName } from "./choices.js";
import { METHOD_CHOICES, NORM_NAMES, RELAX_NAMES, type MethodChoice, type NormName, type RelaxName } from "./choices.js";

export interface MgritSettings {
  /** levels L >= 2; level 0 is the time points */
  readonly levels: number;
  /** m >= 2: level l+1 keeps every m-th point of level l (and the last) */
  readonly coarsening: number;
  readonly relax: RelaxName;
}

/** When to stop iterating: `norm(change) < tol` or `norm(change) < rtol * norm(iterate)`. */
export interface Criteria {
  readonly norm: NormName;
  /** 0: never by the absolute test (with no rtol: run exactly maxIterations) */
  readonly tol: number;
  readonly rtol?: number;
}

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
  /** default max, the original's */
  readonly norm?: NormName;
  /** tolerance relative to the iterate's size (--rtol-iterate) */
  readonly rtolIterate?: number;
  /** default parareal */
  readonly method?: MethodChoice;
  /** MGRIT's settings, where they differ from 2 levels, coarsening 2, FCF */
  readonly mgrit?: Partial<MgritSettings>;
  readonly maxIterations?: number;
  /** time windows of this many intervals each (--window) */
  readonly window?: number;
  readonly saveEvery?: number;
  readonly reference?: boolean;
  readonly resume?: boolean;
  readonly output: string;
  /** an OpenFOAM case instead of a problem (parareal run --openfoam; see openfoam-config.ts) */
  readonly openfoam?: OpenFoamInput;
  /** which jobs the driver runs itself (default cheap: see driver-jobs.ts) */
  readonly driverJobs?: DriverJobs;
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
  /** only when not the default max (older run.json files have none) */
  readonly norm?: NormName;
  readonly rtolIterate?: number;
  /** only for MGRIT, with its settings (a parareal run's parameters are as before) */
  readonly method?: "mgrit";
  readonly mgrit?: MgritSettings;
  /** only for a windowed run */
  readonly window?: number;
  readonly saveEvery: number;
  readonly maxIterations: number;
  readonly reference: boolean;
  /** SHA-256 of the problem module and of the files solver commands name: --resume refuses when one changed */
  readonly sources?: SourceDigests;
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
  readonly criteria: Criteria;
  readonly method: MethodChoice;
  /** present for MGRIT */
  readonly mgrit?: MgritSettings;
  /** time windows of this many intervals (the last may be shorter); absent: one run over all points */
  readonly window?: number;
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

/**
 * Most time points a run may have: its scheduler holds the futures and jobs of every slice of
 * the iterations laid out (kilobytes each), and the garbage of finished ones until V8 collects it.
 * Measured: 20,001 points peak at 1.4 GB of memory in the driver, 100,001 passed 4 GB.
 */
export const MAX_POINTS = 20_001;
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

/** The stopping criteria of the parameters, checked. */
function checkCriteria(p: RunParameters): Criteria {
  const norm = p.norm ?? "max";
  if (!NORM_NAMES.includes(norm)) throw new UsageError(`--norm ${String(norm)}: unknown norm (known: ${NORM_NAMES.join(", ")})`);
  if (!(p.tol >= 0 && Number.isFinite(p.tol))) throw new UsageError(`--tol ${p.tol}: give a finite number >= 0`);
  if (p.rtolIterate !== undefined && !(p.rtolIterate >= 0 && Number.isFinite(p.rtolIterate))) throw new UsageError(`--rtol-iterate ${p.rtolIterate}: give a finite number >= 0`);
  return { norm, tol: p.tol, ...(p.rtolIterate === undefined ? {} : { rtol: p.rtolIterate }) };
}

/** MGRIT's settings, checked against the time points: every level but the coarsest must have 2 intervals or more. */
function checkMgrit(given: Partial<MgritSettings>, points: number): MgritSettings {
  const m: MgritSettings = { levels: given.levels ?? 2, coarsening: given.coarsening ?? 2, relax: given.relax ?? "FCF" };
  if (!(Number.isSafeInteger(m.levels) && m.levels >= 2)) throw new UsageError(`--levels ${m.levels}: give an integer >= 2`);
  if (!(Number.isSafeInteger(m.coarsening) && m.coarsening >= 2)) throw new UsageError(`--coarsening ${m.coarsening}: give an integer >= 2`);
  if (!RELAX_NAMES.includes(m.relax)) throw new UsageError(`--relax ${String(m.relax)}: give F or FCF`);
  // the hierarchy's arithmetic (mgrit/hierarchy.ts): level l+1 has ceil(n_l / m) intervals
  let n = points - 1;
  for (let l = 0; l < m.levels - 1; l++) {
    if (n < 2) throw new UsageError(`--levels ${m.levels} --coarsening ${m.coarsening}: level ${l} has ${n} interval${n === 1 ? "" : "s"} and cannot be coarsened; give more --points or fewer --levels`);
    n = Math.ceil(n / m.coarsening);
  }
  return m;
}

/** a module path rather than a built-in name */
const MODULE_PATH = /[\\/]|\.(m?js|cjs|m?ts)$/;

/** `f()`, its failure (a problem's build or y0 throwing, whatever it throws) as one line of bad input */
function usage<T>(f: () => T, prefix = ""): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(prefix + oneLine(e instanceof Error ? e.message : String(e)));
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
    const bound = entry.sizes && Object.hasOwn(entry.sizes, key) ? entry.sizes[key] : undefined;
    if (bound) checkSizeParameter(option, problem, key, value, bound);
  }
}

/** The problem built from its parameters, with a state size within bounds; `what` names what set them. */
function builtProblem(problem: ProblemSpec, what: string): Problem {
  const built = usage(() => buildProblem(problem), `${what}: `);
  if (typeof built !== "object" || built === null || typeof built.rhs !== "function") throw new UsageError(`${what}: build must return a problem { dim, rhs }`);
  checkDimension(built.dim, what);
  return built;
}

/** What set a problem's parameters, for messages: the options given, or the problem itself. */
function givenBy(option: string, problem: string, params: Readonly<Record<string, number>>, defaults: Readonly<Record<string, number>>): string {
  const given = Object.entries(params).filter(([k, v]) => defaults[k] !== v);
  return given.length === 0 ? `--problem ${problem}` : `${option} ${given.map(([k, v]) => `${k}=${v}`).join(" ")}`;
}

/** An implicit method on a problem with no tridiagonal Jacobian builds a dense one: dim^2 numbers. */
function checkDenseJacobian(option: string, method: MethodName, command: string | undefined, problem: Problem): void {
  if (method !== "backward-euler" || command !== undefined || problem.tridiagonalJacobian || problem.dim <= MAX_DENSE_DIMENSION) return;
  throw new UsageError(`${option} backward-euler: a state of ${problem.dim} numbers with no tridiagonal Jacobian needs a dense ${problem.dim} x ${problem.dim} one; a dense one is built for at most ${MAX_DENSE_DIMENSION} (give another method)`);
}

/** The initial state a problem's y0 gives: finite numbers, as many as the state has. */
function checkedY0(entry: ProblemEntry, params: Readonly<Record<string, number>>, problem: string): readonly number[] {
  const y0 = usage(() => entry.y0({ ...entry.defaults, ...params }), `problem \`${problem}\`: y0: `) as unknown;
  if (!Array.isArray(y0) && !(y0 instanceof Float64Array)) throw new UsageError(`problem \`${problem}\`: y0 must return an array of numbers`);
  const values = Array.from(y0 as ArrayLike<unknown>);
  const bad = values.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) throw new UsageError(`problem \`${problem}\`: y0[${bad}] is ${oneLine(typeof values[bad] === "string" ? JSON.stringify(values[bad]) : String(values[bad]), 40)}; give finite numbers`);
  return values as number[];
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
  const fineProblem = builtProblem(problem, givenBy("--param", input.problem, params, entry.defaults));
  const dim = fineProblem.dim;
  let coarseProblem = fineProblem;
  if (input.coarseParams !== undefined && Object.keys(input.coarseParams).length > 0) {
    if (!entry.regrid) throw new UsageError(`--coarse-param: problem \`${input.problem}\` has no grid mapping (regrid); only problems on a grid, such as heat1d, can run their coarse solver on another grid`);
    checkParams("--coarse-param", input.problem, entry, input.coarseParams);
    // a coarse grid the problem cannot build is bad input, found now rather than in the first job
    const given = Object.entries(input.coarseParams).map(([k, v]) => `${k}=${v}`).join(" ");
    coarseProblem = builtProblem({ ...problem, params: { ...params, ...input.coarseParams } }, `--coarse-param ${given}`);
  }
  const y0 = input.y0 ?? checkedY0(entry, params, input.problem);
  if (y0.length !== dim) {
    const what = input.problem === "harmonic" ? "the oscillator's state has 2 (q,p)" : `the state of \`${input.problem}\` has ${dim}`;
    throw new UsageError(`--y0 \`${y0.join(",")}\` has ${y0.length} values; ${what}`);
  }
  const points = input.points ?? entry.points;
  const tEnd = input.tEnd ?? entry.tEnd;
  const h = input.h ?? entry.fine.h;
  const layout = runLayout(input.output);
  const method = input.method ?? "parareal";
  if (!METHOD_CHOICES.includes(method)) throw new UsageError(`--method ${String(method)}: give parareal or mgrit`);
  if (method !== "mgrit" && input.mgrit !== undefined && Object.keys(input.mgrit).length > 0) {
    throw new UsageError(`--${Object.keys(input.mgrit)[0]}: an option of --method mgrit`);
  }
  const window = input.window;
  if (window !== undefined && !(Number.isSafeInteger(window) && window >= 1)) throw new UsageError(`--window ${window}: give a whole number of intervals >= 1`);
  // MGRIT runs on each window: every window, the last (shorter) one too, must make its levels
  const spans = window === undefined ? [points - 1] : [...new Set([Math.min(window, points - 1), (points - 1) % window || window])];
  let mgrit: MgritSettings | undefined;
  for (const intervals of method === "mgrit" ? spans : []) {
    try {
      mgrit = checkMgrit(input.mgrit ?? {}, intervals + 1);
    } catch (e) {
      throw window === undefined ? e : new UsageError(`--window ${window}: a window of ${intervals} interval${intervals === 1 ? "" : "s"}: ${(e as Error).message}`);
    }
  }
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
    ...(input.norm !== undefined && input.norm !== "max" ? { norm: input.norm } : {}),
    ...present({ rtolIterate: input.rtolIterate }),
    ...(mgrit === undefined ? {} : { method: "mgrit" as const, mgrit }),
    ...(window === undefined ? {} : { window }),
    saveEvery: input.saveEvery ?? 1,
    // MGRIT: after as many V-cycles as level-1 intervals, two-level F-relaxation is exact
    maxIterations: input.maxIterations ?? (mgrit === undefined ? points - 1 : Math.ceil((points - 1) / mgrit.coarsening)),
    reference: input.reference ?? true,
    ...present({ sources: sourceDigests(problem.module, input.fineCommand, input.coarseCommand) }),
  };
  const p = parameters;
  checkCost(p, dim);
  checkIterateSize(p.points, dim);
  checkDenseJacobian("--fine", p.fine, p.fineCommand, fineProblem);
  checkDenseJacobian("--coarse", p.coarse, p.coarseCommand, coarseProblem);
  const criteria = checkCriteria(p);
  const t = linspace(0, tEnd, points);
  const clash = fineNameClash(t);
  if (clash) throw new UsageError(`--points ${points} over --t-end ${tEnd}: ${clash}; give fewer --points or another --t-end`);
  const resume = input.resume ?? false;
  const fineCommand = p.fineCommand === undefined ? {} : { command: { template: p.fineCommand, workdir: layout.io } };
  // per slice, as checkCost counts them
  const steps = subSteps(0, tEnd / (points - 1), h);
  const inDriver = p.fineCommand === undefined && fineRunsInDriver(input.driverJobs ?? "cheap", { problem: fineProblem, method: p.fine, steps, rows: keptRows(steps, p.saveEvery) });
  const coarseCommand = p.coarseCommand === undefined ? undefined : { template: p.coarseCommand, workdir: layout.io };
  return {
    problem,
    entry,
    dim,
    y0: Float64Array.from(y0),
    t,
    tol: p.tol,
    criteria,
    method,
    ...(mgrit === undefined ? {} : { mgrit }),
    ...(window === undefined ? {} : { window }),
    maxIterations: p.maxIterations,
    reference: p.reference,
    resume,
    layout,
    parameters,
    modules: problem.module === undefined ? [] : [problem.module],
    coarse: (k) => coarseSpec(problem, k, p.coarse, p.coarseH, p.coarseParams, coarseCommand),
    fine: (k, archive) =>
      fineSpec(problem, k, { h, archive, saveEvery: p.saveEvery, method: p.fine, ...present({ rtol: p.rtol, atol: p.atol }), ...fineCommand, ...(resume ? { reuse: true } : {}), inDriver }),
  };
}

/** The same configuration, resuming (the output directory holds an earlier run of it). */
export function resuming(config: RunConfig): RunConfig {
  if (config.resume) return config;
  const fine = config.fine;
  return { ...config, resume: true, fine: (k, archive) => ({ ...fine(k, archive), reuse: true }) };
}
