import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { StudyRow } from "../src/cli/study-command.js";
import { originalDemo, runCli, tempDir } from "./helpers.js";

test("study: less damping needs more iterations; each row is the run with that damping", async (t) => {
  const dir = tempDir(t);
  const r = await runCli(["study", "--zeta", "0.2,0.5,0.9", "--json", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as StudyRow[];
  assert.deepEqual(rows.map((x) => x.zeta), [0.2, 0.5, 0.9]);
  assert.ok(rows.every((x) => x.converged));
  assert.ok(rows[0]!.iterations > rows[1]!.iterations && rows[1]!.iterations > rows[2]!.iterations, JSON.stringify(rows.map((x) => x.iterations)));
  // each is the original's run at that damping
  for (const row of rows) {
    const original = originalDemo(["1.0", String(row.zeta), "0.01", "15", "20", "1e-4"]);
    assert.equal(row.iterations, original.iterations, `zeta ${row.zeta}`);
    row.maxdif.forEach((d, k) => assert.ok(Math.abs(d - original.maxdif[k]!) <= 1e-12 * Math.max(1, d)));
  }
  assert.deepEqual(readdirSync(dir).sort(), ["zeta-0.2", "zeta-0.5", "zeta-0.9"]);
  assert.ok(readdirSync(join(dir, "zeta-0.5", "parareal")).length >= 175);

  // a second study over the first one's directories overwrites them only when told to (B.19)
  const table = await runCli(["study", "--zeta", "0.5", "--executor", "inline", "--force", "--output", dir]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^iterations to converge \(tol 0\.0001\):\n\s+zeta\s+iterations\s+converged/);
  assert.match(table.stdout, /\n\s+0\.5\s+14\s+yes\s/);
  const bad = await runCli(["study", "--zeta", "0.5,-1", "--output", dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--zeta <list>.*`0\.5,-1` is not allowed: damping ratios are >= 0/);
});
