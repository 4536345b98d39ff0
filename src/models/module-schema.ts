/**
 * A problem module's default export, checked when the module is loaded (valibot schema): a
 * missing `fine`, a fractional `points`, an unknown method or a negative step is one line naming
 * the field, at the start of a run, not a JavaScript error in the first job or a run that never
 * converges. What its functions return (build's problem, y0's state) is checked where they are
 * called (config/run-config.ts).
 */
import * as v from "valibot";
import { METHODS } from "../ode/method-names.js";
import { shownValue } from "../shown.js";
import type { ProblemDefinition } from "./problem-entry.js";

/** Most time points (MAX_POINTS in config/run-config.ts; not imported: this loads in every worker). */
const MAX_POINTS = 20_001;

const finite = v.pipe(v.number("must be a number"), v.finite("must be a finite number"));
const positive = v.pipe(finite, v.gtValue(0, "must be > 0"));
const method = v.picklist(METHODS, `must be one of ${METHODS.join(", ")}`);
const fn = v.function("must be a function");
const name = v.pipe(v.string(), v.regex(/^[A-Za-z]\w{0,63}$/, "must be a name of letters, digits and _ (at most 64)"));
const bound = v.pipe(v.number("must be a number"), v.safeInteger("must be an integer"), v.minValue(0, "must be >= 0"));

const definition = v.looseObject(
  {
    description: v.optional(v.pipe(v.string("must be a string"), v.maxLength(4096, "must be at most 4096 characters"))),
    defaults: v.pipe(
      v.record(name, finite, "must be an object of numbers { name: value }"),
      v.check((d) => Object.keys(d).length <= 256, "must have at most 256 parameters"),
    ),
    build: fn,
    y0: fn,
    tEnd: positive,
    points: v.pipe(v.number("must be a number"), v.safeInteger("must be an integer"), v.minValue(2, "must be an integer >= 2"), v.maxValue(MAX_POINTS, `must be at most ${MAX_POINTS}`)),
    fine: v.looseObject({ method, h: positive }, "must be an object { method, h }"),
    coarse: v.looseObject({ method }, "must be an object { method }"),
    regrid: v.optional(fn),
    sizes: v.optional(
      v.record(
        name,
        v.pipe(
          v.looseObject({ min: bound, max: bound }, "must be an object { min, max }"),
          v.check((b) => b.min <= b.max, "must have min <= max"),
        ),
        "must be an object { name: { min, max } }",
      ),
    ),
  },
  "must be an object: export default defineProblem({ defaults, build, y0, tEnd, points, fine, coarse })",
);

function where(issue: v.BaseIssue<unknown>): string {
  const keys = issue.path?.map((p) => String(p.key)) ?? [];
  return keys.length === 0 ? "its default export" : keys.join(".");
}

function shown(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "number") return String(value);
  return shownValue(value, 40);
}

/** The definition, checked; else an Error naming the field, the value and what is allowed. */
export function checkDefinition(value: unknown, url: string): ProblemDefinition {
  const r = v.safeParse(definition, value);
  if (r.success) {
    // sizes name parameters of the problem's own
    for (const key of Object.keys(r.output.sizes ?? {})) {
      if (!Object.hasOwn(r.output.defaults, key)) throw new Error(`problem module ${url}: sizes.${key} names no parameter of defaults`);
    }
    return value as ProblemDefinition;
  }
  const issue = r.issues[0]!;
  const field = where(issue);
  const what = issue.input === undefined && field !== "its default export" ? "is missing" : `${issue.message}, not ${shown(issue.input)}`;
  throw new Error(`problem module ${url}: ${field} ${what}`);
}
