/**
 * Job payloads arrive from a queue that others may write to: check their shape (valibot schema)
 * and confine every path in them to the run's archive root before anything is read or written.
 * The input expression itself is checked by the codec's decoder (operations, sizes, depth).
 */
import * as v from "valibot";
import { HINT_MAX_LENGTH } from "../archive/snapshot-cache.js";
import { decode } from "../expr/codec.js";
import { snapshots } from "../expr/vector.js";
import { METHODS } from "../ode/methods.js";
import { confine } from "./confine.js";
import { confineOpenFoam, openFoamSolverSchema } from "./openfoam-schema.js";
import type { JobPayload } from "./payload.js";

const finite = v.pipe(v.number(), v.finite());
const positive = v.pipe(v.number(), v.finite(), v.minValue(Number.MIN_VALUE));
const count = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(Number.MAX_SAFE_INTEGER));
const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const params = v.pipe(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z]\w{0,63}$/)), finite), v.check((p) => Object.keys(p).length <= 256, "too many parameters"));
const encodedNumber = v.union([finite, v.picklist(["NaN", "Infinity", "-Infinity", "-0"])]);

const problem = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  params,
  module: v.optional(v.pipe(v.string(), v.startsWith("file:"), v.maxLength(4096))),
});
const command = v.strictObject({ template: v.pipe(v.string(), v.minLength(1), v.maxLength(16384)), workdir: path });
const common = {
  iteration: count(0),
  problem,
  method: v.picklist(METHODS),
  command: v.optional(command),
  openfoam: v.optional(openFoamSolverSchema),
};

const solver = v.variant("kind", [
  v.strictObject({ kind: v.literal("coarse"), ...common, h: v.optional(positive), coarseParams: v.optional(params) }),
  v.strictObject({
    kind: v.literal("fine"),
    ...common,
    h: positive,
    archive: path,
    // a file name prefix, never a path
    name: v.pipe(v.string(), v.regex(/^[\w.-]{1,128}$/), v.check((n) => n !== "." && n !== "..", "not a name")),
    saveEvery: count(1),
    rtol: v.optional(positive),
    atol: v.optional(positive),
    reuse: v.optional(v.boolean()),
    inDriver: v.optional(v.boolean()),
  }),
]);

const payload = v.strictObject({
  solver,
  input: v.unknown(),
  t0: finite,
  t1: finite,
  hints: v.pipe(v.array(v.tuple([v.pipe(v.string(), v.maxLength(8192)), v.pipe(v.array(encodedNumber), v.maxLength(HINT_MAX_LENGTH))])), v.maxLength(64)),
});

/**
 * A checked payload, or an error saying what is wrong with it (one line). Every path it names
 * (fine archive, command directory, OpenFOAM cases, snapshots in its input) must lie inside the run's root.
 */
export function checkPayload(value: unknown, root: string): JobPayload {
  const r = v.safeParse(payload, value);
  if (!r.success) {
    const issue = r.issues[0];
    const where = (issue && v.getDotPath(issue)) ?? "payload";
    throw new Error(`malformed job payload: ${where}: ${issue?.message ?? "invalid"}`);
  }
  const p = r.output as JobPayload;
  let input;
  try {
    input = decode(p.input);
  } catch (e) {
    throw new Error(`malformed job payload: input: ${(e as Error).message}`);
  }
  if (p.solver.kind === "fine") confine(p.solver.archive, root, "archive");
  if (p.solver.command) confine(p.solver.command.workdir, root, "command directory");
  if (p.solver.openfoam) confineOpenFoam(p.solver.openfoam, root);
  for (const s of snapshots(input)) confine(s.path, root, "snapshot file");
  return p;
}
