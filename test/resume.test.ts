/** Resume: a run whose driver was killed continues from its files and ends as an undisturbed run. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadHdf5, readDataset } from "../src/archive/hdf5.js";
import type { RunReport } from "../src/parareal/driver.js";
import { runCli, spawnCli, tempDir } from "./helpers.js";

// fine jobs of about 15 ms, so the driver can be killed in the middle of the run
const args = ["--h", "5e-7", "--save-every", "100000", "--workers", "2"];

test("a run killed with SIGKILL and resumed gives the undisturbed result with fewer fine jobs computed; damaged files are recomputed", async (t) => {
  const dir = tempDir(t);
  const whole = await runCli(["run", ...args, "--json", "--output", join(dir, "whole")]);
  assert.equal(whole.code, 0, whole.stderr);
  const a = JSON.parse(whole.stdout) as RunReport;

  const out = join(dir, "killed");
  const driver = spawnCli(t, ["run", ...args, "--log", "info", "--output", out]);
  await driver.waitFor(/(maxdif of[^]*){3}/, 60_000); // three corrections taken
  driver.child.kill("SIGKILL");
  await driver.exited;

  const again = await runCli(["run", ...args, "--output", out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^parareal: output directory `\S+killed` holds a run \(running, started \S+\): give --resume to continue it, --force to overwrite it, or another --output\n$/);

  // a truncated file and one that is not HDF5 at all, under names the run will ask for
  const files = readdirSync(join(out, "parareal")).filter((n) => n.endsWith(".h5")).sort();
  assert.ok(files.length > 10, `${files.length} parareal files before the kill`);
  const truncated = join(out, "parareal", files.at(-1)!);
  truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
  const garbage = join(out, "parareal", files[0]!);
  writeFileSync(garbage, "not an HDF5 file\n");

  const resumed = await runCli(["run", ...args, "--resume", "--json", "--output", out]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const b = JSON.parse(resumed.stdout) as RunReport;
  assert.equal(b.iterations, a.iterations);
  assert.deepEqual(b.maxdif, a.maxdif);
  assert.deepEqual(b.final, a.final);
  assert.deepEqual(b.reference, a.reference);
  assert.ok(b.resumedJobs > 0 && b.referenceResumedJobs === 19, `resumed ${b.resumedJobs} + ${b.referenceResumedJobs}`);
  assert.ok(b.fineJobs < a.fineJobs, `computed ${b.fineJobs} fine jobs, the whole run ${a.fineJobs}`);
  assert.ok(b.fineJobs >= 2, "the damaged files were computed again");
  // the damaged files were written again, whole: equal to the undisturbed run's files of the same name
  await loadHdf5();
  for (const name of [files.at(-1)!, files[0]!]) {
    const redone = readDataset(join(out, "parareal", name), "data");
    const undisturbed = readDataset(join(dir, "whole", "parareal", name), "data");
    assert.deepEqual(redone.shape, undisturbed.shape, name);
    assert.deepEqual(Array.from(redone.data), Array.from(undisturbed.data), name);
    assert.deepEqual(redone.attributes, undisturbed.attributes, name);
  }
  assert.ok(readdirSync(join(out, "parareal")).every((n) => !n.endsWith(".tmp")), "no temporary file is left");

  // the same parameters only; --force starts over
  const other = await runCli(["run", ...args, "--resume", "--tol", "1e-5", "--output", out]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /^parareal: --resume: the run in `\S+killed` was made with other parameters \(tol: 0\.00001 now, 0\.0001 then\); give --force to overwrite it\n$/);
  const forced = await runCli(["run", ...args, "--force", "--json", "--output", out]);
  assert.equal(forced.code, 0, forced.stderr);
  const c = JSON.parse(forced.stdout) as RunReport;
  assert.equal(c.resumedJobs + c.referenceResumedJobs, 0);
  assert.deepEqual(c.final, a.final);
});
