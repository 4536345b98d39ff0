// The test suite: most files run three at a time (they spend much of their time waiting on child
// processes, servers and sleeps), then the few whose assertions are about timing after them, so
// that a busy machine cannot fail them: the deadlines (signals, Redis faults) two at a time (one of
// them mostly waits), the projection of wall times alone.
//   node scripts/run-tests.mjs            every test (npm test)
//   node scripts/run-tests.mjs --unit     the fast tier: no child processes, servers or browser
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = join("dist", "test");
const all = readdirSync(dir).filter((n) => n.endsWith(".test.js"));
const name = (f) => f.replace(/\.test\.js$/, "");

/** assertions about deadlines: after the rest, two at a time */
const deadlines = new Set(["hardening", "redis-trust"]);
/** assertions about measured wall times: alone, last */
const alone = new Set(["projection"]);
/** no process, server or browser: the development tier */
const unit = new Set(["expr", "ode", "integrators", "archive", "parareal", "structure", "solvers", "mgrit", "criteria", "windows", "kernel", "hdf5-writer"]);
/** the longest first (wall time, three at a time), so that three at a time finish together */
const long = ["redis", "openfoam-run", "openfoam", "cli", "problems", "faults", "inputs", "blackbox", "archive-tools", "load", "resume", "archive-consistency", "mgrit-run", "output-guard", "redis-attacks", "payload", "redis-security", "dashboard"];

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files.map((f) => join(dir, f))], { stdio: "inherit" });
  return r.status ?? 1;
}

if (process.argv.includes("--unit")) {
  process.exit(run(all.filter((f) => unit.has(name(f))), 2));
}
const rank = (f) => {
  const i = long.indexOf(name(f));
  return i < 0 ? long.length : i;
};
const parallel = all.filter((f) => !deadlines.has(name(f)) && !alone.has(name(f))).sort((a, b) => rank(a) - rank(b));
const statuses = [run(parallel, 3), run(all.filter((f) => deadlines.has(name(f))), 2), run(all.filter((f) => alone.has(name(f))), 1)];
process.exit(statuses.find((s) => s !== 0) ?? 0);
