/**
 * Our HDF5 encoder (src/archive/hdf5-writer.ts) against the real tools, on every layout it can
 * produce: h5py (Debian's, HDF5 1.10) bit for bit, h5dump, h5wasm (HDF5 2.0) through readDataset
 * and readSelection, and the library's own encoding of the same content. About 6 s of CPU, its h5py,
 * h5dump and node children included (9 s wall on the 2 shared cores at load 6).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomic } from "../src/archive/atomic.js";
import { loadHdf5, readDataset, readSelection, writeHdf5, type AttributeValue, type DatasetSpec } from "../src/archive/hdf5.js";
import { encodeHdf5 } from "../src/archive/hdf5-writer.js";
import { h5wasmEncoder } from "../src/archive/h5wasm-writer.js";
import { lookup3 } from "../src/archive/lookup3.js";
import { applyIndex, index, indexRange, type IndexItem } from "../src/ndarray/indexing.js";
import { repoRoot, runPythonCode, tempDir } from "./helpers.js";

const f64 = (value: number): AttributeValue => ({ dtype: "float64", value });
const i64 = (value: number): AttributeValue => ({ dtype: "int64", value });
const ramp = (n: number, scale = 1) => Float64Array.from({ length: n }, (_, k) => (k - n / 3) * scale + Math.sin(k));

/** Doubles whose bits matter: NaNs with payloads and sign, infinities, -0, subnormals, extremes. */
function specialValues(): Float64Array {
  const bits = new BigUint64Array([
    0x7ff8000000000000n, // quiet NaN
    0xfff8000000000001n, // negative quiet NaN with a payload
    0x7ff0000000000001n, // signalling NaN
    0x7ff0000000000000n, // +Infinity
    0xfff0000000000000n, // -Infinity
    0x8000000000000000n, // -0
    0x0000000000000000n, // +0
    0x0000000000000001n, // smallest subnormal
    0x800fffffffffffffn, // largest negative subnormal
    0x7fefffffffffffffn, // largest finite
    0x3fd5555555555555n, // 1/3
  ]);
  return new Float64Array(bits.buffer);
}

const fineAttributes = (t0: number, t1: number) => ({ t0: f64(t0), t1: f64(t1), h: f64(0.01), n: i64(79), stride: i64(1) });

/** Every layout the writer produces, one file each. */
function layouts(): Record<string, DatasetSpec[]> {
  const many = Array.from({ length: 20 }, (_, k) => ({ name: `d${k}`, data: Float64Array.of(k, -k), shape: [2] }));
  const attrs: Record<string, AttributeValue> = {};
  for (let k = 0; k < 20; k++) attrs[`a${k}`] = k % 2 ? f64(k / 7) : i64(-k * 1_000_000_007);
  return {
    // fine trajectory: rows x dim with the five attributes (t0, t1, h, n, stride)
    fine: [{ name: "data", data: ramp(160, 0.01), shape: [80, 2], attributes: fineAttributes(0.7894736842105263, 1.5789473684210527) }],
    // black-box input: one state, with t0 and t1
    blackBoxInput: [{ name: "data", data: Float64Array.of(1, -0, 3.5), shape: [3], attributes: { t0: f64(0), t1: f64(0.25) } }],
    // combine: t and data, no attributes
    combine: [
      { name: "t", data: ramp(1502), shape: [1502] },
      { name: "data", data: ramp(3004, 1e-3), shape: [1502, 2] },
    ],
    special: [{ name: "data", data: specialValues(), shape: [11], attributes: { nan: f64(NaN), inf: f64(Infinity), ninf: f64(-Infinity), nzero: f64(-0), tiny: f64(5e-324), big: i64(Number.MAX_SAFE_INTEGER), small: i64(Number.MIN_SAFE_INTEGER), zero: i64(0), minus: i64(-1) } }],
    scalar: [{ name: "x", data: Float64Array.of(-2.5), shape: [], attributes: { h: f64(0.5) } }],
    rank3: [{ name: "cube", data: ramp(2 * 3 * 5), shape: [2, 3, 5], attributes: { n: i64(30) } }],
    oddSizes: [
      { name: "one", data: Float64Array.of(7), shape: [1, 1] },
      { name: "prime", data: ramp(7 * 13), shape: [7, 13] },
      { name: "column", data: ramp(17), shape: [17, 1] },
    ],
    zeroLength: [
      { name: "none", data: new Float64Array(0), shape: [0] },
      { name: "rows", data: new Float64Array(0), shape: [0, 3], attributes: { n: i64(0) } },
      { name: "middle", data: new Float64Array(0), shape: [4, 0, 2] },
    ],
    noDatasets: [],
    manyDatasets: many,
    manyAttributes: [{ name: "data", data: ramp(6), shape: [3, 2], attributes: attrs }],
    names: [
      { name: "données ☃ 𝛼", data: Float64Array.of(1, 2), shape: [2], attributes: { "é t0": f64(1.5), "𝛽": i64(2) } },
      { name: "n".repeat(300), data: Float64Array.of(3), shape: [1], attributes: { ["a".repeat(300)]: f64(2) } },
      { name: ".hidden name with spaces", data: Float64Array.of(4), shape: [1] },
    ],
    // the longest names; headers over 64 KiB (4-byte chunk sizes)
    longestNames: [
      { name: "L".repeat(65_000), data: Float64Array.of(1), shape: [1], attributes: { ["A".repeat(65_000)]: i64(1), ["B".repeat(65_000)]: f64(2) } },
      { name: "M".repeat(65_000), data: Float64Array.of(2), shape: [1] },
    ],
    // a few million numbers with odd sizes: 999,983 (a prime) rows of 3
    large: [{ name: "data", data: ramp(999_983 * 3, 1e-6), shape: [999_983, 3], attributes: fineAttributes(0, 1) }],
  };
}

const sha256 = (d: Float64Array) => createHash("sha256").update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest("hex");
const bitsOf = (x: number) => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x, true);
  return Buffer.from(b.buffer).toString("hex");
};

const H5PY_DESCRIBE = `
import h5py, json, sys, hashlib, struct, numpy as np
out = {}
for path in json.loads(sys.argv[1]):
    with h5py.File(path, 'r') as f:
        ds = {}
        for name, d in f.items():
            a = d[()]
            ds[name] = {
                'shape': list(d.shape),
                'dtype': d.dtype.str,
                'contiguous': d.id.get_create_plist().get_layout() == h5py.h5d.CONTIGUOUS,
                'filters': d.compression is not None or d.chunks is not None,
                'sha256': hashlib.sha256(np.ascontiguousarray(a, dtype='<f8').tobytes()).hexdigest(),
                'attrs': {k: [v.dtype.str, struct.pack('<d', float(v)).hex() if v.dtype.kind == 'f' else int(v)] for k, v in d.attrs.items()},
            }
        out[path] = {'keys': list(f.keys()), 'datasets': ds}
print(json.dumps(out))
`;

interface H5pyDataset {
  shape: number[];
  dtype: string;
  contiguous: boolean;
  filters: boolean;
  sha256: string;
  attrs: Record<string, [string, string | number]>;
}

test("lookup3: Jenkins' test vectors, and the checksums the HDF5 library wrote into its own file", async (t) => {
  const ascii = new TextEncoder().encode("Four score and seven years ago");
  assert.equal(lookup3(new Uint8Array(0)), 0xdeadbeef);
  assert.equal(lookup3(new Uint8Array(0), 0, 0, 0xdeadbeef), 0xbd5b7dde);
  assert.equal(lookup3(ascii), 0x17770551);
  assert.equal(lookup3(ascii, 0, ascii.length, 1), 0xcd628161);

  // a file encoded by the library (h5wasm): its superblock and object header checksums, recomputed
  const encode = await h5wasmEncoder();
  const file = encode(layouts().fine!);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.equal(file[8], 2, "superblock version 2");
  assert.equal(lookup3(file, 0, 44), view.getUint32(44, true));
  const checkHeader = (at: number) => {
    assert.equal(Buffer.from(file.subarray(at, at + 4)).toString(), "OHDR");
    const flags = file[at + 5]!;
    const width = 1 << (flags & 3);
    const prefix = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const chunk = width === 1 ? file[at + prefix]! : width === 2 ? view.getUint16(at + prefix, true) : view.getUint32(at + prefix, true);
    const end = at + prefix + width + chunk;
    assert.equal(lookup3(file, at, end), view.getUint32(end, true), `object header at ${at}`);
  };
  checkHeader(Number(view.getBigUint64(36, true))); // the root group

  // the library verifies our checksums: change attribute h in our file and h5dump refuses it,
  // until lookup3 recomputes the dataset header's checksum
  const ours = Buffer.from(encodeHdf5(layouts().fine!));
  const header = ours.indexOf("OHDR", 48 + 4); // the dataset's, after the root group's
  const chunkAt = header + 6;
  assert.equal(ours[header + 5]! & 0x33, 1, "2-byte chunk size, no times, no phase change");
  const end = chunkAt + 2 + ours.readUInt16LE(chunkAt);
  const h = ours.indexOf(Buffer.from(new Float64Array([0.01]).buffer), header);
  assert.ok(h > header && h < end);
  ours.writeDoubleLE(0.02, h);
  const path = join(tempDir(t), "changed.h5");
  writeFileSync(path, ours);
  assert.throws(() => execFileSync("h5dump", ["-A", path], { stdio: "pipe" }), /Command failed/);
  ours.writeUInt32LE(lookup3(ours, header, end), end);
  writeFileSync(path, ours);
  assert.match(execFileSync("h5dump", ["-A", path], { encoding: "utf8" }), /ATTRIBUTE "h" \{\s+DATATYPE\s+H5T_IEEE_F64LE\s+DATASPACE\s+SCALAR\s+DATA \{\s+\(0\): 0.02\s/);
  t.diagnostic(`the library's file ${file.length} bytes, ours ${ours.length}`);
});

test("every layout reads back bit for bit with h5py, h5dump and h5wasm", async (t) => {
  const dir = tempDir(t);
  const cases = layouts();
  const paths: Record<string, string> = {};
  for (const [label, datasets] of Object.entries(cases)) {
    paths[label] = join(dir, `${label}.h5`);
    writeHdf5(paths[label], datasets);
  }
  assert.deepEqual(readdirSync(dir).sort(), Object.keys(cases).map((l) => `${l}.h5`).sort(), "no temporary files left");

  const py = JSON.parse(runPythonCode(H5PY_DESCRIBE, [JSON.stringify(Object.values(paths))])) as Record<string, { keys: string[]; datasets: Record<string, H5pyDataset> }>;
  await loadHdf5();
  for (const [label, datasets] of Object.entries(cases)) {
    const path = paths[label]!;
    const file = py[path]!;
    assert.deepEqual(file.keys, datasets.map((d) => d.name).sort(), `${label}: names`);

    const dump = execFileSync("h5dump", label === "large" ? ["-H", "-A", path] : [path], { encoding: "utf8", maxBuffer: 1 << 26 });
    for (const d of datasets) {
      const what = `${label}/${d.name.slice(0, 20)}`;
      // h5py: shape, '<f8', contiguous and unfiltered, the bytes, the attributes' dtypes and bits
      const p = file.datasets[d.name]!;
      assert.deepEqual(p.shape, d.shape, `${what}: h5py shape`);
      assert.equal(p.dtype, "<f8", `${what}: h5py dtype`);
      assert.ok(p.contiguous && !p.filters, `${what}: contiguous, no filters`);
      assert.equal(p.sha256, sha256(d.data), `${what}: h5py data bits`);
      const attrs = Object.entries(d.attributes ?? {});
      assert.deepEqual(
        p.attrs,
        Object.fromEntries(attrs.map(([k, a]) => [k, a.dtype === "float64" ? ["<f8", bitsOf(a.value)] : ["<i8", a.value + 0]])),
        `${what}: h5py attributes`,
      );

      // h5dump: datatype, dataspace, attributes with their types and values
      const block = datasetBlock(dump, d.name);
      const dims = d.shape.join(", ");
      const space = d.shape.length === 0 ? "SCALAR" : `SIMPLE \\{ \\( ${dims} \\) / \\( ${dims} \\) \\}`;
      assert.match(block, new RegExp(`^\\s+DATATYPE\\s+H5T_IEEE_F64LE\\s+DATASPACE\\s+${space}`), `${what}: h5dump`);
      for (const [k, a] of attrs) {
        const head = `ATTRIBUTE "${k}" {`;
        const at = block.indexOf(head);
        const m = at < 0 ? null : /^\s+DATATYPE\s+(\S+)\s+DATASPACE\s+SCALAR\s+DATA \{\s+\(0\): (\S+)/.exec(block.slice(at + head.length));
        assert.ok(m, `${what}: h5dump attribute ${k.slice(0, 20)}`);
        assert.equal(m[1], a.dtype === "float64" ? "H5T_IEEE_F64LE" : "H5T_STD_I64LE");
        if (a.dtype === "int64") assert.equal(m[2], String(a.value + 0));
        else assert.ok(sameNumber(Number(m[2]!.replace(/^(-?)inf$/, "$1Infinity")), a.value), `${what}: ${k} = ${m[2]}`);
      }

      // h5wasm through our readers
      const back = readDataset(path, d.name, attrs.map(([k]) => k));
      assert.deepEqual(back.shape, d.shape, `${what}: h5wasm shape`);
      assert.equal(sha256(back.data), sha256(d.data), `${what}: h5wasm data bits`);
      // int64 -0 is stored as 0
      assert.deepEqual(back.attributes, Object.fromEntries(attrs.map(([k, a]) => [k, a.dtype === "int64" ? a.value + 0 : a.value])), `${what}: h5wasm attributes`);
    }
  }

  // readSelection (h5wasm hyperslabs) on the multi-dimensional layouts
  const slices: [string, string, IndexItem[]][] = [
    ["fine", "data", index(-1)],
    ["fine", "data", index(indexRange(3, 70, 7), 1)],
    ["rank3", "cube", index(1, indexRange(null, null, -1), indexRange(1, 4))],
    ["oddSizes", "prime", index(indexRange(2, 7), -3)],
    ["large", "data", index(-1)],
    ["large", "data", index(indexRange(500_000, 500_010), indexRange(0, 3, 2))],
  ];
  for (const [label, name, idx] of slices) {
    const d = cases[label]!.find((x) => x.name === name)!;
    assert.deepEqual(Array.from(readSelection(paths[label]!, name, idx)), Array.from(applyIndex(d.data, d.shape, idx)), `${label} ${JSON.stringify(idx)}`);
  }
});

test("h5dump -p shows what the HDF5 library writes for the same content, but for the data's address", async (t) => {
  const dir = tempDir(t);
  const encode = await h5wasmEncoder();
  const all = layouts();
  for (const label of Object.keys(all)) {
    const ours = join(dir, `ours-${label}.h5`);
    const theirs = join(dir, `theirs-${label}.h5`);
    writeFileSync(ours, encodeHdf5(all[label]!));
    writeFileSync(theirs, encode(all[label]!));
    const show = (p: string) => execFileSync("h5dump", ["-p", "-A", "-B", p], { encoding: "utf8" }).split("\n").slice(1).filter((l) => !/^\s+OFFSET \d+$/.test(l)).join("\n");
    assert.equal(show(ours), show(theirs), label);
  }
});

test("names, shapes, values and sizes it cannot write are refused with a clear error", () => {
  const ok = (over: Partial<DatasetSpec>): DatasetSpec[] => [{ name: "data", data: Float64Array.of(1, 2), shape: [2], ...over }];
  const refused: [DatasetSpec[], RegExp][] = [
    [ok({ name: "" }), /dataset name "" is empty/],
    [ok({ name: "a/b" }), /dataset name "a\/b" contains '\/'/],
    [ok({ name: "a\0b" }), /contains a NUL character/],
    [ok({ name: "bad\uD800" }), /lone surrogate/],
    [ok({ name: "." }), /may not be called "\."/],
    [ok({ name: "x".repeat(65_001) }), /name of 65001 bytes; at most 65000/],
    [ok({ name: "é".repeat(32_501) }), /name of 65002 bytes/],
    [[...ok({}), ...ok({})], /two datasets are called "data"/],
    [ok({ shape: [3] }), /shape \[3\] holds 3 values, data has 2/],
    [ok({ shape: [2, 1, 2] }), /holds 4 values, data has 2/],
    [ok({ shape: [-2] }), /not a whole number >= 0/],
    [ok({ shape: [1.5] }), /not a whole number >= 0/],
    [ok({ shape: [NaN] }), /not a whole number >= 0/],
    [ok({ shape: Array(33).fill(1), data: Float64Array.of(1) }), /at most 32 axes/],
    [ok({ data: [1, 2] as unknown as Float64Array }), /data must be a Float64Array/],
    [ok({ data: new Float32Array(2) as unknown as Float64Array }), /data must be a Float64Array/],
    [ok({ attributes: { n: i64(1.5) } }), /attribute "n": int64 value 1.5 is not a safe integer/],
    [ok({ attributes: { n: i64(2 ** 60) } }), /not a safe integer/],
    [ok({ attributes: { n: { dtype: "int32", value: 1 } as unknown as AttributeValue } }), /dtype must be "float64" or "int64"/],
    [ok({ attributes: { "x/y": f64(1) } }), /attribute name "x\/y" contains '\/' \(dataset "data", attribute "x\/y"\)/],
    [ok({ attributes: { "": f64(1) } }), /attribute name "" is empty/],
    [Array.from({ length: 65_536 }, (_, k) => ({ name: `d${k}`, data: new Float64Array(0), shape: [0] })), /65536 datasets in one file; at most 65535/],
  ];
  for (const [datasets, message] of refused) assert.throws(() => encodeHdf5(datasets), message);
});

test("the atomic write: nothing left behind, the mode kept, failures clean, readers never see half a file", async (t) => {
  const dir = tempDir(t);
  for (let k = 0; k < 200; k++) writeFileAtomic(join(dir, `f${k}`), `file ${k}`);
  assert.equal(readdirSync(dir).length, 200);
  assert.equal(readFileSync(join(dir, "f199"), "utf8"), "file 199");
  writeFileAtomic(join(dir, "f0"), "again");
  assert.equal(readFileSync(join(dir, "f0"), "utf8"), "again");

  writeFileAtomic(join(dir, "secret"), "x", 0o600);
  assert.equal(statSync(join(dir, "secret")).mode & 0o777, 0o600);

  // rename onto a directory fails: the error comes through and the temporary file is gone
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "keep"), "");
  assert.throws(() => writeFileAtomic(join(dir, "sub"), "y"), /EISDIR|ENOTEMPTY|EEXIST/);
  assert.throws(() => writeFileAtomic(join(dir, "missing", "f"), "y"), /ENOENT/);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);

  // a writer thread replaces one file 300 times with contents of two sizes; every read is whole
  const path = join(dir, "shared");
  writeFileAtomic(path, Buffer.alloc(100_000, "a"));
  const worker = new Worker(
    `const { workerData: { path, module } } = require("node:worker_threads");
     import(module).then(({ writeFileAtomic }) => {
       for (let k = 0; k < 300; k++) writeFileAtomic(path, Buffer.alloc(k % 2 ? 100_000 : 30_000, k % 2 ? "a" : "b"));
     });`,
    { eval: true, workerData: { path, module: new URL("../src/archive/atomic.js", import.meta.url).href } },
  );
  const done = new Promise((resolve, reject) => worker.once("exit", resolve).once("error", reject));
  let reads = 0;
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const got = readFileSync(path);
    const whole = (got.length === 100_000 && got.every((c) => c === 0x61)) || (got.length === 30_000 && got.every((c) => c === 0x62));
    assert.ok(whole, `read ${got.length} bytes, not one whole version`);
    reads++;
    await new Promise((r) => setImmediate(r));
  }
  await done;
  assert.ok(reads > 0);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
  t.diagnostic(`${reads} whole reads while the file was replaced 300 times`);
});

test("writeHdf5 works in a process that never loads h5wasm", (t) => {
  const dir = tempDir(t);
  const path = join(dir, "alone.h5");
  const code = `
    const m = await import(${JSON.stringify(join(repoRoot, "dist", "src", "archive", "hdf5.js"))});
    m.writeHdf5(process.argv[1], [{ name: "data", data: Float64Array.of(1, 2, 3, 4), shape: [2, 2], attributes: { n: { dtype: "int64", value: 1 } } }]);
    console.log(String(m.hdf5Source()));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code, path], { encoding: "utf8" });
  assert.equal(out.trim(), "undefined", "h5wasm was not loaded");
  const back = JSON.parse(runPythonCode("import h5py, sys, json\nd = h5py.File(sys.argv[1], 'r')['data']\nprint(json.dumps([d[()].tolist(), int(d.attrs['n'])]))", [path]));
  assert.deepEqual(back, [[[1, 2], [3, 4]], 1]);
});

/** The text of h5dump's DATASET "name" block, up to the next dataset. */
function datasetBlock(dump: string, name: string): string {
  const start = dump.indexOf(`DATASET "${name}" {`);
  assert.ok(start >= 0, `h5dump shows dataset ${name.slice(0, 20)}`);
  const from = start + `DATASET "${name}" {`.length;
  const next = dump.indexOf('DATASET "', from);
  return dump.slice(from, next < 0 ? undefined : next);
}

function sameNumber(printed: number, value: number): boolean {
  if (Number.isNaN(value) || !Number.isFinite(value) || value === 0) return Object.is(printed, value) || (value === 0 && printed === 0);
  return Math.abs(printed - value) <= 1e-5 * Math.abs(value);
}
