/**
 * OpenFOAM field files as OpenFOAM writes them: the FoamFile header and the internalField, ASCII
 * or binary, gzip-compressed or not. Only the internalField is parsed; every other byte (header,
 * dimensions, boundaryField, even binary boundary lists) is kept as it was, so replacing the
 * internal values reproduces the rest of the file exactly.
 */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { topLevelEntries, tokenAt, valueWords, skipSpace, type Entry } from "./foam-syntax.js";

/** OpenFOAM's primitive types of fields and their number of components. */
export const VALUE_TYPES = { scalar: 1, vector: 3, sphericalTensor: 1, symmTensor: 6, tensor: 9 } as const;
export type ValueType = keyof typeof VALUE_TYPES;

export interface FoamHeader {
  readonly format: "ascii" | "binary";
  /** e.g. volVectorField */
  readonly class: string;
  readonly object: string;
  /** from `arch "LSB;label=32;scalar=64"` (the defaults when absent) */
  readonly littleEndian: boolean;
  readonly scalarBytes: 4 | 8;
  readonly labelBytes: 4 | 8;
}

export interface InternalField {
  readonly type: ValueType;
  readonly components: number;
  /** `uniform v` (values holds one value's components) or `nonuniform List<T> N (...)` */
  readonly uniform: boolean;
  /** number of values (cells, faces); undefined for a uniform field, whose size is the mesh's */
  readonly count: number | undefined;
  /** components of every value, value-major: (x0 y0 z0 x1 y1 z1 ...) */
  readonly values: Float64Array;
}

/** A value entry's place in the file and what it holds. */
export interface ValueSpan {
  /** bytes [start, end) hold the value (without the `;`) */
  readonly start: number;
  readonly end: number;
  readonly value: InternalField;
}

export interface FieldFile {
  readonly header: FoamHeader;
  readonly internal: InternalField;
  /** the decompressed file */
  readonly bytes: Buffer;
  /** bytes [valueStart, valueEnd) hold the internalField's value (without the `;`) */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** the `value` entry of every patch in boundaryField that has one, in file order */
  readonly patches: ReadonlyMap<string, ValueSpan>;
}

const FIELD_CLASS = /^(vol|surface|point)(Scalar|Vector|SphericalTensor|SymmTensor|Tensor)Field$/;

/** The value type of a field class (volVectorField: vector), or undefined for other classes. */
export function classValueType(cls: string): ValueType | undefined {
  const m = FIELD_CLASS.exec(cls);
  if (!m) return undefined;
  const t = m[2]!;
  return (t[0]!.toLowerCase() + t.slice(1)) as ValueType;
}

export class FoamFormatError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "FoamFormatError";
  }
}

function parseHeader(text: string, entries: readonly Entry[], where: string): FoamHeader {
  const foamFile = entries.find((e) => e.keyword === "FoamFile");
  if (!foamFile || foamFile.kind !== "dict") throw new FoamFormatError(where, "no FoamFile header");
  const inner = text.slice(0, foamFile.valueEnd - 1);
  const open = text.indexOf("{", foamFile.keyEnd);
  const fields = new Map<string, string[]>();
  for (const e of topLevelEntries(inner, open + 1)) fields.set(e.keyword, valueWords(inner, e));
  const format = fields.get("format")?.[0] ?? "ascii";
  if (format !== "ascii" && format !== "binary") throw new FoamFormatError(where, `unknown format \`${format}\``);
  const arch = fields.get("arch")?.[0] ?? "LSB;label=32;scalar=64";
  const scalar = /scalar=(\d+)/.exec(arch)?.[1] ?? "64";
  if (scalar !== "64" && scalar !== "32") throw new FoamFormatError(where, `unsupported scalar size in arch "${arch}"`);
  return {
    format,
    class: fields.get("class")?.[0] ?? "",
    object: fields.get("object")?.[0] ?? "",
    littleEndian: !arch.startsWith("MSB"),
    scalarBytes: scalar === "32" ? 4 : 8,
    labelBytes: /label=64/.test(arch) ? 8 : 4,
  };
}

/** Parse a field file's bytes (already decompressed). */
export function parseFieldFile(bytes: Buffer, where = "field file"): FieldFile {
  const text = bytes.toString("latin1");
  let entries: Entry[];
  try {
    entries = topLevelEntries(text, 0, (k) => k === "internalField");
  } catch (e) {
    throw new FoamFormatError(where, (e as Error).message);
  }
  const header = parseHeader(text, entries, where);
  const type = classValueType(header.class);
  if (!type) throw new FoamFormatError(where, `class \`${header.class}\` is not a vol, surface or point field`);
  const key = entries[entries.length - 1];
  if (!key || key.keyword !== "internalField") throw new FoamFormatError(where, "no internalField entry");
  const reader = new ValueReader(text, bytes, key.keyEnd, header, where);
  const valueStart = skipSpace(text, key.keyEnd);
  const internal = reader.fieldValue(type);
  const valueEnd = reader.pos;
  reader.expect(";");
  const patches = reader.boundaryValues(type);
  return { header, internal, bytes, valueStart, valueEnd, patches };
}

/** Where a field's file is: `name` or `name.gz` in the directory (undefined when neither exists). */
export function fieldFilePath(dir: string, name: string): string | undefined {
  const plain = `${dir}/${name}`;
  if (existsSync(plain)) return plain;
  return existsSync(`${plain}.gz`) ? `${plain}.gz` : undefined;
}

/** Read a field file, gunzipping `.gz` files (and any file that starts with the gzip magic). */
export function readFieldFile(path: string): FieldFile {
  return parseFieldFile(decompress(readFileSync(path)), path);
}

export function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function decompress(bytes: Buffer): Buffer {
  return isGzip(bytes) ? gunzipSync(bytes) : bytes;
}

/** A value's numbers for `count` elements (a uniform value is repeated `count` times). */
export function expandValue(value: InternalField, count: number, where = "field"): Float64Array {
  if (!value.uniform) {
    if (value.count !== count) throw new FoamFormatError(where, `${value.count} values where ${count} are needed`);
    return value.values;
  }
  const out = new Float64Array(count * value.components);
  for (let i = 0; i < count; i++) out.set(value.values, i * value.components);
  return out;
}

/** The internal values, `count` of them (a uniform field is expanded to `count`). */
export function internalValues(field: FieldFile, count: number, where = "field"): Float64Array {
  return expandValue(field.internal, count, `${where}: internalField`);
}

const CLOSING: Record<string, string> = { "{": "}", "(": ")", "[": "]" };

/** Reads values from the text (ASCII) or the bytes (binary) of one file. */
class ValueReader {
  pos: number;
  constructor(
    private readonly text: string,
    private readonly bytes: Buffer,
    pos: number,
    private readonly header: FoamHeader,
    private readonly where: string,
  ) {
    this.pos = pos;
  }

  private fail(message: string): never {
    throw new FoamFormatError(this.where, `${message} (byte ${this.pos})`);
  }

  private word(): string {
    const t = tokenAt(this.text, this.pos);
    if (!t) this.fail("unexpected end of file in internalField");
    this.pos = t.end;
    return t.text;
  }

  expect(c: string): void {
    this.pos = skipSpace(this.text, this.pos);
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  /** One number in ASCII; numbers end at whitespace or a bracket. */
  private number(): number {
    const t = tokenAt(this.text, this.pos);
    if (!t || t.kind !== "word") this.fail("expected a number");
    this.pos = t.end;
    const v = parseNumber(t.text);
    if (v === undefined) this.fail(`\`${t.text}\` is not a number`);
    return v;
  }

  /** One value: a number, or `(a b c)` for vectors and tensors, into out[at..]. */
  private value(components: number, out: Float64Array, at: number): void {
    if (components === 1) {
      out[at] = this.number();
      return;
    }
    this.expect("(");
    for (let c = 0; c < components; c++) out[at + c] = this.number();
    this.expect(")");
  }

  /** `uniform v` or `nonuniform List<T> N (...)` */
  fieldValue(type: ValueType): InternalField {
    const components = VALUE_TYPES[type];
    const kind = this.word();
    if (kind === "uniform") {
      const values = new Float64Array(components);
      this.value(components, values, 0);
      return { type, components, uniform: true, count: undefined, values };
    }
    if (kind !== "nonuniform") this.fail(`a field value must be uniform or nonuniform, not \`${kind}\``);
    const list = this.word();
    if (list === "0") {
      // an empty list is written without its type: `nonuniform 0()`, or `nonuniform 0` in binary
      const open = tokenAt(this.text, this.pos);
      if (open?.text === "(") {
        this.pos = open.end;
        this.expect(")");
      }
      return { type, components, uniform: false, count: 0, values: new Float64Array(0) };
    }
    if (list !== `List<${type}>`) this.fail(`expected List<${type}> for a ${this.header.class}, found \`${list}\``);
    const n = Number(this.word());
    if (!Number.isInteger(n) || n < 0) this.fail("expected the list's size");
    const values = new Float64Array(n * components);
    if (this.header.format === "binary") this.binaryList(values);
    else this.asciiList(n, components, values);
    return { type, components, uniform: false, count: n, values };
  }

  private asciiList(n: number, components: number, values: Float64Array): void {
    this.pos = skipSpace(this.text, this.pos);
    if (this.text[this.pos] === "{") {
      // N{value}: every element equal
      this.pos++;
      const one = new Float64Array(components);
      this.value(components, one, 0);
      this.expect("}");
      for (let i = 0; i < n; i++) values.set(one, i * components);
      return;
    }
    this.expect("(");
    for (let i = 0; i < n; i++) this.value(components, values, i * components);
    this.expect(")");
  }

  private binaryList(values: Float64Array): void {
    this.pos = skipSpace(this.text, this.pos);
    // a binary list of size 0 is written as the size alone
    if (values.length === 0 && this.text[this.pos] !== "(") return;
    this.expect("(");
    const size = this.header.scalarBytes;
    const end = this.pos + values.length * size;
    if (end >= this.bytes.length) this.fail("binary list runs past the end of the file");
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, values.length * size);
    const le = this.header.littleEndian;
    if (size === 8) for (let i = 0; i < values.length; i++) values[i] = view.getFloat64(i * 8, le);
    else for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, le);
    this.pos = end;
    if (this.text[this.pos] !== ")") this.fail("binary list does not end with ')' where its size says");
    this.pos++;
  }

  /** Bytes of one element of a binary List<T>. */
  private elementBytes(type: string): number {
    if (type in VALUE_TYPES) return VALUE_TYPES[type as ValueType] * this.header.scalarBytes;
    if (type === "label") return this.header.labelBytes;
    if (type === "bool") return 1;
    return this.fail(`cannot skip a binary List<${type}>`);
  }

  /** Skip one entry's value up to its `;` (or a leading `{...}` block), stepping over binary lists. */
  skipEntry(): void {
    const stack: string[] = [];
    let block = false;
    for (let first = true; ; first = false) {
      const t = tokenAt(this.text, this.pos);
      if (!t) this.fail("unexpected end of file in boundaryField");
      this.pos = t.end;
      if (t.kind === "word") {
        const list = /^List<(\w+)>$/.exec(t.text);
        if (list && this.header.format === "binary") this.skipBinaryList(list[1]!);
      } else if (t.kind === "punct") {
        if (first) block = t.text === "{";
        if (t.text === ";") {
          if (stack.length === 0) return;
        } else if (t.text in CLOSING) {
          stack.push(CLOSING[t.text]!);
        } else {
          if (stack.pop() !== t.text) this.fail(`unbalanced '${t.text}'`);
          if (block && stack.length === 0) return;
        }
      }
    }
  }

  /** After `List<T>` in a binary file: the size, then `(` raw bytes `)` (nothing for size 0). */
  private skipBinaryList(type: string): void {
    const size = tokenAt(this.text, this.pos);
    const n = Number(size?.text);
    if (!size || !Number.isInteger(n)) this.fail(`expected the size of a List<${type}>`);
    this.pos = skipSpace(this.text, size.end);
    if (this.text[this.pos] !== "(") return;
    this.pos += 1 + n * this.elementBytes(type);
    if (this.pos >= this.bytes.length) this.fail("binary list runs past the end of the file");
    this.expect(")");
  }

  /** After the internalField: the `value` entry of each patch in boundaryField, if the file has one. */
  boundaryValues(type: ValueType): Map<string, ValueSpan> {
    const patches = new Map<string, ValueSpan>();
    for (;;) {
      const key = tokenAt(this.text, this.pos);
      if (!key) return patches;
      this.pos = key.end;
      if (key.text !== "boundaryField") {
        this.skipEntry();
        continue;
      }
      this.expect("{");
      for (;;) {
        const name = tokenAt(this.text, this.pos);
        if (!name) this.fail("unclosed boundaryField");
        this.pos = name.end;
        if (name.text === "}") return patches;
        if (name.kind === "word" && name.text.startsWith("#")) {
          const nl = this.text.indexOf("\n", this.pos);
          this.pos = nl < 0 ? this.text.length : nl;
          continue;
        }
        this.expect("{");
        for (;;) {
          const entry = tokenAt(this.text, this.pos);
          if (!entry) this.fail(`unclosed patch ${name.text}`);
          this.pos = entry.end;
          if (entry.text === "}") break;
          if (entry.text === "value" && name.kind === "word") {
            const start = skipSpace(this.text, this.pos);
            const word = tokenAt(this.text, start)?.text;
            if (word === "uniform" || word === "nonuniform") {
              const value = this.fieldValue(type);
              patches.set(name.text, { start, end: this.pos, value });
              this.expect(";");
              continue;
            }
          }
          this.skipEntry();
        }
      }
    }
  }
}

/** OpenFOAM's ASCII numbers: C++ stream syntax, plus nan/inf as glibc prints them. */
function parseNumber(text: string): number | undefined {
  const v = Number(text);
  if (!Number.isNaN(v) && text.trim() !== "") return v;
  const lower = text.toLowerCase();
  if (lower === "nan" || lower === "-nan") return Number.NaN;
  if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

/** Shortest decimal text that reads back as the same double (OpenFOAM parses it with strtod). */
export function formatScalar(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write the non-finite value ${x} into an OpenFOAM field`);
  return Object.is(x, -0) ? "-0" : String(x);
}

/** The text of an internalField value `nonuniform List<T> N (...)` in the file's format, as bytes. */
export function encodeInternalField(header: FoamHeader, type: ValueType, values: Float64Array): Buffer {
  const components = VALUE_TYPES[type];
  if (values.length % components !== 0) throw new RangeError(`${values.length} numbers are not whole ${type}s`);
  const n = values.length / components;
  const head = `nonuniform List<${type}> \n${n}\n`;
  if (header.format === "binary") {
    if (n === 0) return Buffer.from(head, "latin1");
    const size = header.scalarBytes;
    const data = Buffer.alloc(values.length * size);
    const view = new DataView(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) formatScalar(v); // throws, naming the value
      if (size === 8) view.setFloat64(i * 8, v, header.littleEndian);
      else view.setFloat32(i * 4, v, header.littleEndian);
    }
    // as OpenFOAM writes it: `N\n(` raw bytes `)`, so an unchanged field gives the same file
    return Buffer.concat([Buffer.from(`${head}(`, "latin1"), data, Buffer.from(")", "latin1")]);
  }
  const lines: string[] = [head, "(\n"];
  for (let i = 0; i < n; i++) {
    if (components === 1) lines.push(formatScalar(values[i]!), "\n");
    else {
      let line = "(";
      for (let c = 0; c < components; c++) line += (c ? " " : "") + formatScalar(values[i * components + c]!);
      lines.push(line, ")\n");
    }
  }
  // OpenFOAM's layout: `N\n(\n` one value per line `)`; what follows (`\n;`) is the file's own
  lines.push(")");
  return Buffer.from(lines.join(""), "latin1");
}

/**
 * The file with values replaced (written nonuniform, at full precision), every other byte kept:
 * the internalField and any patch `value` entries named in `patches`.
 */
export function replaceValues(field: FieldFile, replace: { internal?: Float64Array; patches?: ReadonlyMap<string, Float64Array> }): Buffer {
  const edits: { span: { start: number; end: number }; values: Float64Array; what: string; old: InternalField }[] = [];
  if (replace.internal) edits.push({ span: { start: field.valueStart, end: field.valueEnd }, values: replace.internal, what: "the internalField", old: field.internal });
  for (const [patch, values] of replace.patches ?? []) {
    const span = field.patches.get(patch);
    if (!span) throw new RangeError(`${field.header.object}: patch ${patch} has no value entry`);
    edits.push({ span, values, what: `patch ${patch}`, old: span.value });
  }
  edits.sort((a, b) => a.span.start - b.span.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    if (!e.old.uniform && e.values.length !== e.old.values.length) {
      throw new RangeError(`${field.header.object}: ${e.values.length} numbers for ${e.what} of ${e.old.values.length}`);
    }
    if (e.values.length % e.old.components !== 0) throw new RangeError(`${field.header.object}: ${e.values.length} numbers are not whole ${e.old.type}s`);
    parts.push(field.bytes.subarray(at, e.span.start), encodeInternalField(field.header, e.old.type, e.values));
    at = e.span.end;
  }
  parts.push(field.bytes.subarray(at));
  return Buffer.concat(parts);
}

/** The file with its internalField replaced by `values` (nonuniform, full precision); the rest byte for byte. */
export function replaceInternalField(field: FieldFile, values: Float64Array): Buffer {
  return replaceValues(field, { internal: values });
}
