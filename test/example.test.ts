import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, tempDir } from "./helpers.js";

test("examples/tutorial does what the original's tutorial does", async (t) => {
  const dir = tempDir(t);
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [join(repoRoot, "dist", "examples", "tutorial.js"), dir], { timeout: 60_000 }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
    ),
  );
  assert.match(stdout, /^converged: true after 14 iterations/);
  assert.match(stdout, /maxdif: 1\.338596 2\.929575 /);
  assert.equal(readdirSync(join(dir, "euler")).length, 19);
  assert.ok(readdirSync(join(dir, "parareal")).length >= 175);
  // last row: parareal is within the tolerance of the fine reference, and near the exact solution
  const last = stdout.trim().split("\n").at(-1)!.trim().split(/\s+/).map(Number);
  assert.equal(last[0], 15);
  assert.ok(Math.abs(last[1]! - last[2]!) < 1e-4);
  assert.ok(Math.abs(last[1]! - last[3]!) < 1e-2);
});
