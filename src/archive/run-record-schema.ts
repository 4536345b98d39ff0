/**
 * run.json as data anyone could have edited: checked against a valibot schema before any value
 * of it is used, so a wrong type or a huge count becomes one line naming the file, the problem and
 * where it is, never a JavaScript error or a loop that does not end.
 *
 * Unknown keys are tolerated and kept (a later version may add fields; the format string says
 * when the shape changes). Keys named `__proto__`, `prototype` or `constructor` are dropped by
 * valibot, so they never reach an object's prototype.
 */
import * as v from "valibot";
import { METHODS } from "../ode/methods.js";
import { shownValue } from "../shown.js";
import type { RunRecord } from "./run-record.js";

export const RUN_FORMAT = "parareal-run/1";

/** Most job records a run.json may hold: the writer keeps 20,000, a library caller may keep more. */
export const MAX_JOB_RECORDS = 1_000_000;
/** Most time points a run.json may name: what runs were allowed before (MAX_POINTS in config/run-config.ts is now 20,001). */
const MAX_POINTS = 100_001;

const finite = v.pipe(v.number("must be a number"), v.finite("must be a finite number"));
const nonNegative = v.pipe(finite, v.minValue(0, "must be >= 0"));
const positive = v.pipe(finite, v.gtValue(0, "must be > 0"));
const count = (min: number) =>
  v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(min, `must be an integer >= ${min}`), v.maxValue(Number.MAX_SAFE_INTEGER, "is too large"));
const text = (max: number) => v.pipe(v.string("must be a string"), v.maxLength(max, `must be at most ${max} characters`));
/** JSON has no NaN: JSON.stringify writes NaN (and infinities) as null, which reads back as NaN */
const numberOrNaN = v.union([finite, v.pipe(v.null(), v.transform(() => Number.NaN))], "must be a number or null (NaN)");
const params = v.record(text(64), finite, "must be an object of numbers");

const problem = v.looseObject(
  {
    name: v.pipe(text(256), v.minLength(1, "must not be empty")),
    params,
    module: v.optional(text(4096)),
  },
  "must be an object { name, params }",
);

/** An OpenFOAM run's solvers (OpenFoamParameters in config/openfoam-config.ts); more keys are kept. */
const openfoam = v.looseObject(
  {
    case: text(4096),
    app: text(256),
    fineDt: positive,
    coarseDt: positive,
  },
  "must be an object { case, app, fineDt, coarseDt }",
);

/**
 * What `parareal run` writes (RunParameters in config/run-config.ts, or OpenFoamRunParameters for
 * an OpenFOAM case: then `openfoam` instead of problem, y0, h and the methods); more keys are kept.
 */
const parameters = v.pipe(
  v.looseObject(
  {
    problem: v.optional(problem),
    openfoam: v.optional(openfoam),
    y0: v.optional(v.pipe(v.array(finite, "must be an array of numbers"), v.minLength(1, "must not be empty"), v.maxLength(1 << 24, "is too long"))),
    tEnd: positive,
    points: v.pipe(count(2), v.maxValue(MAX_POINTS, `must be at most ${MAX_POINTS}`)),
    h: v.optional(positive),
    fine: v.optional(v.picklist(METHODS, `must be one of ${METHODS.join(", ")}`)),
    coarse: v.optional(v.picklist(METHODS, `must be one of ${METHODS.join(", ")}`)),
    coarseH: v.optional(positive),
    coarseParams: v.optional(params),
    fineCommand: v.optional(text(16384)),
    coarseCommand: v.optional(text(16384)),
    rtol: v.optional(positive),
    atol: v.optional(positive),
    tol: nonNegative,
    saveEvery: count(1),
    maxIterations: count(0),
    reference: v.boolean("must be true or false"),
    sources: v.optional(
      v.looseObject(
        { module: v.optional(text(256)), fineCommand: v.optional(v.record(text(4096), text(256), "must be an object of digests")), coarseCommand: v.optional(v.record(text(4096), text(256), "must be an object of digests")) },
        "must be an object { module, fineCommand, coarseCommand }",
      ),
    ),
  },
  "must be an object",
  ),
  v.check((p) => p.openfoam !== undefined || (p.problem !== undefined && p.y0 !== undefined && p.h !== undefined && p.fine !== undefined && p.coarse !== undefined), "must name a problem (problem, y0, h, fine, coarse) or an OpenFOAM case (openfoam)"),
);

const job = v.looseObject(
  {
    kind: v.pipe(text(64), v.minLength(1, "must not be empty")),
    phase: v.picklist(["reference", "parareal"], "must be reference or parareal"),
    iteration: count(0),
    slice: count(0),
    submitted: finite,
    dispatched: v.optional(finite),
    started: v.optional(finite),
    finished: v.optional(finite),
    status: v.optional(v.picklist(["done", "reused", "cancelled", "failed"], "must be done, reused, cancelled or failed")),
    worker: v.optional(text(1024)),
    seconds: v.optional(nonNegative),
  },
  "must be an object",
);

const iterate = v.looseObject(
  {
    iteration: count(0),
    maxdif: v.optional(numberOrNaN),
    error: v.optional(numberOrNaN),
    at: finite,
    seconds: finite,
  },
  "must be an object",
);

const record = v.looseObject(
  {
    format: v.literal(RUN_FORMAT, `must be "${RUN_FORMAT}"`),
    version: text(256),
    status: v.picklist(["running", "converged", "not converged", "failed", "interrupted"], "must be running, converged, not converged, failed or interrupted"),
    started: v.pipe(text(64), v.isoTimestamp("must be an ISO time")),
    finished: v.optional(v.pipe(text(64), v.isoTimestamp("must be an ISO time"))),
    parameters,
    coarse: v.optional(v.unknown()),
    fine: v.optional(v.unknown()),
    executor: text(4096),
    host: v.optional(text(1024)),
    pid: v.optional(count(0)),
    resumedJobs: v.optional(count(0)),
    iterations: v.optional(count(0)),
    maxdif: v.optional(v.pipe(v.array(numberOrNaN, "must be an array of numbers"), v.maxLength(MAX_POINTS, `must hold at most ${MAX_POINTS} numbers`))),
    wallSeconds: v.optional(nonNegative),
    referenceSeconds: v.optional(nonNegative),
    startupSeconds: v.optional(nonNegative),
    driverBusySeconds: v.optional(nonNegative),
    workers: v.optional(count(0)),
    iterates: v.optional(v.pipe(v.array(iterate, "must be an array"), v.maxLength(MAX_POINTS, `must hold at most ${MAX_POINTS} records`))),
    speedup: v.optional(v.looseObject({}, "must be an object")),
    error: v.optional(text(1 << 20)),
    jobs: v.optional(v.pipe(v.array(job, "must be an array"), v.maxLength(MAX_JOB_RECORDS, `must hold at most ${MAX_JOB_RECORDS} records`))),
  },
  "must be a JSON object",
);

/** The parameters of a checked record: the keys `parareal run` writes, typed, and any others. */
export type RecordedParameters = v.InferOutput<typeof parameters>;
/** A record that passed the schema. */
export type CheckedRunRecord = RunRecord & { readonly parameters: RecordedParameters };

/** A parse failure: what is wrong and where (a path like `jobs[3].status`, or `top level`). */
export class RunRecordError extends Error {
  constructor(
    readonly what: string,
    readonly where: string,
  ) {
    super(`${what} (${where})`);
    this.name = "RunRecordError";
  }
}

function describeWhere(issue: v.BaseIssue<unknown>): string {
  const keys = issue.path?.map((p) => p.key) ?? [];
  if (keys.length === 0) return "top level";
  return keys.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

function shown(value: unknown): string {
  if (value === undefined) return "missing";
  return shownValue(value, 40);
}

/** The checked record, or a RunRecordError saying what is wrong and where. */
export function parseRunRecord(value: unknown): CheckedRunRecord {
  const r = v.safeParse(record, value);
  if (!r.success) {
    const issue = r.issues[0]!;
    const where = describeWhere(issue);
    // a missing key is `undefined` in valibot's issue; say so rather than print a type name
    const what = issue.input === undefined && where !== "top level" ? "is missing" : `${issue.message}, not ${shown(issue.input)}`;
    throw new RunRecordError(where === "top level" ? `run record ${what}` : what, where);
  }
  const out = r.output as unknown as CheckedRunRecord;
  if (out.iterations !== undefined && out.iterations > out.parameters.maxIterations) {
    throw new RunRecordError(`${out.iterations} iterations, more than maxIterations ${out.parameters.maxIterations}`, "iterations");
  }
  if (out.iterations !== undefined && out.maxdif !== undefined && out.maxdif.length !== out.iterations) {
    throw new RunRecordError(`${out.maxdif.length} maxdif values for ${out.iterations} iterations (one per iteration)`, "maxdif");
  }
  return out;
}

/** JSON.parse's error as line and column (V8 says "at position N", with or without them). */
export function jsonErrorWhere(text: string, error: Error): RunRecordError {
  const message = error.message.replace(/\s*\(line \d+ column \d+\)$/, "");
  const m = / at position (\d+)/.exec(message);
  const what = `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "").replace(/ at position \d+.*$/, "")}`;
  if (!m) return new RunRecordError(what, "top level");
  const position = Number(m[1]);
  const before = text.slice(0, position).split("\n");
  return new RunRecordError(what, `line ${before.length}, column ${before.at(-1)!.length + 1}`);
}
