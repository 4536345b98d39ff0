/** Solvers rebuilt from specs: what a worker thread does for every job. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { reduce } from "../src/evaluate/reduce.js";
import { literal } from "../src/expr/vector.js";
import { methodKey } from "../src/solvers/method-cache.js";
import { runSolver } from "../src/solvers/run-solver.js";
import { coarseSpec } from "../src/solvers/spec.js";
import { checkTrust, TRUST_NONE } from "../src/solvers/trust.js";
import { repoRoot, tempDir } from "./helpers.js";

/** A module `model.mjs` of exponential decay y' = -rate y, in a directory of its own. */
function decayModule(dir: string, rate: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "model.mjs");
  writeFileSync(
    path,
    `export default { defaults: { k: 1 }, build: (p) => ({ dim: 1, rhs(_t, y, d) { d[0] = -${rate} * p.k * y[0]; } }),
      y0: () => [1], tEnd: 1, points: 3, fine: { method: "euler", h: 0.1 }, coarse: { method: "euler" } };\n`,
  );
  return pathToFileURL(path).href;
}

test("two runs' modules with the same file name are two problems, not one (method memo keyed by module)", async (t) => {
  const dir = tempDir(t);
  const a = decayModule(join(dir, "a"), 1);
  const b = decayModule(join(dir, "b"), 3);
  const step = async (module: string) => {
    const spec = coarseSpec({ name: "model.mjs", params: {}, module }, 0);
    const { value } = await runSolver(spec, literal([1]), 0, 0.1);
    return reduce(value)[0];
  };
  // one forward Euler step of 0.1: 1 - 0.1 rate
  assert.equal(await step(a), 1 - 0.1 * 1);
  assert.equal(await step(b), 1 - 0.1 * 3);
  assert.equal(await step(a), 1 - 0.1 * 1, "and the first again, after the second");
  const key = (module: string | undefined, params: Record<string, number>) => methodKey("euler", { name: "model.mjs", params, ...(module ? { module } : {}) });
  assert.notEqual(key(a, {}), key(b, {}));
  assert.equal(key(a, { x: 1, y: 2 }), key(a, { y: 2, x: 1 }), "parameter order does not matter");
});

test("trust is passed explicitly: a worker without it refuses modules and commands", () => {
  const module = pathToFileURL(join(repoRoot, "examples", "problems", "decay.mjs")).href;
  assert.throws(() => checkTrust(coarseSpec({ name: "decay.mjs", params: {}, module }, 0), TRUST_NONE), /does not load problem modules .* start it with --allow-modules/);
  const command = { ...coarseSpec({ name: "harmonic", params: {} }, 0), command: { template: "x {in} {out}", workdir: "/tmp" } };
  assert.throws(() => checkTrust(command, TRUST_NONE), /does not run solver commands .* start it with --allow-commands/);
});
