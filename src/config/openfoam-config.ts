/**
 * The run configuration of `parareal run --openfoam CASE`: an OpenFOAM case whose application is
 * both solvers, the fine one at --fine-dt and the coarse one at --coarse-dt (optionally on a
 * coarser mesh, --coarse-case). Resolved in two steps: `resolveOpenFoamConfig` checks what the
 * user gave against the case and OpenFOAM before the output directory is claimed (so bad input
 * costs nothing); `prepareOpenFoamRun`, once the output is ours, prepares the case inside it
 * (<output>/openfoam-case) and gives the initial state and the solver specs.
 */
import { existsSync, readFileSync } from "node:fs";
import { readRegularFile } from "../archive/regular-file.js";
import { join, resolve } from "node:path";
import { runLayout } from "../archive/layout.js";
import { UsageError } from "../errors.js";
import { FIELD_NAME } from "../jobs/openfoam-schema.js";
import { linspace } from "../ode/linspace.js";
import { fineNameClash } from "../archive/filename.js";
import { getEntry } from "../openfoam/controldict.js";
import { findApplication, foamEnvironment, OpenFoamUnavailable } from "../openfoam/environment.js";
import { fieldNames } from "../openfoam/field-state.js";
import { initialState, numberEntry, prepareCase, PREPARED_RECORD, templateStart, type PreparedCase } from "../openfoam/prepare-case.js";
import { OPENFOAM_PROBLEM, portableCase, PREPARED_CASE_DIR, PREPARED_COARSE_CASE_DIR, type OpenFoamSolver } from "../openfoam/spec.js";
import { coarseSpec, fineSpec } from "../solvers/spec.js";
import { MAX_FILE_NUMBERS, MAX_POINTS, type RunConfig, type RunInput } from "./run-config.js";

/** What the user gives for an OpenFOAM run (beside --t-end, --points, --tol, ...). */
export interface OpenFoamInput {
  /** the case directory (the template: it is copied, never written to) */
  readonly case: string;
  /** the solver application (default: the controlDict's `application`) */
  readonly app?: string;
  /** the fields of the state (default: every field the application writes) */
  readonly fields?: readonly string[];
  /** a case on a coarser mesh for the coarse solver */
  readonly coarseCase?: string;
  /** deltaT of the fine solver (default: the case's) and of the coarse one */
  readonly fineDt?: number;
  readonly coarseDt?: number;
  /** keep every job's scratch copy */
  readonly keepCases?: boolean;
}

/** What run.json records of the case, and --resume compares. */
export interface OpenFoamParameters {
  readonly case: string;
  readonly app: string;
  readonly fields?: readonly string[];
  readonly coarseCase?: string;
  readonly fineDt: number;
  readonly coarseDt: number;
  readonly startTime: number;
}

/** The parameters of an OpenFOAM run: the case instead of a problem, its y0 and its methods. */
export type OpenFoamRunParameters = {
  readonly openfoam: OpenFoamParameters;
  readonly tEnd: number;
  readonly points: number;
  readonly tol: number;
  readonly saveEvery: number;
  readonly maxIterations: number;
  readonly reference: boolean;
};

/** The OpenFOAM part of a run configuration; the prepared cases once prepareOpenFoamRun made them. */
export interface OpenFoamSetup {
  readonly parameters: OpenFoamParameters;
  readonly keepCases: boolean;
  readonly prepared?: PreparedCase;
  readonly coarsePrepared?: PreparedCase;
}

/** Points of an OpenFOAM run when --points is not given: 10 slices. */
export const DEFAULT_OPENFOAM_POINTS = 11;

function controlOf(dir: string, option: string, given: string): string {
  const path = join(dir, "system", "controlDict");
  if (!existsSync(path)) throw new UsageError(`${option} ${given}: not an OpenFOAM case (no system/controlDict in ${dir})`);
  return readFileSync(path, "latin1");
}

function usage<T>(f: () => T, prefix = ""): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OpenFoamUnavailable || e instanceof UsageError) throw e;
    throw new UsageError(prefix + (e as Error).message);
  }
}

function notPrepared(): never {
  throw new Error("the OpenFOAM case is not prepared yet (prepareOpenFoamRun)");
}

/** Check an OpenFOAM run's input against the case and the installed OpenFOAM; nothing is written. */
export async function resolveOpenFoamConfig(input: RunInput): Promise<RunConfig> {
  const of = input.openfoam;
  if (of === undefined) throw new Error("resolveOpenFoamConfig: not an OpenFOAM run");
  const template = resolve(of.case);
  const control = controlOf(template, "--openfoam", of.case);
  const where = join(template, "system", "controlDict");
  const app = of.app ?? getEntry(control, "application")?.[0];
  if (app === undefined) throw new UsageError(`--openfoam ${of.case}: its controlDict names no application; give --app`);
  if (!/^[\w.+-]+$/.test(app)) throw new UsageError(`--app \`${app}\`: not an application name`);
  // OpenFOAM itself first: missing or unsourced, it is one line (exit 1), whatever else is wrong
  const foam = foamEnvironment();
  usage(() => findApplication(foam, app), of.app === undefined ? `--openfoam ${of.case}: ` : "--app: ");
  for (const f of of.fields ?? []) {
    if (!FIELD_NAME.test(f)) throw new UsageError(`--fields: \`${f}\` is not a field name`);
    if (f === "data") throw new UsageError("--fields: a field called `data` would clash with the fine files' dataset of the whole state");
  }
  const start = usage(() => templateStart(template, control), `--openfoam ${of.case}: `);
  const fineDt = of.fineDt ?? usage(() => numberEntry(control, "deltaT", where));
  if (fineDt === undefined || !(fineDt > 0)) throw new UsageError(`--openfoam ${of.case}: its controlDict has no deltaT; give --fine-dt`);
  if (of.coarseDt === undefined) throw new UsageError("--openfoam needs --coarse-dt: the coarse solver's time step");
  if (of.coarseDt < fineDt) throw new UsageError(`--coarse-dt ${of.coarseDt}: smaller than the fine step ${fineDt}; the coarse solver must be cheaper than the fine one`);
  const tEnd = input.tEnd ?? usage(() => numberEntry(control, "endTime", where));
  if (tEnd === undefined) throw new UsageError(`--openfoam ${of.case}: its controlDict has no endTime; give --t-end`);
  if (!(tEnd > start.value)) throw new UsageError(`--t-end ${tEnd}: not after the case's start time ${start.value}`);
  const points = input.points ?? DEFAULT_OPENFOAM_POINTS;
  if (points > MAX_POINTS) throw new UsageError(`--points ${points}: at most ${MAX_POINTS} time points`);
  const width = (tEnd - start.value) / (points - 1);
  if (!(width >= fineDt)) throw new UsageError(`--fine-dt ${fineDt}: the slices are ${width} wide, narrower than the fine step; give a smaller --fine-dt or fewer --points`);
  const clash = fineNameClash(linspace(start.value, tEnd, points));
  if (clash) throw new UsageError(`--points ${points} over --t-end ${tEnd}: ${clash}; give fewer --points or another --t-end`);
  let coarseCase: string | undefined;
  if (of.coarseCase !== undefined) {
    coarseCase = resolve(of.coarseCase);
    controlOf(coarseCase, "--coarse-case", of.coarseCase);
  }
  const parameters: OpenFoamRunParameters = {
    openfoam: {
      case: template,
      app,
      ...(of.fields === undefined ? {} : { fields: [...of.fields] }),
      ...(coarseCase === undefined ? {} : { coarseCase }),
      fineDt,
      coarseDt: of.coarseDt,
      startTime: start.value,
    },
    tEnd,
    points,
    tol: input.tol,
    saveEvery: input.saveEvery ?? 1,
    // the last correction with every slice exact needs one iteration more than the slices
    maxIterations: input.maxIterations ?? points,
    reference: input.reference ?? true,
  };
  return {
    problem: OPENFOAM_PROBLEM,
    dim: 0,
    y0: new Float64Array(0),
    t: linspace(start.value, tEnd, points),
    tol: parameters.tol,
    // the original's criteria: max |y^k - y^(k-1)| < tol over every field's values
    criteria: { norm: "max", tol: parameters.tol },
    method: "parareal",
    maxIterations: parameters.maxIterations,
    reference: parameters.reference,
    resume: input.resume ?? false,
    layout: runLayout(input.output),
    parameters,
    modules: [],
    openfoam: { parameters: parameters.openfoam, keepCases: of.keepCases ?? false },
    coarse: notPrepared,
    fine: notPrepared,
  };
}

/** A prepared case left in the output by an earlier run of the same case, for --resume. */
function earlierPrepared(dir: string, p: OpenFoamParameters, app: string, template: string, fields: readonly string[] | undefined): PreparedCase | undefined {
  let prepared: PreparedCase;
  try {
    prepared = JSON.parse(readRegularFile(join(dir, PREPARED_RECORD), "utf8")) as PreparedCase; // a FIFO there is no record
  } catch {
    return undefined;
  }
  const same = prepared.template === template && prepared.app === app && prepared.startTime === p.startTime && resolve(prepared.dir) === dir;
  return same && (fields === undefined || JSON.stringify(fieldNames(prepared.layout)) === JSON.stringify([...fields].sort())) ? prepared : undefined;
}

function prepareOne(root: string, name: string, template: string, app: string, fields: readonly string[] | undefined, resume: boolean, p: OpenFoamParameters): PreparedCase {
  const dir = join(root, name);
  const earlier = resume ? earlierPrepared(dir, p, app, template, fields) : undefined;
  if (earlier) return portableCase(earlier);
  return portableCase(usage(() => prepareCase({ template, root, name, app, ...(fields ? { fields } : {}), replace: true })));
}

/**
 * Prepare the case (and the coarse case) inside the run's output, which the caller has claimed;
 * returns the configuration with the initial state and the solver specs. With --resume, a prepared
 * case an earlier run of the same case left is used as it is (its state is what the files start from).
 */
export function prepareOpenFoamRun(config: RunConfig): RunConfig {
  const setup = config.openfoam;
  if (setup === undefined) return config;
  const p = setup.parameters;
  const root = config.layout.root;
  const prepared = prepareOne(root, PREPARED_CASE_DIR, p.case, p.app, p.fields, config.resume, p);
  const fields = fieldNames(prepared.layout);
  if (fields.includes("data")) throw new UsageError("--openfoam: the case has a field called `data`, which would clash with the fine files' dataset of the whole state; name the fields (--fields)");
  // the coarse mesh carries the same fields (mapFields maps the vol fields, the solver remakes phi)
  const coarsePrepared = p.coarseCase === undefined ? undefined : prepareOne(root, PREPARED_COARSE_CASE_DIR, p.coarseCase, p.app, fields, config.resume, p);
  const dim = prepared.layout.size;
  const width = (config.t[config.t.length - 1]! - config.t[0]!) / (config.t.length - 1);
  const rows = Math.floor(Math.ceil(width / p.fineDt) / config.parameters.saveEvery) + 2;
  if (2 * rows * dim > MAX_FILE_NUMBERS) {
    throw new UsageError(`--fine-dt ${p.fineDt}: each fine file would hold ${(2 * rows * dim).toExponential(2)} numbers (${dim} a state), at most ${MAX_FILE_NUMBERS}; give --save-every ${Math.ceil((2 * rows * dim) / MAX_FILE_NUMBERS) * config.parameters.saveEvery} or more`);
  }
  const solver: OpenFoamSolver = { case: prepared, root, ...(setup.keepCases ? { keep: true } : {}) };
  const coarseSolver: OpenFoamSolver = coarsePrepared === undefined ? solver : { ...solver, coarseCase: coarsePrepared };
  const { saveEvery } = config.parameters;
  const reuse = config.resume ? { reuse: true } : {};
  return {
    ...config,
    dim,
    y0: initialState(prepared),
    openfoam: { ...setup, prepared, ...(coarsePrepared ? { coarsePrepared } : {}) },
    coarse: (k) => ({ ...coarseSpec(OPENFOAM_PROBLEM, k, undefined, p.coarseDt), openfoam: coarseSolver }),
    fine: (k, archive) => ({ ...fineSpec(OPENFOAM_PROBLEM, k, { h: p.fineDt, archive, saveEvery, ...reuse }), openfoam: solver }),
  };
}
