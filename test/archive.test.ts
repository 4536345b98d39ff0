import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fineFilename, zeroPad } from "../src/archive/filename.js";
import { hdf5Source, loadHdf5, readDataset, readSelection, writeHdf5 } from "../src/archive/hdf5.js";
import { forgetSnapshots } from "../src/archive/snapshot-cache.js";
import { applyIndex, index, indexRange } from "../src/ndarray/indexing.js";
import { reduce } from "../src/evaluate/reduce.js";
import { H5Snap } from "../src/expr/vector.js";
import { runFine } from "../src/solvers/fine.js";
import { fineSpec } from "../src/solvers/spec.js";
import { runPythonCode, tempDir } from "./helpers.js";

test("file names follow the original's f-string, Python int() truncation included", () => {
  const cases: [string, number, number, number][] = [
    ["fine", 0, 0, 0.7894736842105263],
    ["fine", 3, 0.7894736842105263, 1.5789473684210527],
    ["fine", 12, 14.210526315789474, 15],
    ["coarse", 10000, 0.0005, 1234.5678],
    ["fine", 1, -0.5, -0.0009],
    ["x", 7, 0.29, 0.57],
  ];
  const expected = JSON.parse(
    runPythonCode(
      "import json, sys\n" +
        "print(json.dumps([f\"{n}-{k:04}-{int(a*1000):06}-{int(b*1000):06}.h5\" for n, k, a, b in json.loads(sys.argv[1])]))",
      [JSON.stringify(cases)],
    ),
  ) as string[];
  cases.forEach(([n, k, a, b], i) => assert.equal(fineFilename(n, k, a, b), expected[i]));
  assert.equal(zeroPad(-5, 6), "-00005");
});

test("HDF5 round trip: data, shape and typed attributes", async (t) => {
  await loadHdf5();
  const dir = tempDir(t);
  const path = join(dir, "a.h5");
  const data = Float64Array.from({ length: 12 }, (_, k) => k / 3);
  writeHdf5(path, [{ name: "data", data, shape: [4, 3], attributes: { t0: { dtype: "float64", value: 0.1 }, n: { dtype: "int64", value: 79 } } }]);
  assert.deepEqual(readdirSync(dir), ["a.h5"], "no temporary file is left behind");
  const back = readDataset(path, "data");
  assert.deepEqual(back.shape, [4, 3]);
  assert.deepEqual(Array.from(back.data), Array.from(data));
  assert.deepEqual(back.attributes, { t0: 0.1, n: 79 });
  for (const idx of [index(-1), index(1, -1), index(indexRange(null, null, -1), 0), index(indexRange(1, 3), indexRange(0, 3, 2)), index()]) {
    assert.deepEqual(Array.from(readSelection(path, "data", idx)), Array.from(applyIndex(data, [4, 3], idx)), JSON.stringify(idx));
  }
  assert.throws(() => readSelection(path, "nope", index(0)), /no dataset `nope`/);
});

test("fine files have the original's layout, read by h5dump and h5py", async (t) => {
  const dir = tempDir(t);
  const spec = fineSpec({ name: "harmonic", params: { omega0: 1, zeta: 0.5 } }, 3, { h: 0.01, archive: dir });
  const { snap } = await runFine(spec, Float64Array.of(1, 0), 0.7894736842105263, 1.5789473684210527);
  assert.equal(snap.path, join(dir, "fine-0003-000789-001578.h5"));
  assert.deepEqual(snap.index, [-1]);

  const dump = execFileSync("h5dump", ["-A", snap.path], { encoding: "utf8" });
  assert.match(dump, /DATASET "data" \{\s+DATATYPE\s+H5T_IEEE_F64LE\s+DATASPACE\s+SIMPLE \{ \( 80, 2 \) \/ \( 80, 2 \) \}/);
  for (const name of ["t0", "t1", "h"]) assert.match(dump, new RegExp(`ATTRIBUTE "${name}" \\{\\s+DATATYPE\\s+H5T_IEEE_F64LE\\s+DATASPACE\\s+SCALAR`));
  assert.match(dump, /ATTRIBUTE "n" \{\s+DATATYPE\s+H5T_STD_I64LE\s+DATASPACE\s+SCALAR\s+DATA \{\s+\(0\): 79/);

  const py = JSON.parse(
    runPythonCode(
      "import json, sys, h5py\n" +
        "with h5py.File(sys.argv[1], 'r') as f:\n" +
        "    d = f['data']\n" +
        "    print(json.dumps({'shape': list(d.shape), 'dtype': str(d.dtype), 'last': d[-1].tolist(),\n" +
        "        'attrs': {k: [float(v), type(v).__name__] for k, v in d.attrs.items()}}))",
      [snap.path],
    ),
  ) as { shape: number[]; dtype: string; last: number[]; attrs: Record<string, [number, string]> };
  assert.deepEqual(py.shape, [80, 2]);
  assert.equal(py.dtype, "float64");
  assert.deepEqual(py.attrs.t0, [0.7894736842105263, "float64"]);
  assert.deepEqual(py.attrs.t1, [1.5789473684210527, "float64"]);
  assert.deepEqual(py.attrs.h, [0.01, "float64"]);
  assert.deepEqual(py.attrs.n, [79, "int64"]);

  // the snapshot reads back from the file (not the cache) as the last row
  const cached = reduce(snap);
  forgetSnapshots();
  const fromFile = reduce(new H5Snap(snap.path, "data", index(-1)));
  assert.deepEqual(Array.from(fromFile), py.last);
  assert.deepEqual(Array.from(cached), py.last);
});

test("--save-every keeps every k-th row and the last, and records the stride", async (t) => {
  const dir = tempDir(t);
  const problem = { name: "harmonic", params: {} };
  const all = (await runFine(fineSpec(problem, 1, { h: 0.01, archive: join(dir, "all") }), Float64Array.of(1, 0), 0, 0.79)).snap;
  const some = (await runFine(fineSpec(problem, 1, { h: 0.01, archive: join(dir, "some"), saveEvery: 10 }), Float64Array.of(1, 0), 0, 0.79)).snap;
  const a = readDataset(all.path, "data");
  const s = readDataset(some.path, "data");
  assert.deepEqual(a.shape, [80, 2]);
  assert.deepEqual(s.shape, [9, 2]); // rows 0, 10, ..., 70 and 79
  assert.equal(s.attributes.stride, 10);
  assert.equal(s.attributes.n, 79);
  const rows = [0, 10, 20, 30, 40, 50, 60, 70, 79];
  rows.forEach((r, i) => assert.deepEqual(Array.from(s.data.subarray(2 * i, 2 * i + 2)), Array.from(a.data.subarray(2 * r, 2 * r + 2))));
});

test("the build's vendored h5wasm is used, and its files match the stock module's", async (t) => {
  await loadHdf5();
  assert.equal(hdf5Source(), "vendored");
  const dir = tempDir(t);
  const path = join(dir, "v.h5");
  const data = Float64Array.from({ length: 10 }, (_, k) => Math.sqrt(k));
  writeHdf5(path, [{ name: "data", data, shape: [5, 2], attributes: { h: { dtype: "float64", value: 0.01 }, n: { dtype: "int64", value: 4 } } }]);
  // read it back with h5wasm exactly as published
  const stock = await import("h5wasm");
  await stock.ready;
  stock.FS!.writeFile("/stock.h5", readFileSync(path));
  const f = new stock.File("/stock.h5", "r");
  try {
    const ds = f.get("data") as InstanceType<typeof stock.Dataset>;
    assert.deepEqual(ds.shape, [5, 2]);
    assert.deepEqual(Array.from(ds.value as Float64Array), Array.from(data));
    assert.equal(ds.get_attribute("h", false), 0.01);
    assert.equal(ds.get_attribute("n", false), 4n);
  } finally {
    f.close();
  }
});
