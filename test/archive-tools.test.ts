import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadHdf5 } from "../src/archive/hdf5.js";
import { readRunRecord } from "../src/archive/run-record.js";
import { index } from "../src/ndarray/indexing.js";
import { reduceAsync } from "../src/evaluate/reduce.js";
import { H5Snap } from "../src/expr/vector.js";
import { runCli, runPythonCode, tempDir } from "./helpers.js";

/** The original notebook's way: glob the files of one iteration, combine_fine_data, t from the attributes. */
const ORIGINAL_COMBINE = `
import json, sys, glob, h5py, numpy as np
def get(files):
    for n in files:
        with h5py.File(n, "r") as f:
            d = f["data"]
            s = int(d.attrs["stride"]) if "stride" in d.attrs else 1
            t = np.linspace(d.attrs["t0"], d.attrs["t1"], int(d.attrs["n"]) + 1)
            rows = list(range(0, int(d.attrs["n"]) + 1, s))
            if rows[-1] != int(d.attrs["n"]): rows.append(int(d.attrs["n"]))
            yield np.c_[t[rows], d[:]]
def combine_fine_data(files):
    data = get(files)
    first = next(data)
    return np.concatenate([first] + [x[1:] for x in data], axis=0)
files = sorted(json.loads(sys.argv[1]), key=lambda p: h5py.File(p, "r")["data"].attrs["t0"])
print(json.dumps(combine_fine_data(files).tolist()))
`;

function csvRows(text: string): number[][] {
  const [header, ...lines] = text.trim().split("\n");
  assert.equal(header, "t,y0,y1");
  return lines.map((l) => l.split(",").map(Number));
}

test("combine: the reference directory as the original's combine_fine_data, CSV and HDF5", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  assert.equal((await runCli(["run", "--executor", "inline", "--output", dir])).code, 0);
  const euler = join(dir, "euler");
  const files = readdirSync(euler).map((f) => join(euler, f));
  const expected = JSON.parse(runPythonCode(ORIGINAL_COMBINE, [JSON.stringify(files)])) as number[][];
  const csv = await runCli(["combine", euler]);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csvRows(csv.stdout);
  assert.equal(rows.length, 1502);
  assert.deepEqual(rows, expected);

  const h5 = join(dir, "euler.h5");
  assert.equal((await runCli(["combine", euler, "-o", h5])).code, 0);
  const back = JSON.parse(
    runPythonCode("import json, sys, h5py\nf = h5py.File(sys.argv[1], 'r')\nprint(json.dumps([f['t'][:].tolist(), f['data'][:].tolist()]))", [h5]),
  ) as [number[], number[][]];
  assert.deepEqual(back[0], expected.map((r) => r[0]));
  assert.deepEqual(back[1], expected.map((r) => r.slice(1)));
  const out = join(dir, "euler.csv");
  assert.equal((await runCli(["combine", euler, "-o", out])).code, 0);
  assert.equal(readFileSync(out, "utf8"), csv.stdout);
});

test("combine: a parareal iterate takes each slice's newest file at or below it; run.json says which by default", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  assert.equal((await runCli(["run", "--executor", "inline", "--no-reference", "--output", dir])).code, 0);
  const record = readRunRecord(dir)!;
  assert.equal(record.status, "converged");
  assert.equal(record.iterations, 14);
  assert.equal(record.maxdif!.length, 14);
  const jobs = record.jobs ?? [];
  assert.ok(jobs.length > 300, `${jobs.length} job records`);
  for (const j of jobs) {
    assert.ok(j.status !== undefined, "every job ended: done, reused, cancelled or failed");
    if (j.status === "done") assert.ok(typeof j.worker === "string" && j.worker.length > 0 && (j.seconds ?? -1) >= 0, "a job done names its worker and compute time");
  }
  const pr = join(dir, "parareal");
  const names = readdirSync(pr);
  for (const k of [14, 3]) {
    // slice i's newest file at or below k: iteration min(i, k)
    const chosen = Array.from({ length: 19 }, (_, s) => names.find((n) => Number(n.split("-")[1]) === Math.min(s + 1, k) && n.includes(`-${String(Math.trunc(((15 / 19) * s) * 1000)).padStart(6, "0")}-`))!);
    assert.ok(chosen.every(Boolean), `iterate ${k}: a file for every slice`);
    const expected = JSON.parse(runPythonCode(ORIGINAL_COMBINE, [JSON.stringify(chosen.map((n) => join(pr, n)))])) as number[][];
    const args = k === 14 ? ["combine", pr] : ["combine", pr, "--iteration", String(k)];
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(csvRows(r.stdout), expected, `iterate ${k}`);
  }
  const bad = await runCli(["combine", pr, "--iteration", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^parareal: iteration 0 is not in \S+ \(iterations present: 1 to \d+\)\n$/);
});

test("combine: --save-every files give their times from the stride", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  assert.equal((await runCli(["run", "--executor", "inline", "--save-every", "10", "--max-iterations", "1", "--output", dir])).code, 0);
  const euler = join(dir, "euler");
  const rows = csvRows((await runCli(["combine", euler])).stdout);
  const expected = JSON.parse(runPythonCode(ORIGINAL_COMBINE, [JSON.stringify(readdirSync(euler).map((f) => join(euler, f)))])) as number[][];
  assert.deepEqual(rows, expected);
  assert.equal(rows.length, 1 + 19 * 8); // rows 0, 10, ..., 70 and 79 of every slice, joined
});

test("files written by h5py in the original's layout are read by combine, plot and H5Snap", async (t) => {
  await loadHdf5();
  const run = tempDir(t);
  const dir = join(run, "euler");
  mkdirSync(dir);
  runPythonCode(
    `
import sys, math, h5py, numpy as np
t = np.linspace(0.0, 3.0, 4)
y = np.array([1.0, 0.0])
for a, b in zip(t[:-1], t[1:]):
    n = math.ceil((b - a) / 0.25)
    ts = np.linspace(a, b, n + 1)
    x = np.zeros((n + 1, 2)); x[0] = y
    for i in range(1, n + 1):
        x[i] = x[i-1] + (ts[i] - ts[i-1]) * np.r_[x[i-1][1], -x[i-1][1] - x[i-1][0]]
    y = x[-1]
    with h5py.File(f"{sys.argv[1]}/fine-0000-{int(a*1000):06}-{int(b*1000):06}.h5", "w") as f:
        ds = f.create_dataset("data", data=x)
        ds.attrs["t0"] = a; ds.attrs["t1"] = b; ds.attrs["h"] = 0.25; ds.attrs["n"] = n
print(y.tolist())
`,
    [dir],
  );
  const r = await runCli(["combine", dir]);
  assert.equal(r.code, 0, r.stderr);
  const rows = csvRows(r.stdout);
  assert.equal(rows.length, 13);
  assert.deepEqual(rows.map((x) => x[0]), [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
  const snap = await reduceAsync(new H5Snap(join(dir, "fine-0000-002000-003000.h5"), "data", index(-1)));
  assert.deepEqual(Array.from(snap), rows.at(-1)!.slice(1));
  // a directory the original wrote has no run.json: plot draws what the files hold
  const svg = join(run, "plot.svg");
  const p = await runCli(["plot", run, "-o", svg]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(readFileSync(svg, "utf8"), /serial fine reference/);
});

test("inspect: a run's status and contents; missing and corrupt files are named", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  assert.equal((await runCli(["run", "--executor", "inline", "--output", dir])).code, 0);
  const ok = await runCli(["inspect", dir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /status: converged, 14 iterations/);
  assert.match(ok.stdout, /euler: 19 files; slices per iteration: 0: 19/);
  assert.match(ok.stdout, /parareal: \d+ files; slices per iteration: 1: 19, 2: 18, 3: 17/);
  const victim = join(dir, "parareal", readdirSync(join(dir, "parareal")).find((n) => n.startsWith("fine-0002-"))!);
  truncateSync(victim, 100);
  writeFileSync(join(dir, "euler", "fine-0000-000000-000789.h5"), "not hdf5");
  const bad = await runCli(["inspect", dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, new RegExp(`corrupt: ${victim.replace(/[.]/g, "\\.")}: not a readable fine file`));
  assert.match(bad.stdout, /corrupt: \S+fine-0000-000000-000789\.h5: not a readable fine file/);
  assert.match(bad.stdout, /missing: iteration 2: 1 of 18 slices/);
  assert.match(bad.stdout, /missing: iteration 0: 1 of 19 slices/);
  const combineBad = await runCli(["combine", join(dir, "euler")]);
  assert.equal(combineBad.code, 1, "a directory with a broken file is a failure, not bad usage");
  assert.match(combineBad.stderr, /^parareal: \S+fine-0000-000000-000789\.h5: not a readable fine file/);
  const none = await runCli(["inspect", join(dir, "nope")]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^parareal: no such directory: /);
});

test("combine and inspect on datasets of the wrong shape name the file", async (t) => {
  const dir = tempDir(t);
  const files: [string, string][] = [
    ["fine-0000-000000-000789.h5", "np.zeros(3)"],
    ["fine-0000-000789-001578.h5", "np.zeros((2, 2, 2))"],
    ["fine-0000-001578-002368.h5", "np.zeros((5, 2))"],
  ];
  mkdirSync(join(dir, "all"));
  for (const [name, data] of files) {
    runPythonCode(
      `import h5py, numpy as np, sys\nwith h5py.File(sys.argv[1], "w") as f:\n  d = f.create_dataset("data", data=${data}); d.attrs["t0"] = 0.0; d.attrs["t1"] = 0.789; d.attrs["h"] = 0.01; d.attrs["n"] = 79`,
      [join(dir, "all", name)],
    );
  }
  const expected = [
    /^parareal: \S+fine-0000-000000-000789\.h5: dataset `data` has shape \(3\), expected \(rows, dimension\); give --allow-gaps to leave such files out\n$/,
    /^parareal: \S+fine-0000-000789-001578\.h5: dataset `data` has shape \(2, 2, 2\), expected \(rows, dimension\); give --allow-gaps to leave such files out\n$/,
    /^parareal: \S+fine-0000-001578-002368\.h5: 5 rows, but n = 79 steps with stride 1 make 80; give --allow-gaps to leave such files out\n$/,
  ];
  for (const [i, [name]] of files.entries()) {
    const one = join(dir, `one-${i}`);
    mkdirSync(one);
    copyFileSync(join(dir, "all", name), join(one, name));
    const r = await runCli(["combine", one]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, expected[i]!);
  }
  const inspect = await runCli(["inspect", join(dir, "all")]);
  assert.equal(inspect.code, 1);
  assert.match(inspect.stdout, /corrupt: \S+fine-0000-000000-000789\.h5: dataset `data` has shape \(3\)/);
  assert.match(inspect.stdout, /corrupt: \S+fine-0000-000789-001578\.h5: dataset `data` has shape \(2, 2, 2\)/);
});
