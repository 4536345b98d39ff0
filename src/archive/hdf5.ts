/**
 * HDF5 files: written by our own encoder (hdf5-writer.ts) under a temporary name and renamed, so a
 * reader never sees half a file and a killed writer leaves nothing under the final name; read
 * through h5wasm's in-memory (MEMFS) build. Loading h5wasm costs about 0.25 s, so it happens once
 * per thread and only when a file is actually read.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { readRegularFile } from "./regular-file.js";
import { encodeHdf5 } from "./hdf5-writer.js";
import { gather, select, type IndexItem } from "../ndarray/indexing.js";
import { log } from "../log.js";

type H5 = typeof import("h5wasm");

let loading: Promise<H5> | undefined;
let loaded: H5 | undefined;
let source: "vendored" | "stock" | undefined;

// The build (scripts/vendor-h5wasm.mjs) keeps a copy of h5wasm with its wasm in a separate file,
// which loads about 0.1 s faster per thread; the package as shipped is the fallback.
const vendored = new URL("../../vendor/h5wasm/hdf5_hl.js", import.meta.url).href;

// HDF5's C library prints its error stack (HDF5-DIAG ...) to stderr on every failed call, through
// a console.error bound when the module loads. We bind it to a filter instead: failures reach us as
// exceptions, which become one-line messages; the stack is kept for --log debug.
let quiet = 0;
function installStderrFilter(): () => void {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (quiet > 0) log.debug(args.map(String).join(" "));
    else original.apply(console, args);
  };
  return () => (console.error = original);
}

async function importHdf5(): Promise<H5> {
  const restore = installStderrFilter();
  try {
    const m = (await import(vendored)) as H5;
    source = "vendored";
    return m;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw e;
    source = "stock";
    return await import("h5wasm");
  } finally {
    restore();
  }
}

export function loadHdf5(): Promise<H5> {
  loading ??= (async () => {
    // emscripten prints a failed start on three lines of its own: to the debug log, ours is one line
    quiet++;
    try {
      const m = await importHdf5();
      await m.ready;
      loaded = m;
      return m;
    } catch (e) {
      throw new Error(startFailure(e));
    } finally {
      quiet--;
    }
  })();
  return loading;
}

/** The address-space limit (ulimit -v) in bytes, or undefined when there is none (or not Linux). */
function addressSpaceLimit(): number | undefined {
  try {
    const m = /^Max address space\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Why h5wasm did not start, on one line, with the way out when it is a memory limit. */
function startFailure(e: unknown): string {
  const why = (e instanceof Error ? e.message : String(e)).replace(/^Aborted\((.*)\)(\. Build with .*)?$/s, "$1").replace(/\s+/g, " ");
  const limit = addressSpaceLimit();
  if (/out of memory|cannot allocate/i.test(why) && limit !== undefined) {
    // V8 reserves about 10 GB of address space per WebAssembly memory for its bounds checks
    return `cannot start HDF5 (h5wasm): ${why}; the address-space limit (ulimit -v ${Math.round(limit / 1024)} kB) leaves WebAssembly no room: raise it, or set NODE_OPTIONS=--disable-wasm-trap-handler`;
  }
  return `cannot start HDF5 (h5wasm): ${why}`;
}

/** Which h5wasm build was loaded: the build's vendored copy, or the package as shipped. */
export function hdf5Source(): "vendored" | "stock" | undefined {
  return source;
}

function h5(): H5 {
  if (!loaded) throw new Error("HDF5 is not loaded yet: await loadHdf5() first");
  return loaded;
}

export type AttributeValue = { dtype: "float64"; value: number } | { dtype: "int64"; value: number };

export interface DatasetSpec {
  readonly name: string;
  readonly data: Float64Array;
  readonly shape: readonly number[];
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

let scratchCounter = 0;
function scratchName(): string {
  return `/scratch-${process.pid}-${scratchCounter++}.h5`;
}

/**
 * Write float64 datasets with typed scalar attributes to `path`, atomically. The file is built by
 * our own encoder (hdf5-writer.ts), so writing needs no h5wasm; h5wasm stays for reading.
 */
export function writeHdf5(path: string, datasets: readonly DatasetSpec[]): void {
  writeFileAtomic(path, encodeHdf5(datasets));
}

export interface DatasetContent {
  readonly data: Float64Array;
  readonly shape: number[];
  readonly attributes: Record<string, number>;
}

/** Open a file from disk inside wasm memory, run `use`, and clean up. */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function withFile<T>(path: string, use: (file: InstanceType<H5["File"]>) => T): T {
  const m = h5();
  const bytes = readRegularFile(path);
  // the signature usually sits at byte 0 (it may also follow a user block at 512, 1024, ...)
  if (bytes.length < 8 || (!bytes.subarray(0, 8).equals(SIGNATURE) && bytes.indexOf(SIGNATURE) < 0)) {
    throw new Error(`${path}: not an HDF5 file`);
  }
  const scratch = scratchName();
  m.FS!.writeFile(scratch, bytes);
  let file: InstanceType<H5["File"]> | undefined;
  quiet++;
  try {
    try {
      file = new m.File(scratch, "r");
    } catch (e) {
      throw new Error(`${path}: cannot open as HDF5 (truncated or damaged?): ${(e as Error).message.split("\n")[0]}`);
    }
    return use(file);
  } finally {
    try {
      file?.close();
    } catch {
      // a damaged file may fail to close: its error was reported already
    }
    quiet--;
    m.FS!.unlink(scratch);
  }
}

function getDataset(file: InstanceType<H5["File"]>, path: string, name: string): InstanceType<H5["Dataset"]> {
  const entity = file.get(name);
  if (!(entity instanceof h5().Dataset)) throw new Error(`${path}: no dataset \`${name}\``);
  return entity;
}

function toFloat64(value: unknown, path: string, name: string): Float64Array {
  if (value instanceof Float64Array) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Float64Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  }
  if (typeof value === "number") return Float64Array.of(value);
  throw new Error(`${path}: dataset \`${name}\` is not numeric`);
}

/** The attributes of a fine file (the original's t0, t1, h and n; our stride). */
export const FINE_ATTRIBUTES: readonly string[] = ["t0", "t1", "h", "n", "stride"];

/**
 * One scalar numeric attribute, or undefined when it is absent or not one number. Looked up by
 * name: listing a file's attributes and reading each costs time quadratic in their number.
 */
function scalarAttribute(m: H5, ds: InstanceType<H5["Dataset"]>, key: string): number | undefined {
  let attribute: InstanceType<H5["Attribute"]>;
  try {
    attribute = new m.Attribute(ds.file_id, ds.path, key);
  } catch {
    return undefined; // absent
  }
  // only metadata so far: an attribute of a billion values is never read
  if (attribute.metadata.total_size !== 1) return undefined;
  const v = attribute.value;
  return typeof v === "number" || typeof v === "bigint" ? Number(v) : undefined;
}

/** Read a whole dataset and those of `attributeNames` (default: a fine file's) that are numbers. */
export function readDataset(path: string, name: string, attributeNames: readonly string[] = FINE_ATTRIBUTES): DatasetContent {
  return withFile(path, (file) => {
    const ds = getDataset(file, path, name);
    const attributes: Record<string, number> = {};
    for (const key of attributeNames) {
      const v = scalarAttribute(h5(), ds, key);
      if (v !== undefined) attributes[key] = v;
    }
    return { data: toFloat64(ds.value, path, name), shape: ds.shape ?? [], attributes };
  });
}

/** Read `dataset[index]` with NumPy semantics, fetching only the bounding hyperslab. */
export function readSelection(path: string, name: string, index: readonly IndexItem[]): Float64Array {
  return withFile(path, (file) => {
    const ds = getDataset(file, path, name);
    const shape = ds.shape ?? [];
    const sel = select(shape, index);
    if (sel.positions.some((p) => p.length === 0)) return new Float64Array(0);
    const lo = sel.positions.map((p) => Math.min(...p));
    const hi = sel.positions.map((p) => Math.max(...p) + 1);
    const block = toFloat64(ds.slice(lo.map((l, a) => [l, hi[a]!] as [number, number])), path, name);
    const blockShape = lo.map((l, a) => hi[a]! - l);
    const local = sel.positions.map((p, a) => p.map((x) => x - lo[a]!));
    return gatherBlock(block, blockShape, local);
  });
}

function gatherBlock(block: Float64Array, shape: number[], positions: number[][]): Float64Array {
  // the common case (a whole row) needs no copy
  if (positions.every((p, a) => p.length === shape[a] && p.every((x, i) => x === i))) return block;
  return gather(block, shape, positions);
}
