/**
 * The `openfoam` part of a solver spec as a job from a queue brings it: a prepared case (and a
 * coarse one), checked for shape before anything is copied or run. Names that become paths (field
 * names, the start time's directory) are single words; the layout must add up (segments one after
 * another, components as their type says), so a job cannot make a worker read past a state or
 * allocate without bound. A job names no bashrc: a worker runs its own OpenFOAM. The paths
 * themselves are confined to the run's root by confineOpenFoam.
 */
import * as v from "valibot";
import { MAX_LITERAL_LENGTH } from "../expr/codec.js";
import { VALUE_TYPES, type ValueType } from "../openfoam/foam-file.js";
import type { OpenFoamSolver } from "../openfoam/spec.js";
import { confine } from "./confine.js";

const finite = v.pipe(v.number(), v.finite());
const count = (min: number, max = Number.MAX_SAFE_INTEGER) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
/** an OpenFOAM word that names a file: never `.`, `..` or anything with `/` */
export const FIELD_NAME = /^[A-Za-z_][\w.:-]{0,255}$/;

const segment = v.strictObject({
  name: v.pipe(v.string(), v.regex(FIELD_NAME)),
  patch: v.optional(v.pipe(v.string(), v.regex(/^[\w.:-]{1,256}$/))),
  class: v.pipe(v.string(), v.regex(/^(vol|surface)(Scalar|Vector|SphericalTensor|SymmTensor|Tensor)Field$/)),
  type: v.picklist(Object.keys(VALUE_TYPES) as ValueType[]),
  components: count(1, 9),
  count: count(0, MAX_LITERAL_LENGTH),
  offset: count(0, MAX_LITERAL_LENGTH),
});

const layout = v.pipe(
  v.strictObject({ fields: v.pipe(v.array(segment), v.minLength(1), v.maxLength(65536)), size: count(1, MAX_LITERAL_LENGTH) }),
  v.check((l) => {
    let at = 0;
    for (const f of l.fields) {
      if (f.offset !== at || f.components !== VALUE_TYPES[f.type]) return false;
      at += f.count * f.components;
    }
    return at === l.size;
  }, "segments do not add up to the state size"),
);

export const preparedCaseSchema = v.strictObject({
  dir: path,
  /** the user's case, only named in messages: never read by a job */
  template: v.pipe(v.string(), v.maxLength(4096)),
  app: v.pipe(v.string(), v.regex(/^[\w.+-]{1,256}$/)),
  startTime: finite,
  startName: v.pipe(v.string(), v.regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/)),
  timePrecision: count(1, 64),
  layout,
});

export const openFoamSolverSchema = v.strictObject({
  case: preparedCaseSchema,
  coarseCase: v.optional(preparedCaseSchema),
  root: path,
  keep: v.optional(v.boolean()),
});

/** Every directory an OpenFOAM spec names lies inside the run's root (scratch copies included). */
export function confineOpenFoam(of: OpenFoamSolver, root: string): void {
  confine(of.root, root, "OpenFOAM scratch root");
  confine(of.case.dir, root, "OpenFOAM case");
  if (of.coarseCase) confine(of.coarseCase.dir, root, "OpenFOAM coarse case");
}
