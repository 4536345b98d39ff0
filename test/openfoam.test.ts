/**
 * The OpenFOAM layer against OpenFOAM itself (v1912, Debian's openfoam): field files it writes
 * (ASCII, binary, compressed), files we write read back by it (foamFormatConvert), the case
 * runner (restarts, failures, confinement), and parareal on the cavity with the serial oracle.
 * One meshed cavity is made per file (blockMesh once) and copied for each use. About 15 s.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { appRun, runAppSync } from "../src/openfoam/app-process.js";
import { finalState, runCase, runCaseSync, stepsFor, writeStride } from "../src/openfoam/case-run.js";
import { writeCaseTimes } from "../src/openfoam/combine-case.js";
import { OutsideRoot, insideRoot } from "../src/openfoam/confine.js";
import { getEntry, setEntries } from "../src/openfoam/controldict.js";
import { findApplication, foamEnvironment, OpenFoamUnavailable } from "../src/openfoam/environment.js";
import { fieldNames, fieldView, projectState, readState } from "../src/openfoam/field-state.js";
import { internalValues, parseFieldFile, readFieldFile, replaceInternalField, replaceValues, type FieldFile } from "../src/openfoam/foam-file.js";
import { initialState, prepareCase, type PreparedCase } from "../src/openfoam/prepare-case.js";
import { serialCaseParareal } from "./openfoam-serial.js";
import { mapState, mapStateSync } from "../src/openfoam/map-fields.js";
import { distinctTimeNames, formatGeneral, timeDirs } from "../src/openfoam/time-name.js";
import { linspace } from "../src/ode/linspace.js";
import { CancelledError } from "../src/errors.js";
import { repoRoot, runPythonCode } from "./helpers.js";

const example = join(repoRoot, "examples", "openfoam", "cavity");
let work = "";
/** the example, meshed once (blockMesh), never written to afterwards */
let meshed = "";
/** the example prepared for parareal (fields U, p, phi found by a one-step probe) */
let prepared: PreparedCase;
let root = "";

/** OpenFOAM's own output for the file format tests: time 0.1 of the cavity, in several formats. */
const formats: Record<"ascii" | "binary" | "asciiGz", string> = { ascii: "", binary: "", asciiGz: "" };

function foam(dir: string, app: string, ...args: string[]): void {
  runAppSync(appRun(dir, app, args, { log: `log.${app}-${Date.now()}` }), `in ${dir}`);
}

/** A copy of the meshed cavity with controlDict entries set. */
function caseCopy(name: string, entries: Record<string, string | number> = {}): string {
  const dir = join(work, name);
  cpSync(meshed, dir, { recursive: true });
  const control = join(dir, "system", "controlDict");
  writeFileSync(control, setEntries(readFileSync(control, "latin1"), entries));
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "parareal-openfoam-"));
  meshed = join(work, "meshed");
  cpSync(example, meshed, { recursive: true });
  foam(meshed, "blockMesh");
  root = join(work, "root");
  prepared = prepareCase({ template: example, root });
  // icoFoam to 0.1 as the tutorial writes (ASCII, 6 digits), then converted by OpenFOAM
  formats.ascii = caseCopy("ascii", { endTime: 0.1, writeInterval: 20 });
  foam(formats.ascii, "icoFoam");
  for (const [name, entries] of [
    ["binary", { writeFormat: "binary" }],
    ["asciiGz", { writeCompression: "on" }],
  ] as const) {
    const dir = join(work, name);
    cpSync(formats.ascii, dir, { recursive: true });
    const control = join(dir, "system", "controlDict");
    writeFileSync(control, setEntries(readFileSync(control, "latin1"), entries));
    foam(dir, "foamFormatConvert");
    formats[name] = dir;
  }
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: value ${i} differs: ${a[i]} vs ${b[i]}`);
}

function field(dir: string, time: string, name: string): FieldFile {
  const plain = join(dir, time, name);
  return readFieldFile(existsSync(plain) ? plain : `${plain}.gz`);
}

test("field files as OpenFOAM writes them: ASCII, binary and compressed, uniform and nonuniform, vol and surface, scalar and vector", () => {
  const sizes = { U: [400, 3, "volVectorField"], p: [400, 1, "volScalarField"], phi: [760, 1, "surfaceScalarField"] } as const;
  for (const [name, [count, components, cls]] of Object.entries(sizes)) {
    const ascii = field(formats.ascii, "0.1", name);
    assert.equal(ascii.header.format, "ascii");
    assert.equal(ascii.header.class, cls);
    assert.equal(ascii.internal.uniform, false);
    assert.equal(ascii.internal.count, count);
    assert.equal(ascii.internal.values.length, count * components);
    // the first value as the text of the file says
    const text = readFileSync(join(formats.ascii, "0.1", name), "latin1");
    const first = /internalField\s+nonuniform List<\w+>\s*\n\d+\n\(\n\(?([^)\n]*)/.exec(text)![1]!.split(" ").map(Number);
    assert.deepEqual(Array.from(ascii.internal.values.subarray(0, components)), first);
    // foamFormatConvert parsed the ASCII text into doubles and wrote them raw: bit for bit what we parse
    for (const other of ["binary", "asciiGz"] as const) {
      const f = field(formats[other], "0.1", name);
      assert.equal(f.header.format, other === "binary" ? "binary" : "ascii", `${other} ${name}`);
      assert.equal(f.header.class, cls);
      sameBits(f.internal.values, ascii.internal.values, `${other} ${name}`);
    }
    // OpenFOAM v1912 compresses ASCII only (writeCompression on is ignored for binary): gzip a binary file ourselves
    const gz = join(work, `${name}-binary.gz`);
    writeFileSync(gz, gzipSync(readFileSync(join(formats.binary, "0.1", name))));
    sameBits(readFieldFile(gz).internal.values, ascii.internal.values, `gzipped binary ${name}`);
  }
  assert.ok(existsSync(join(formats.asciiGz, "0.1", "U.gz")), "compression wrote U.gz");
  // uniform fields, in either format
  for (const dir of [formats.ascii, formats.binary]) {
    const u = field(dir, "0", "U");
    const p = field(dir, "0", "p");
    assert.equal(u.internal.uniform, true);
    assert.deepEqual(Array.from(u.internal.values), [0, 0, 0]);
    assert.deepEqual(Array.from(p.internal.values), [0]);
    const expanded = internalValues(u, 400);
    assert.equal(expanded.length, 1200);
    assert.ok(expanded.every((v) => v === 0));
  }
});

test("round trips: binary byte for byte, ASCII to the written digits, our own writing exact at full precision", () => {
  for (const name of ["U", "p", "phi"]) {
    const bin = field(formats.binary, "0.1", name);
    // the same values give the same file, boundaryField and all
    assert.ok(replaceInternalField(bin, bin.internal.values).equals(bin.bytes), `binary ${name} rewritten byte for byte`);
    const ascii = field(formats.ascii, "0.1", name);
    const again = parseFieldFile(replaceInternalField(ascii, ascii.internal.values));
    sameBits(again.internal.values, ascii.internal.values, `ascii ${name}`);
    assert.ok(again.bytes.subarray(again.valueEnd).equals(ascii.bytes.subarray(ascii.valueEnd)), "everything after the internalField kept");
    assert.ok(again.bytes.subarray(0, again.valueStart).equals(ascii.bytes.subarray(0, ascii.valueStart)), "everything before it kept");
    // doubles that 6 digits cannot hold, extremes included, survive both formats exactly
    const n = ascii.internal.values.length;
    const odd = new Float64Array(n);
    const special = [Math.PI, -Math.E * 1e-300, 5e-324, -Number.MAX_VALUE, -0, 0.1 + 0.2, 1 / 3];
    for (let i = 0; i < n; i++) odd[i] = i < special.length ? special[i]! : Math.sin(i) * 10 ** ((i % 40) - 20);
    for (const skeleton of [ascii, bin, field(formats.asciiGz, "0.1", name)]) {
      sameBits(parseFieldFile(replaceInternalField(skeleton, odd)).internal.values, odd, `${skeleton.header.format} ${name} full precision`);
    }
  }
  // a uniform internalField is replaced by a nonuniform one of the mesh's size
  const uniform = field(formats.ascii, "0", "U");
  const values = new Float64Array(1200).map((_, i) => i / 7);
  const written = parseFieldFile(replaceInternalField(uniform, values));
  assert.equal(written.internal.uniform, false);
  sameBits(written.internal.values, values, "uniform replaced");
  assert.throws(() => replaceInternalField(uniform, new Float64Array(1200).fill(Number.NaN)), /non-finite/);
  assert.throws(() => replaceInternalField(field(formats.ascii, "0.1", "p"), new Float64Array(3)), /p: 3 numbers for the internalField of 400/);
});

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  const v = new DataView(new ArrayBuffer(16));
  v.setFloat64(0, a);
  v.setFloat64(8, b);
  return Math.abs(Number(v.getBigInt64(0) - v.getBigInt64(8)));
}

test("OpenFOAM reads what we write: binary exactly, ASCII (shortest round-trip digits) to one ulp, as foamFormatConvert shows", () => {
  for (const format of ["ascii", "binary"] as const) {
    const dir = join(work, `ours-${format}`);
    cpSync(formats[format], dir, { recursive: true });
    const ours = new Map<string, Float64Array>();
    for (const name of ["U", "p", "phi"]) {
      const f = field(dir, "0.1", name);
      const values = f.internal.values.map((v, i) => v * (1 + Math.sqrt(2) * 1e-9) + i * 1e-13);
      writeFileSync(join(dir, "0.1", name), replaceInternalField(f, values));
      ours.set(name, values);
    }
    const control = join(dir, "system", "controlDict");
    writeFileSync(control, setEntries(readFileSync(control, "latin1"), { writeFormat: "ascii", writePrecision: 17 }));
    foam(dir, "foamFormatConvert", "-time", "0.1");
    for (const [name, values] of ours) {
      const converted = field(dir, "0.1", name);
      assert.equal(converted.header.format, "ascii", `${format} ${name} was converted`);
      // OpenFOAM wrote 17 digits, which we read back exactly; what it read from our ASCII text is
      // not always the nearest double (its reader is not correctly rounded): hence binary states
      if (format === "binary") sameBits(converted.internal.values, values, `${format} ${name} read by OpenFOAM`);
      else {
        let worst = 0;
        converted.internal.values.forEach((v, i) => (worst = Math.max(worst, ulps(v, values[i]!))));
        assert.ok(worst <= 1, `${name}: OpenFOAM read our ASCII ${worst} ulps off`);
      }
    }
  }
});

test("patch values: every patch's value entry parsed; nonuniform lists we write on patches (binary) read exactly by OpenFOAM", () => {
  const dir = join(work, "patches");
  cpSync(formats.binary, dir, { recursive: true });
  const phi = field(dir, "0.1", "phi");
  assert.deepEqual(
    [...phi.patches].map(([name, span]) => [name, span.value.uniform, span.value.count, Array.from(span.value.values)]),
    [
      ["movingWall", true, undefined, [0]],
      ["fixedWalls", true, undefined, [0]],
      ["frontAndBack", false, 0, []],
    ],
  );
  const lid = new Float64Array(20).map((_, i) => Math.cos(i) * 1e-7);
  const walls = new Float64Array(60).map((_, i) => -i / 3e9);
  const written = replaceValues(phi, { patches: new Map([["movingWall", lid], ["fixedWalls", walls]]) });
  writeFileSync(join(dir, "0.1", "phi"), written);
  const again = parseFieldFile(written);
  sameBits(again.patches.get("movingWall")!.value.values, lid, "movingWall");
  sameBits(again.patches.get("fixedWalls")!.value.values, walls, "fixedWalls (found past a binary list)");
  sameBits(again.internal.values, phi.internal.values, "internal field untouched");
  const control = join(dir, "system", "controlDict");
  writeFileSync(control, setEntries(readFileSync(control, "latin1"), { writeFormat: "ascii", writePrecision: 17 }));
  foam(dir, "foamFormatConvert", "-time", "0.1");
  const converted = field(dir, "0.1", "phi");
  assert.equal(converted.header.format, "ascii");
  sameBits(converted.patches.get("movingWall")!.value.values, lid, "movingWall through OpenFOAM");
  sameBits(converted.patches.get("fixedWalls")!.value.values, walls, "fixedWalls through OpenFOAM");
});

test("time directory names as OpenFOAM's %g formatting, ties to even (checked against Python's printf)", () => {
  const cases: [number, number][] = [
    [0.30000000000000004, 6], [0.1, 17], [1e-7, 6], [0.125, 2], [0.375, 2], [2.5, 1], [3.5, 1], [123456789, 6],
    [1e6, 6], [100000, 6], [0.00012345, 6], [9.9999999, 6], [0.5, 6], [-0.25, 6], [1.0000005, 7], [12345678901234567890, 17],
  ];
  const python = JSON.parse(runPythonCode(`import json,sys; print(json.dumps(["%.*g" % (p, x) for x, p in json.loads(sys.argv[1])]))`, [JSON.stringify(cases)])) as string[];
  assert.deepEqual(cases.map(([x, p]) => formatGeneral(x, p)), python);
  assert.deepEqual(distinctTimeNames(linspace(0, 0.5, 6)).names, ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
  assert.deepEqual(distinctTimeNames([1, 1.0000001, 1.0000002]), { names: ["1", "1.0000001", "1.0000002"], precision: 8 });
});

test("controlDict entries: set in place (comments kept), appended when missing, and read so by foamDictionary", () => {
  const dir = caseCopy("controldict");
  const path = join(dir, "system", "controlDict");
  const before = readFileSync(path, "latin1");
  const text = setEntries(before, { startTime: 0.30000000000000004, deltaT: 0.005, writeInterval: 7, adjustTimeStep: "no" });
  writeFileSync(path, text);
  assert.deepEqual(getEntry(text, "startTime"), ["0.30000000000000004"]);
  assert.deepEqual(getEntry(text, "adjustTimeStep"), ["no"]);
  assert.ok(text.startsWith(before.slice(0, before.indexOf("application"))), "header and comments kept");
  assert.match(text, /^startTime {7}0\.30000000000000004;$/m, "alignment kept");
  const foamValue = (key: string) => {
    foam(dir, "foamDictionary", "-entry", key, "-value", "system/controlDict");
    const logs = readdirSync(dir).filter((n) => n.startsWith("log.foamDictionary")).sort();
    return readFileSync(join(dir, logs[logs.length - 1]!), "utf8").trim().split("\n").pop();
  };
  assert.equal(foamValue("writeInterval"), "7");
  assert.equal(foamValue("adjustTimeStep"), "no");
});

test("environment: captured once; a bad bashrc, one that sets nothing, or a missing application each give one line", () => {
  const foamEnv = foamEnvironment();
  assert.equal(foamEnvironment(), foamEnv, "memoized");
  assert.equal(foamEnv.version, "v1912");
  assert.match(findApplication(foamEnv, "icoFoam"), /\/icoFoam$/);
  const oneLine = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (e: Error) => e instanceof OpenFoamUnavailable && pattern.test(e.message) && !e.message.includes("\n"));
  oneLine(() => foamEnvironment({ bashrc: join(work, "no-openfoam", "etc", "bashrc") }), /OpenFOAM environment file .*no-openfoam\/etc\/bashrc does not exist/);
  const empty = join(work, "empty-bashrc");
  writeFileSync(empty, "# sets nothing\n");
  oneLine(() => foamEnvironment({ bashrc: empty }), /sourcing .*empty-bashrc did not set up OpenFOAM \(WM_PROJECT_DIR is not set\)/);
  oneLine(() => findApplication(foamEnv, "noSuchFoam"), /OpenFOAM application `noSuchFoam` not found on the PATH set by .*bashrc \(OpenFOAM v1912\)/);
  // a case run with the bad bashrc fails before copying anything
  const bad = { ...prepared, bashrc: join(work, "no-openfoam", "etc", "bashrc") };
  const jail = join(work, "no-openfoam-root");
  assert.throws(() => runCaseSync(bad, initialState(prepared), 0, 0.1, 0.005, { root: jail }), OpenFoamUnavailable);
  assert.ok(!existsSync(join(jail, "cases")), "nothing copied");
});

test("prepared case: meshed by blockMesh, fields found by a one-step run, phi written by icoFoam at the start time", () => {
  // internal values, then the patch values the files record (fixed ones included: arithmetic keeps them)
  assert.deepEqual(
    prepared.layout.fields.map((f) => [f.name, f.patch ?? "", f.class, f.count, f.components, f.offset]),
    [
      ["U", "", "volVectorField", 400, 3, 0],
      ["U", "movingWall", "volVectorField", 20, 3, 1200],
      ["p", "", "volScalarField", 400, 1, 1260],
      ["phi", "", "surfaceScalarField", 760, 1, 1660],
      ["phi", "movingWall", "surfaceScalarField", 20, 1, 2420],
      ["phi", "fixedWalls", "surfaceScalarField", 60, 1, 2440],
    ],
  );
  assert.equal(prepared.layout.size, 2500);
  assert.equal(prepared.startName, "0");
  assert.equal(prepared.app, "icoFoam");
  const y0 = initialState(prepared);
  assert.ok(fieldView(prepared.layout, y0, "U").every((v) => v === 0), "the cavity starts at rest");
  assert.deepEqual(Array.from(fieldView(prepared.layout, y0, "U", "movingWall").subarray(0, 6)), [1, 0, 0, 1, 0, 0], "the lid moves");
  assert.ok(fieldView(prepared.layout, y0, "phi").every((v) => v === 0), "phi = flux(U) = 0 inside");
  assert.deepEqual(getEntry(readFileSync(join(prepared.dir, "system", "controlDict"), "latin1"), "writeFormat"), ["binary"]);
  for (const name of ["U", "p", "phi"]) assert.equal(field(prepared.dir, "0", name).header.format, "binary", `${name} converted to binary`);
  assert.deepEqual(JSON.parse(readFileSync(join(prepared.dir, "parareal-case.json"), "utf8")), JSON.parse(JSON.stringify(prepared)));
  assert.throws(
    () => prepareCase({ template: meshed, root, name: "with-T", fields: ["U", "T"] }),
    /field T not in .*meshed at time 0, nor written by icoFoam \(the case has U, p\)/,
  );
  assert.ok(!existsSync(join(root, "with-T")), "a failed preparation leaves nothing");
  assert.throws(() => prepareCase({ template: meshed, root, name: "odd", fields: ["U", "p)"] }), /`p\)` is not a field name/);
});

test("case runs: a restart from our written state continues bit for bit; times as linspace cuts them; copies removed or kept", async () => {
  const y0 = initialState(prepared);
  const one = runCaseSync(prepared, y0, 0, 0.1, 0.005, { root });
  const half = runCaseSync(prepared, y0, 0, 0.05, 0.005, { root, writeEvery: 1 });
  const two = runCaseSync(prepared, finalState(half), 0.05, 0.1, 0.005, { root });
  assert.equal(one.n, 20);
  assert.equal(one.rows, 2);
  assert.equal(half.rows, 11);
  sameBits(finalState(two), finalState(one), "0 -> 0.05 -> 0.1 against 0 -> 0.1");
  assert.ok(Math.max(...fieldView(prepared.layout, finalState(one), "U").map(Math.abs)) > 0.1, "the lid has moved the fluid");
  assert.deepEqual(readdirSync(join(root, "cases")), [], "scratch copies removed");
  // a slice of linspace(0, 0.5, 6): its start directory is named "0.2", its end 0.30000000000000004
  const t = linspace(0, 0.5, 6);
  const slice = await runCase(prepared, finalState(one), t[2]!, t[3]!, 0.005, { root, writeEvery: 7, keep: true, label: "slice" });
  assert.equal(t[3], 0.30000000000000004);
  assert.deepEqual([slice.n, slice.stride, slice.rows], [20, 5, 5]);
  assert.equal(slice.times[0], 0.2);
  assert.ok(Math.abs(slice.times[4]! - t[3]!) < 1e-15, `ends at ${slice.times[4]}`);
  assert.ok(slice.caseDir && existsSync(join(slice.caseDir, "0.2", "U")), "kept, with the start directory named as OpenFOAM names 0.2");
  const control = readFileSync(join(slice.caseDir, "system", "controlDict"), "latin1");
  assert.deepEqual([getEntry(control, "startTime"), getEntry(control, "endTime"), getEntry(control, "writeInterval")], [["0.2"], ["0.30000000000000004"], ["5"]]);
  assert.deepEqual(timeDirs(slice.caseDir).map((d) => d.name), ["0.2", "0.225", "0.25", "0.275", "0.3"]);
  rmSync(slice.caseDir, { recursive: true });
  // steps: an integer ratio up to rounding keeps dt; otherwise equal steps that land on t1
  assert.deepEqual(stepsFor(0.2, 0.30000000000000004, 0.005), { n: 20, deltaT: 0.005 });
  assert.deepEqual(stepsFor(0, 0.1, 0.03), { n: 4, deltaT: 0.025 });
  assert.equal(writeStride(20, 7), 5);
  assert.equal(writeStride(20, undefined), 20);
});

test("case runs that fail: a broken case and a diverging state each give one line from the log; nothing is left behind", () => {
  const broken = join(work, "broken");
  cpSync(meshed, broken, { recursive: true });
  const schemes = join(broken, "system", "fvSchemes");
  writeFileSync(schemes, readFileSync(schemes, "latin1").replace(/div\(phi,U\)\s+Gauss linear;/, ""));
  const p = prepareCase({ template: broken, root, name: "broken", fields: ["U", "p", "phi"] });
  assert.throws(
    () => runCaseSync(p, initialState(p), 0, 0.1, 0.005, { root }),
    (e: Error) => /^icoFoam exited with code 1 from t = 0 to 0\.1 \(deltaT 0\.005\): --> FOAM FATAL .*div\(phi,U\)/.test(e.message) && !e.message.includes("\n"),
  );
  const y = initialState(prepared);
  y[0] = 1e300;
  y[4] = -1e300;
  assert.throws(
    () => runCaseSync(prepared, y, 0, 0.1, 0.005, { root }),
    (e: Error) => /^icoFoam stopped on a floating point exception \(SIGFPE: the solution diverged\) from t = 0 to 0\.1 .*: last step: Time = 0\.005 \| #/.test(e.message) && !e.message.includes("\n"),
  );
  assert.throws(() => runCaseSync(prepared, new Float64Array(5), 0, 0.1, 0.005, { root }), /state has 5 values, the case's fields \(U, p, phi\) need 2500/);
  assert.deepEqual(readdirSync(join(root, "cases")), [], "scratch copies removed after failures");
});

test("a cancelled case run: the solver is killed, the job ends with CancelledError, its copy is removed", async () => {
  const started = performance.now();
  let polls = 0;
  // 2000 steps would take seconds; stop is asked every 50 ms and says yes on the third time
  const run = runCase(prepared, initialState(prepared), 0, 1, 0.0005, { root, stop: () => ++polls >= 3 });
  await assert.rejects(run, CancelledError);
  assert.ok(performance.now() - started < 2000, "stopped early");
  assert.deepEqual(readdirSync(join(root, "cases")), [], "copy removed");
});

test("confinement: scratch copies only under the root, never through a symbolic link", () => {
  const jail = join(work, "jail");
  const outside = join(work, "outside");
  mkdirSync(jail);
  mkdirSync(outside);
  symlinkSync(outside, join(jail, "cases"));
  assert.throws(() => runCaseSync(prepared, initialState(prepared), 0, 0.1, 0.005, { root: jail }), OutsideRoot);
  assert.throws(() => runCaseSync(prepared, initialState(prepared), 0, 0.1, 0.005, { root: jail, scratch: join(jail, "..", "elsewhere") }), OutsideRoot);
  assert.deepEqual(readdirSync(outside), []);
  assert.throws(() => insideRoot(jail, "../x"), /outside/);
  assert.equal(insideRoot(jail, "a/../b"), join(jail, "b"));
});

test("pitzDaily (pimpleFoam, k-epsilon): a restart is exact only with the patch values in the state", () => {
  // 4 steps of 2.5e-4 in one run, or 2 + 2 from the state we write at 5e-4
  const pitz = prepareCase({ template: join(repoRoot, "examples", "openfoam", "pitzDaily"), root, name: "pitzDaily" });
  assert.deepEqual(fieldNames(pitz.layout), ["U", "epsilon", "k", "nut", "p", "phi"]);
  assert.ok(pitz.layout.fields.some((f) => f.name === "phi" && f.patch === "outlet" && f.count === 57), "phi on the outlet is data");
  const y0 = initialState(pitz);
  const one = finalState(runCaseSync(pitz, y0, 0, 1e-3, 2.5e-4, { root }));
  const half = finalState(runCaseSync(pitz, y0, 0, 5e-4, 2.5e-4, { root }));
  sameBits(finalState(runCaseSync(pitz, half, 5e-4, 1e-3, 2.5e-4, { root })), one, "2 + 2 steps against 4");
  // the same restart with internal values only: the outlet flux and wall-function values are stale
  const internal = prepareCase({ template: pitz.dir, root, name: "pitzDaily-internal", patches: false, fields: fieldNames(pitz.layout) });
  assert.ok(internal.layout.fields.every((f) => f.patch === undefined));
  const restarted = finalState(runCaseSync(internal, projectState(pitz.layout, half, internal.layout), 5e-4, 1e-3, 2.5e-4, { root }));
  const [a, b] = [fieldView(pitz.layout, one, "U"), fieldView(internal.layout, restarted, "U")];
  let drift = 0;
  for (let i = 0; i < a.length; i++) drift = Math.max(drift, Math.abs(a[i]! - b[i]!));
  assert.ok(drift > 1e-3, `without patch values the restart drifts by ${drift} in U`);
});

test("parareal on the cavity (serial oracle): converges, and the combined case's 0.5 equals a plain icoFoam run to 1e-4 of max |U|", () => {
  const t = linspace(0, 0.5, 6);
  const result = serialCaseParareal({ prepared, t, fineDt: 0.005, coarseDt: 0.05, tol: 1e-6, maxIterations: 6, root });
  // the coarse step (Courant number 10) is poor: the maxdif drops below tol when every slice is exact
  assert.equal(result.converged, true, `maxdif ${result.maxdif}`);
  assert.equal(result.iterations, 6);
  assert.ok(result.maxdif[0]! > 0.1);
  assert.equal(result.fineRuns, 15, "the fine run of a slice whose start did not change is not repeated");
  const out = join(work, "combined");
  const combined = writeCaseTimes(prepared, out, t, result.states);
  assert.deepEqual(combined.names, ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
  assert.ok(existsSync(join(out, "combined.foam")));
  foam(out, "foamListTimes");
  const listed = readFileSync(join(out, readdirSync(out).find((n) => n.startsWith("log.foamListTimes"))!), "utf8").trim().split("\n").slice(-5);
  assert.deepEqual(listed, ["0.1", "0.2", "0.3", "0.4", "0.5"], "OpenFOAM sees the time directories");
  sameBits(readState(join(out, "0.5"), prepared.layout), result.states[5]!, "written and read back");
  // the plain tutorial run, icoFoam from 0 to 0.5 at deltaT 0.005, written in binary
  const plain = caseCopy("plain", { endTime: 0.5, writeInterval: 100, writeFormat: "binary" });
  foam(plain, "icoFoam");
  const serialU = field(plain, "0.5", "U").internal.values;
  const pararealU = field(out, "0.5", "U").internal.values;
  let maxU = 0;
  let diff = 0;
  for (let i = 0; i < serialU.length; i += 3) maxU = Math.max(maxU, Math.hypot(serialU[i]!, serialU[i + 1]!, serialU[i + 2]!));
  for (let i = 0; i < serialU.length; i++) diff = Math.max(diff, Math.abs(serialU[i]! - pararealU[i]!));
  assert.ok(maxU > 0.5, `max |U| = ${maxU}`);
  assert.ok(diff <= 1e-4 * maxU, `max |U_parareal - U_serial| = ${diff}, max |U| = ${maxU}`);
  // in fact equal to round-off: the restarts are exact and the update adds and subtracts equal coarse values
  assert.ok(diff <= 1e-12 * maxU, `max difference ${diff}`);
});

test("coarse mesh: mapFields as f2c and c2f (phi remade by icoFoam), parareal with a 10 x 10 coarse cavity converges to the fine chain", async () => {
  const coarseTemplate = join(work, "coarse-cavity");
  cpSync(example, coarseTemplate, { recursive: true });
  const blockMeshDict = join(coarseTemplate, "system", "blockMeshDict");
  writeFileSync(blockMeshDict, readFileSync(blockMeshDict, "latin1").replace("(20 20 1)", "(10 10 1)"));
  const coarse = prepareCase({ template: coarseTemplate, root, name: "coarse-cavity", fields: ["U", "p", "phi"] });
  assert.equal(coarse.layout.size, 100 * 3 + 10 * 3 + 100 + 180 + 10 + 30);
  const y = finalState(runCaseSync(prepared, initialState(prepared), 0, 0.1, 0.005, { root }));
  const yc = mapStateSync(prepared, y, coarse, { root });
  const back = await mapState(coarse, yc, prepared, { root });
  assert.deepEqual(Array.from(fieldView(coarse.layout, yc, "U", "movingWall").subarray(0, 3)), [1, 0, 0]);
  // the coarse mesh keeps the vortex: the mean velocity survives the round trip to a few percent
  const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
  const [u, uBack] = [fieldView(prepared.layout, y, "U"), fieldView(prepared.layout, back, "U")];
  assert.ok(Math.abs(mean(uBack) - mean(u)) < 0.05 * Math.max(...u.map(Math.abs)), `mean U ${mean(u)} -> ${mean(uBack)}`);
  // phi is icoFoam's flux of the mapped U, not the fine phi: nonzero and the same size
  const phiBack = fieldView(prepared.layout, back, "phi");
  assert.ok(phiBack.some((v) => v !== 0) && phiBack.length === 760);
  assert.deepEqual(readdirSync(join(root, "cases")), [], "mapping copies removed");

  const t = linspace(0, 0.2, 3);
  const result = serialCaseParareal({ prepared, coarseCase: coarse, t, fineDt: 0.005, coarseDt: 0.01, tol: 1e-6, maxIterations: 3, root });
  assert.equal(result.converged, true, `maxdif ${result.maxdif}`);
  assert.ok(result.maxdif[1]! < 1e-2 * result.maxdif[0]!, `maxdif ${result.maxdif}`);
  const chain = finalState(runCaseSync(prepared, finalState(runCaseSync(prepared, initialState(prepared), 0, 0.1, 0.005, { root })), 0.1, 0.2, 0.005, { root }));
  const last = result.states[2]!;
  let diff = 0;
  for (let i = 0; i < chain.length; i++) diff = Math.max(diff, Math.abs(chain[i]! - last[i]!));
  assert.ok(diff <= 1e-12, `parareal against the fine chain: ${diff}`);
});
