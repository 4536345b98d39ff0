/**
 * An HDF5 file built in memory by the HDF5 File Format Specification (version 3.0 of the document),
 * for what this package writes: float64 datasets with scalar float64/int64 attributes in the root
 * group. The structures are those of the library's "1.8 and later" format, as h5wasm writes them:
 *
 *   superblock version 2 (48 bytes, lookup3 checksum), no superblock extension
 *   root group: a version 2 object header ("OHDR") with a Link Info message (compact links: no
 *     fractal heap, no name index), a Group Info message and one hard Link message per dataset
 *   per dataset: a version 2 object header with Dataspace (version 2), Datatype (class 1, IEEE
 *     float64 little-endian), Fill Value (version 3: late allocation, fill value written if set,
 *     library default), Data Layout (version 3, contiguous) and one Attribute message (version 3)
 *     per attribute: a scalar dataspace and IEEE float64 LE or signed 64-bit LE integer
 *   then the raw data of each dataset, contiguous, row-major, in the order given
 *
 * What it takes (and what it refuses, with an error naming the dataset):
 *   - any number of datasets, 0 to 65535, with distinct names
 *   - rank 0 (a scalar: shape [], one value) to 32 (HDF5's limit); zero-length axes (no storage
 *     is allocated then, as the library does); data.length must equal the product of the shape
 *   - 0 to 65535 attributes per dataset; int64 values must be safe integers
 *   - names of datasets and attributes: non-empty, no '/', no NUL, well-formed Unicode (stored as
 *     UTF-8, flagged so when not ASCII), at most 65000 bytes (a message is at most 64 KiB); a
 *     dataset may not be called "."
 *   - the whole file must fit in one Uint8Array (buffer.constants.MAX_LENGTH bytes)
 */
import { constants } from "node:buffer";
import { ByteWriter } from "./byte-writer.js";
import type { AttributeValue, DatasetSpec } from "./hdf5.js";
import { lookup3 } from "./lookup3.js";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const SUPERBLOCK_SIZE = 48;
const MAX_RANK = 32;
const MAX_NAME_BYTES = 65_000;
/** Group Info and object header phase-change fields are 16-bit: the most links or attributes we store compactly. */
const MAX_COMPACT = 65_535;
/** The library's defaults for compact/dense storage of links and attributes (stored only when exceeded). */
const DEFAULT_MAX_COMPACT = 8;
const DEFAULT_MIN_DENSE = 6;

// header message types (IV.A.2)
const MSG_DATASPACE = 0x0001;
const MSG_LINK_INFO = 0x0002;
const MSG_DATATYPE = 0x0003;
const MSG_FILL_VALUE = 0x0005;
const MSG_LINK = 0x0006;
const MSG_LAYOUT = 0x0008;
const MSG_GROUP_INFO = 0x000a;
const MSG_ATTRIBUTE = 0x000c;
/** header message flag bit 0: the message is constant (the library sets it on datatypes and fill values) */
const CONSTANT = 0x01;

/** type (1) + size (2) + flags (1): a version 2 header message prefix without creation order */
const MESSAGE_PREFIX = 4;
const DATATYPE_F64_SIZE = 20; // 8 + floating-point properties (12)
const DATATYPE_I64_SIZE = 12; // 8 + fixed-point properties (4)
const SCALAR_DATASPACE_SIZE = 4;
const FILL_VALUE_SIZE = 2;
const LAYOUT_SIZE = 18;
const LINK_INFO_SIZE = 18;

interface Name {
  readonly bytes: Uint8Array;
  readonly utf8: boolean;
}

interface PreparedAttribute {
  readonly name: Name;
  readonly value: AttributeValue;
}

interface PreparedDataset {
  readonly spec: DatasetSpec;
  readonly name: Name;
  readonly attributes: PreparedAttribute[];
  readonly chunkSize: number;
  readonly headerSize: number;
  address: number;
  dataAddress: number;
}

/** Encode float64 datasets and their scalar attributes as a complete HDF5 file. */
export function encodeHdf5(datasets: readonly DatasetSpec[]): Uint8Array {
  if (datasets.length > MAX_COMPACT) throw new RangeError(`HDF5 writer: ${datasets.length} datasets in one file; at most ${MAX_COMPACT}`);
  const prepared: PreparedDataset[] = [];
  const seen = new Set<string>();
  for (const spec of datasets) {
    const d = prepare(spec);
    if (seen.has(spec.name)) throw new Error(`HDF5 writer: two datasets are called "${spec.name}"`);
    seen.add(spec.name);
    prepared.push(d);
  }

  // root group header: Link Info, Group Info, one Link per dataset
  const links = prepared.reduce((sum, d) => sum + MESSAGE_PREFIX + linkSize(d.name), 0);
  const rootChunk = MESSAGE_PREFIX + LINK_INFO_SIZE + MESSAGE_PREFIX + groupInfoSize(prepared.length) + links;
  const rootSize = headerSize(rootChunk, false);

  // addresses: superblock, root header, dataset headers, then raw data
  let at = SUPERBLOCK_SIZE + rootSize;
  for (const d of prepared) {
    d.address = at;
    at += d.headerSize;
  }
  for (const d of prepared) {
    d.dataAddress = at;
    at += d.spec.data.byteLength;
  }
  if (at > constants.MAX_LENGTH) throw new RangeError(`HDF5 writer: the file would be ${at} bytes, more than the ${constants.MAX_LENGTH} this writer can build in memory`);

  // every byte is written below (checked at the end), so the buffer need not be zeroed first
  const w = new ByteWriter(Buffer.allocUnsafe(at));
  writeSuperblock(w, at, SUPERBLOCK_SIZE);
  writeRootGroup(w, rootChunk, prepared);
  for (const d of prepared) writeDatasetHeader(w, d);
  for (const d of prepared) w.float64s(d.spec.data);
  if (w.pos !== at) throw new Error(`HDF5 writer: internal error, wrote ${w.pos} bytes of ${at}`);
  return w.bytes;
}

function prepare(spec: DatasetSpec): PreparedDataset {
  const name = checkName(spec.name, "dataset", spec.name);
  if (spec.name === ".") throw new Error(`HDF5 writer: a dataset may not be called "."`);
  const what = `dataset "${spec.name}"`;
  if (!(spec.data instanceof Float64Array)) throw new TypeError(`HDF5 writer: ${what}: data must be a Float64Array`);
  const shape = spec.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK) throw new RangeError(`HDF5 writer: ${what}: shape must be an array of at most ${MAX_RANK} axes`);
  let count = 1;
  for (const n of shape) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`HDF5 writer: ${what}: shape [${shape.join(", ")}] has an axis that is not a whole number >= 0`);
    count *= n;
  }
  if (count !== spec.data.length) throw new RangeError(`HDF5 writer: ${what}: shape [${shape.join(", ")}] holds ${count} values, data has ${spec.data.length}`);

  const attributes: PreparedAttribute[] = [];
  for (const [key, value] of Object.entries(spec.attributes ?? {})) {
    const where = `${what}, attribute "${key}"`;
    if (value?.dtype === "float64") {
      if (typeof value.value !== "number") throw new TypeError(`HDF5 writer: ${where}: value must be a number`);
    } else if (value?.dtype === "int64") {
      if (!Number.isSafeInteger(value.value)) throw new RangeError(`HDF5 writer: ${where}: int64 value ${value.value} is not a safe integer`);
    } else {
      throw new TypeError(`HDF5 writer: ${where}: dtype must be "float64" or "int64"`);
    }
    attributes.push({ name: checkName(key, "attribute", where), value });
  }
  if (attributes.length > MAX_COMPACT) throw new RangeError(`HDF5 writer: ${what}: ${attributes.length} attributes; at most ${MAX_COMPACT}`);

  const chunkSize =
    MESSAGE_PREFIX + dataspaceSize(shape.length) +
    MESSAGE_PREFIX + DATATYPE_F64_SIZE +
    MESSAGE_PREFIX + FILL_VALUE_SIZE +
    MESSAGE_PREFIX + LAYOUT_SIZE +
    attributes.reduce((sum, a) => sum + MESSAGE_PREFIX + attributeSize(a), 0);
  return { spec, name, attributes, chunkSize, headerSize: headerSize(chunkSize, attributes.length > DEFAULT_MAX_COMPACT), address: 0, dataAddress: 0 };
}

const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// names recur in every file (data, t0, t1, h, n, stride): checked and encoded once (TextEncoder
// costs about 1 us a call); bounded so that endless distinct names cannot grow it
const checkedNames = new Map<string, Name>();

function checkName(name: string, kind: "dataset" | "attribute", where: string): Name {
  const known = checkedNames.get(name);
  if (known) return known;
  const problem =
    typeof name !== "string" || name.length === 0 ? "is empty"
    : name.includes("/") ? "contains '/'"
    : name.includes("\0") ? "contains a NUL character"
    : LONE_SURROGATE.test(name) ? "is not well-formed Unicode (a lone surrogate)"
    : undefined;
  if (problem) throw new Error(`HDF5 writer: ${kind} name ${JSON.stringify(name)} ${problem} (${where})`);
  const bytes = encoder.encode(name);
  if (bytes.length > MAX_NAME_BYTES) throw new RangeError(`HDF5 writer: ${kind} name of ${bytes.length} bytes; at most ${MAX_NAME_BYTES} (${where})`);
  const checked = { bytes, utf8: bytes.length !== name.length };
  if (checkedNames.size >= 256) checkedNames.clear();
  checkedNames.set(name, checked);
  return checked;
}

/** Bytes of a field able to hold x: 1, 2, 4 or 8, and the 2-bit code of that width. */
function widthOf(x: number): { size: 1 | 2 | 4 | 8; code: number } {
  if (x < 0x100) return { size: 1, code: 0 };
  if (x < 0x1_0000) return { size: 2, code: 1 };
  if (x < 0x1_0000_0000) return { size: 4, code: 2 };
  return { size: 8, code: 3 };
}

/** A version 2 object header: "OHDR", version, flags, [phase change], chunk #0 size, messages, checksum. */
function headerSize(chunk: number, phaseChange: boolean): number {
  return 4 + 1 + 1 + (phaseChange ? 4 : 0) + widthOf(chunk).size + chunk + 4;
}

const dataspaceSize = (rank: number) => 4 + 8 * rank;
const linkSize = (name: Name) => 2 + (name.utf8 ? 1 : 0) + widthOf(name.bytes.length).size + name.bytes.length + 8;
const groupInfoSize = (links: number) => (links > DEFAULT_MAX_COMPACT ? 6 : 2);
const attributeSize = (a: PreparedAttribute) =>
  9 + a.name.bytes.length + 1 + (a.value.dtype === "float64" ? DATATYPE_F64_SIZE : DATATYPE_I64_SIZE) + SCALAR_DATASPACE_SIZE + 8;

/** II.A superblock version 2: sizes of offsets and lengths 8, no extension, root group header after it. */
function writeSuperblock(w: ByteWriter, endOfFile: number, rootAddress: number): void {
  const start = w.pos;
  for (const b of SIGNATURE) w.u8(b);
  w.u8(2); // superblock version
  w.u8(8); // size of offsets
  w.u8(8); // size of lengths
  w.u8(0); // file consistency flags
  w.u64(0); // base address
  w.undefinedAddress(); // superblock extension address: none
  w.u64(endOfFile);
  w.u64(rootAddress);
  w.u32(lookup3(w.bytes, start, w.pos));
}

/** Start a version 2 object header (IV.A.1.b) whose messages take `chunk` bytes; returns where it began. */
function beginHeader(w: ByteWriter, chunk: number, phaseChange?: { maxCompact: number; minDense: number }): number {
  const start = w.pos;
  w.raw(OHDR);
  w.u8(2); // version
  const width = widthOf(chunk);
  // bits 0-1: width of the chunk size; bit 4: attribute phase change values stored; no times (bit 5)
  w.u8(width.code | (phaseChange ? 0x10 : 0));
  if (phaseChange) {
    w.u16(phaseChange.maxCompact);
    w.u16(phaseChange.minDense);
  }
  w.uint(chunk, width.size);
  return start;
}

function endHeader(w: ByteWriter, start: number, expectedEnd: number): void {
  // the sizes computed ahead and the bytes written must agree: addresses depend on them
  if (w.pos + 4 !== expectedEnd) throw new Error(`HDF5 writer: internal error, object header is ${w.pos + 4 - start} bytes, planned ${expectedEnd - start}`);
  w.u32(lookup3(w.bytes, start, w.pos));
}

const OHDR = new Uint8Array([0x4f, 0x48, 0x44, 0x52]);

function message(w: ByteWriter, type: number, size: number, flags = 0): void {
  w.u8(type);
  w.u16(size);
  w.u8(flags);
}

function writeRootGroup(w: ByteWriter, chunk: number, datasets: readonly PreparedDataset[]): void {
  const start = beginHeader(w, chunk);
  const end = start + headerSize(chunk, false);

  // IV.A.2.c Link Info: no creation order, links stored compactly (no fractal heap, no name index)
  message(w, MSG_LINK_INFO, LINK_INFO_SIZE);
  w.u8(0); // version
  w.u8(0); // flags
  w.undefinedAddress(); // fractal heap
  w.undefinedAddress(); // v2 B-tree name index

  // IV.A.2.k Group Info: default phase change (8 compact, 6 dense) unless more links than 8
  const size = groupInfoSize(datasets.length);
  message(w, MSG_GROUP_INFO, size, CONSTANT);
  w.u8(0); // version
  if (size === 2) {
    w.u8(0); // flags: nothing stored
  } else {
    w.u8(0x01); // flags: link phase change values stored
    w.u16(datasets.length); // maximum compact
    w.u16(DEFAULT_MIN_DENSE); // minimum dense
  }

  // IV.A.2.g Link: a hard link (no link type field), name in ASCII or flagged UTF-8
  for (const d of datasets) {
    const width = widthOf(d.name.bytes.length);
    message(w, MSG_LINK, linkSize(d.name));
    w.u8(1); // version
    w.u8(width.code | (d.name.utf8 ? 0x10 : 0)); // bits 0-1: name length width; bit 4: charset present
    if (d.name.utf8) w.u8(1); // UTF-8
    w.uint(d.name.bytes.length, width.size);
    w.raw(d.name.bytes);
    w.u64(d.address);
  }
  endHeader(w, start, end);
}

function writeDatasetHeader(w: ByteWriter, d: PreparedDataset): void {
  const many = d.attributes.length > DEFAULT_MAX_COMPACT;
  const start = beginHeader(w, d.chunkSize, many ? { maxCompact: d.attributes.length, minDense: DEFAULT_MIN_DENSE } : undefined);
  if (start !== d.address) throw new Error(`HDF5 writer: internal error, dataset header at ${start}, planned at ${d.address}`);
  const shape = d.spec.shape;

  message(w, MSG_DATASPACE, dataspaceSize(shape.length));
  writeDataspace(w, shape);

  message(w, MSG_DATATYPE, DATATYPE_F64_SIZE, CONSTANT);
  writeFloat64Type(w);

  // IV.A.2.f Fill Value version 3: flags = allocation time late (2) | fill written if set (2 << 2);
  // neither "undefined" nor "defined": the library default (zeros), as h5py and h5wasm write it
  message(w, MSG_FILL_VALUE, FILL_VALUE_SIZE, CONSTANT);
  w.u8(3);
  w.u8(2 | (2 << 2));

  // IV.A.2.i Data Layout version 3, contiguous: address and size of the raw data (none if empty)
  message(w, MSG_LAYOUT, LAYOUT_SIZE);
  w.u8(3); // version
  w.u8(1); // layout class: contiguous
  if (d.spec.data.length === 0) w.undefinedAddress();
  else w.u64(d.dataAddress);
  w.u64(d.spec.data.byteLength);

  // IV.A.2.m Attribute version 3: name, datatype, scalar dataspace, value
  for (const a of d.attributes) {
    const float = a.value.dtype === "float64";
    message(w, MSG_ATTRIBUTE, attributeSize(a));
    w.u8(3); // version
    w.u8(0); // flags: datatype and dataspace not shared
    w.u16(a.name.bytes.length + 1); // name size, NUL included
    w.u16(float ? DATATYPE_F64_SIZE : DATATYPE_I64_SIZE);
    w.u16(SCALAR_DATASPACE_SIZE);
    w.u8(a.name.utf8 ? 1 : 0); // name character set: ASCII or UTF-8
    w.raw(a.name.bytes);
    w.u8(0);
    if (float) writeFloat64Type(w);
    else writeInt64Type(w);
    writeDataspace(w, []);
    if (float) w.f64(a.value.value);
    else w.i64(a.value.value);
  }
  endHeader(w, start, d.address + d.headerSize);
}

/** IV.A.2.b Dataspace version 2: scalar for rank 0, else simple; maximum dimensions = dimensions (not stored). */
function writeDataspace(w: ByteWriter, shape: readonly number[]): void {
  w.u8(2); // version
  w.u8(shape.length); // dimensionality
  w.u8(0); // flags: no maximum dimensions
  w.u8(shape.length === 0 ? 0 : 1); // type: scalar or simple
  for (const n of shape) w.u64(n);
}

/** IV.A.2.d Datatype version 1, class 1: IEEE 754 binary64, little-endian ('<f8', H5T_IEEE_F64LE). */
function writeFloat64Type(w: ByteWriter): void {
  w.u8((1 << 4) | 1); // version 1, class floating point
  w.u8(0x20); // byte order LE (bit 0 = 0), no padding, mantissa normalization 2: implied leading 1 (bits 4-5)
  w.u8(63); // sign bit position
  w.u8(0);
  w.u32(8); // size
  w.u16(0); // bit offset
  w.u16(64); // bit precision
  w.u8(52); // exponent location
  w.u8(11); // exponent size
  w.u8(0); // mantissa location
  w.u8(52); // mantissa size
  w.u32(1023); // exponent bias
}

/** IV.A.2.d Datatype version 1, class 0: signed 64-bit two's complement, little-endian ('<i8', H5T_STD_I64LE). */
function writeInt64Type(w: ByteWriter): void {
  w.u8((1 << 4) | 0); // version 1, class fixed point
  w.u8(0x08); // byte order LE, no padding, signed (bit 3)
  w.u8(0);
  w.u8(0);
  w.u32(8); // size
  w.u16(0); // bit offset
  w.u16(64); // bit precision
}
