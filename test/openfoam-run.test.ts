/**
 * `parareal run --openfoam` against real OpenFOAM (icoFoam on the cavity, v1912): the run
 * (fine deltaT 0.005, coarse 0.05, t = linspace(0, 0.5, 6), tol 1e-6) on threads converges and,
 * combined back into a case, equals a plain icoFoam run at 0.5; the same run on Redis workers gives
 * the same numbers (its first two iterations); --resume takes every fine file; bad input, a missing or unsourced OpenFOAM and
 * a diverging solver each end in one line; plot draws the field on the mesh; the payload schema
 * confines OpenFOAM jobs. One meshed cavity serves every run (blockMesh once, fields named, so no
 * probe run). 30 s on a quiet 2-core machine (load average 1), 43 s at 5, 61 s at 9.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadHdf5, readDataset } from "../src/archive/hdf5.js";
import { appRun, runAppSync } from "../src/openfoam/app-process.js";
import { setEntries } from "../src/openfoam/controldict.js";
import { readFieldFile } from "../src/openfoam/foam-file.js";
import { meshPlane } from "../src/openfoam/mesh-plane.js";
import { checkPayload } from "../src/jobs/payload-schema.js";
import { encode } from "../src/expr/codec.js";
import { literal } from "../src/expr/vector.js";
import { cliPath, repoRoot, runCli, runPythonCode, sleep, spawnCli, startRedis, startWorker, type Completed } from "./helpers.js";

const example = join(repoRoot, "examples", "openfoam", "cavity");
let work = "";
let meshed = "";

function foam(dir: string, app: string, ...args: string[]): void {
  runAppSync(appRun(dir, app, args, { log: `log.${app}-${Date.now()}` }), `in ${dir}`);
}

/** The run of the cavity, into `output`. */
function cavityRun(output: string, ...extra: string[]): string[] {
  return ["run", "--openfoam", meshed, "--fields", "U,p,phi", "--fine-dt", "0.005", "--coarse-dt", "0.05", "--t-end", "0.5", "--points", "6", "--tol", "1e-6", "--output", output, "--json", "--no-progress", ...extra];
}

function runWithEnv(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Completed> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

interface Report {
  converged: boolean;
  iterations: number;
  maxdif: number[];
  final: number[][];
  reference?: number[][];
  fineJobs: number;
  coarseJobs: number;
  resumedJobs: number;
  referenceFineJobs: number;
  referenceResumedJobs: number;
  fieldDifferences?: { field: string; maxDifference: number; maxMagnitude: number }[];
}

function report(r: Completed): Report {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function oneLine(r: Completed, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "parareal-openfoam-run-"));
  meshed = join(work, "cavity");
  cpSync(example, meshed, { recursive: true });
  foam(meshed, "blockMesh");
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** the threads run, kept for the Redis and resume tests */
let threads: Report | undefined;

test("the cavity on threads: converges; combine --openfoam gives a case whose 0.5 is a plain icoFoam run's; fine files with a dataset per field, read by h5py", async () => {
  const out = join(work, "threads");
  const r = report(await runCli(cavityRun(out, "--workers", "2")));
  threads = r;
  // the coarse step (Courant number 10) is poor: every slice must become exact, then one more correction sees no change
  assert.equal(r.converged, true);
  assert.equal(r.iterations, 6);
  assert.equal(r.maxdif[5], 0);
  assert.ok(r.maxdif[0]! > 0.1);
  assert.deepEqual([r.referenceFineJobs, r.fineJobs], [5, 15], "slices already exact are not recomputed");
  const u = r.fieldDifferences!.find((d) => d.field === "U")!;
  assert.ok(u.maxMagnitude > 0.9 && u.maxDifference <= 1e-12 * u.maxMagnitude, JSON.stringify(r.fieldDifferences));
  assert.deepEqual(readdirSync(join(out, "cases")), [], "every scratch copy removed");

  // the archive: `data` as for any solver, beside one dataset per field and patch, each with the original's attributes
  const h5 = JSON.parse(
    runPythonCode(
      `import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1], "r")
d = f["data"][:]
print(json.dumps({"shapes": {k: list(f[k].shape) for k in f}, "attrs": {k: float(v) for k, v in f["U"].attrs.items()},
  "same": bool(np.array_equal(d[:, :1200].reshape(-1, 400, 3), f["U"][:]) and np.array_equal(d[:, 1260:1660], f["p"][:]))}))`,
      [join(out, "parareal", "fine-0002-000100-000200.h5")],
    ),
  ) as { shapes: Record<string, number[]>; attrs: Record<string, number>; same: boolean };
  assert.deepEqual(h5.shapes, { U: [21, 400, 3], "U@movingWall": [21, 20, 3], data: [21, 2500], p: [21, 400], phi: [21, 760], "phi@fixedWalls": [21, 60], "phi@movingWall": [21, 20] });
  assert.deepEqual(h5.attrs, { h: 0.005, n: 20, stride: 1, t0: 0.1, t1: 0.2 });
  assert.ok(h5.same, "the field datasets are the columns of data");

  const cased = join(work, "combined");
  const c = await runCli(["combine", join(out, "parareal"), "--openfoam", cased]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /101 time directories, 0 to 0\.5/);
  assert.equal(readdirSync(cased).filter((n) => /^\d/.test(n)).length, 101, "a time directory per written step");
  // the plain tutorial run, icoFoam from 0 to 0.5 at deltaT 0.005, written in binary
  const plain = join(work, "plain");
  cpSync(meshed, plain, { recursive: true });
  const control = join(plain, "system", "controlDict");
  writeFileSync(control, setEntries(readFileSync(control, "latin1"), { endTime: 0.5, writeInterval: 100, writeFormat: "binary" }));
  foam(plain, "icoFoam");
  const serial = readFieldFile(join(plain, "0.5", "U")).internal.values;
  const ours = readFieldFile(join(cased, "0.5", "U")).internal.values;
  let [maxU, diff] = [0, 0];
  for (let i = 0; i < serial.length; i += 3) maxU = Math.max(maxU, Math.hypot(serial[i]!, serial[i + 1]!, serial[i + 2]!));
  for (let i = 0; i < serial.length; i++) diff = Math.max(diff, Math.abs(serial[i]! - ours[i]!));
  assert.ok(maxU > 0.5 && diff <= 1e-4 * maxU, `max |U_parareal - U_icoFoam| = ${diff}, max |U| = ${maxU}`);
  assert.ok(diff <= 1e-12 * maxU, `equal to round-off: ${diff}`);
  // ParaView's converter reads the combined case
  foam(cased, "foamToVTK", "-latestTime");
  assert.ok(readdirSync(join(cased, "VTK")).length > 0);
});

test("--resume takes every fine file of the finished run and gives the same numbers", async () => {
  assert.ok(threads, "needs the threads run");
  const r = report(await runCli(cavityRun(join(work, "threads"), "--workers", "2", "--resume")));
  assert.deepEqual([r.resumedJobs, r.referenceResumedJobs, r.fineJobs, r.referenceFineJobs], [15, 5, 0, 0]);
  assert.deepEqual(r.final, threads.final);
});

test("the same run on Redis workers (--allow-commands) gives the same numbers; a worker without it refuses the jobs", async (t) => {
  assert.ok(threads, "needs the threads run");
  const redis = await startRedis(t);
  const refusing = await startWorker(t, redis.url);
  const refused = await runCli([...cavityRun(join(work, "refused"), "--redis", redis.url, "--no-reference")]);
  oneLine(refused, 1, /does not run OpenFOAM cases \(icoFoam in .*openfoam-case\); start it with --allow-commands/);
  refusing.child.kill("SIGTERM");
  await refusing.exited;
  await startWorker(t, redis.url, ["--allow-commands", "--concurrency", "2"]);
  // two corrections are enough to compare: every fine file (iterations 1 and 2) and maxdif, bit for bit
  const out = join(work, "redis");
  const r = report(await runCli([...cavityRun(out, "--redis", redis.url, "--no-reference", "--keep-cases"), "--tol", "0", "--max-iterations", "2"]));
  assert.equal(r.iterations, 2);
  assert.deepEqual(r.maxdif, threads.maxdif.slice(0, 2));
  const files = readdirSync(join(out, "parareal")).filter((n) => n.endsWith(".h5")).sort();
  assert.equal(files.length, 5 + 4, "slices already exact are not recomputed");
  await loadHdf5();
  for (const name of files) {
    assert.deepEqual(Array.from(readDataset(join(out, "parareal", name), "data").data), Array.from(readDataset(join(work, "threads", "parareal", name), "data").data), `${name}: the threads run's`);
  }
  assert.equal(readdirSync(join(out, "cases")).length, r.fineJobs + r.coarseJobs, "--keep-cases: every job's copy kept");
});

test("one line each: OpenFOAM missing or unsourced, a field the case lacks, a diverging solver, options that do not go together", async () => {
  const out = (name: string) => join(work, `bad-${name}`);
  oneLine(await runWithEnv(cavityRun(out("rc")), { PARAREAL_OPENFOAM_BASHRC: join(work, "no-openfoam", "etc", "bashrc") }), 1, /^parareal: OpenFOAM environment file .*no-openfoam\/etc\/bashrc does not exist$/);
  const empty = join(work, "empty-bashrc");
  writeFileSync(empty, "# sets nothing\n");
  oneLine(await runWithEnv(cavityRun(out("empty")), { PARAREAL_OPENFOAM_BASHRC: empty }), 1, /^parareal: sourcing .*empty-bashrc did not set up OpenFOAM \(WM_PROJECT_DIR is not set\)$/);
  const fields = await runCli([...cavityRun(out("fields")).filter((a) => a !== "U,p,phi" && a !== "--fields"), "--fields", "U,T"]);
  oneLine(fields, 2, /^parareal: field T not in .*cavity at time 0, nor written by icoFoam \(the case has U, p\)$/);
  assert.ok(!existsSync(join(out("fields"), "openfoam-case")), "nothing prepared is left");
  // a negative viscosity makes icoFoam blow up in its first steps
  const unstable = join(work, "unstable");
  cpSync(meshed, unstable, { recursive: true });
  const transport = join(unstable, "constant", "transportProperties");
  writeFileSync(transport, readFileSync(transport, "latin1").replace(/nu\s+[^;]+;/, "nu [0 2 -1 0 0 0 0] -0.05;"));
  const diverged = await runCli(cavityRun(out("diverged")).map((a) => (a === meshed ? unstable : a)));
  oneLine(diverged, 1, /^parareal: fine job of iteration 0, slice 1 .*icoFoam stopped on a floating point exception \(SIGFPE: the solution diverged\) from t = 0 to 0\.1 \(deltaT 0\.005\): last step: Time = /);
  assert.deepEqual(readdirSync(join(out("diverged"), "cases")), [], "the failed job's copy removed");
  oneLine(await runCli(["run", "--fine-dt", "0.1", "--output", out("stray")]), 2, /--fine-dt applies to OpenFOAM runs only: give --openfoam CASE/);
  oneLine(await runCli([...cavityRun(out("h")), "--h", "0.1"]), 2, /--h does not apply to --openfoam runs \(the fine step is --fine-dt\)/);
  oneLine(await runCli(cavityRun(out("nocoarse")).filter((a, i, all) => a !== "--coarse-dt" && all[i - 1] !== "--coarse-dt")), 2, /--openfoam needs --coarse-dt/);
  oneLine(await runCli(cavityRun(out("notcase")).map((a) => (a === meshed ? work : a))), 2, /--openfoam .*: not an OpenFOAM case \(no system\/controlDict/);
});

/** Processes working in a directory under `dir` (OpenFOAM applications run in their case). */
function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`).startsWith(dir)) found.push(Number(name));
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

test("SIGINT while OpenFOAM runs: the applications are killed, their copies removed, the run recorded as interrupted", async (t) => {
  const out = join(work, "interrupted");
  const run = spawnCli(t, cavityRun(out, "--no-reference", "--t-end", "4", "--fine-dt", "0.0005").filter((a) => a !== "--json"));
  const cases = join(out, "cases");
  const deadline = Date.now() + 20_000;
  while (!(existsSync(cases) && readdirSync(cases).length > 0 && processesUnder(cases).length > 0) && Date.now() < deadline) await sleep(50);
  assert.ok(processesUnder(cases).length > 0, "an application runs in a scratch copy");
  run.child.kill("SIGINT");
  assert.equal(await run.exited, 130, run.stderr);
  // killed, they may take a moment to be gone on a busy machine: 2 s, as for any solver command
  const killedBy = Date.now() + 2000;
  while (processesUnder(cases).length > 0 && Date.now() < killedBy) await sleep(50);
  assert.deepEqual(processesUnder(cases), [], "no application left running 2 s after the driver's exit");
  assert.deepEqual(readdirSync(cases), [], "scratch copies removed");
  assert.equal((JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { status: string }).status, "interrupted");
});

test("plot: the convergence beside |U| on the mesh (a polygon per cell) at the run's time points", async () => {
  const out = join(work, "threads");
  const plane = meshPlane(join(out, "openfoam-case"));
  assert.equal(plane.polygons.length, 400);
  assert.ok(plane.polygons.every((p) => p.length === 8), "quadrilaterals");
  assert.deepEqual(plane.extent, [[0, 0.1], [0, 0.1]]);
  assert.deepEqual(Array.from(plane.polygons[399]!), [0.095, 0.095, 0.095, 0.1, 0.1, 0.1, 0.1, 0.095], "the last cell, in the top right corner, in its face's order");
  // the same mesh in binary (a faceCompactList), as OpenFOAM converts it
  const binary = join(work, "binary-mesh");
  cpSync(meshed, binary, { recursive: true });
  const control = join(binary, "system", "controlDict");
  writeFileSync(control, setEntries(readFileSync(control, "latin1"), { writeFormat: "binary" }));
  foam(binary, "foamFormatConvert", "-constant");
  assert.match(readFileSync(join(binary, "constant", "polyMesh", "faces"), "latin1"), /class\s+faceCompactList;/);
  assert.deepEqual(meshPlane(binary).polygons, plane.polygons);
  const svg = join(work, "cavity.svg");
  const r = await runCli(["plot", out, "-o", svg, "--times", "0.1,0.5"]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(svg, "utf8");
  for (const title of ["t = 0.1: |U|", "t = 0.5: |U|", "convergence"]) assert.ok(text.includes(title), title);
  assert.ok(/max \|parareal - serial fine\| in U: \d\.\de-(1[3-9]|[2-9]\d)/.test(text), "each time titled with its difference to the serial run");
  // 2 x 400 cells, each a polygon filled from the colour scale
  assert.equal((text.match(/aria-roledescription="geoshape"/g) ?? []).length, 800);
  const png = join(work, "cavity.png");
  const p = await runCli(["plot", out, "-o", png, "--kind", "field", "--field", "p"]);
  assert.equal(p.code, 0, p.stderr);
  const header = readFileSync(png);
  assert.equal(header.readUInt32BE(16), 1200, "1200 px wide");
  oneLine(await runCli(["plot", out, "-o", svg, "--field", "phi"]), 2, /--field phi: a surfaceScalarField lives on faces/);
});

test("payload schema: an OpenFOAM job is confined to its run's root and its layout must add up", () => {
  const root = join(work, "threads");
  const record = JSON.parse(readFileSync(join(root, "run.json"), "utf8")) as { fine: { openfoam: { case: { dir: string; layout: { size: number } } } } };
  const solver = record.fine;
  const payload = (s: unknown) => ({ solver: s, input: encode(literal([0])), t0: 0, t1: 0.1, hints: [] });
  mkdirSync(join(work, "elsewhere"), { recursive: true });
  assert.doesNotThrow(() => checkPayload(payload(solver), root));
  assert.throws(() => checkPayload(payload(solver), join(work, "redis")), /outside the run's archive root/);
  const moved = { ...solver, openfoam: { ...solver.openfoam, case: { ...solver.openfoam.case, dir: join(work, "elsewhere") } } };
  assert.throws(() => checkPayload(payload(moved), root), /OpenFOAM case .* is outside the run's archive root/);
  const sized = { ...solver, openfoam: { ...solver.openfoam, case: { ...solver.openfoam.case, layout: { ...solver.openfoam.case.layout, size: 1e9 } } } };
  assert.throws(() => checkPayload(payload(sized), root), /do not add up|malformed/);
  const sourced = { ...solver, openfoam: { ...solver.openfoam, case: { ...solver.openfoam.case, bashrc: "/tmp/evil" } } };
  assert.throws(() => checkPayload(payload(sourced), root), /malformed job payload: solver\.openfoam\.case/);
});
