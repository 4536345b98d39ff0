/**
 * JSON codec for vector expressions. The encoded form is plain data (no typed arrays, no
 * classes) so it survives JSON.stringify, structured clone and Redis unchanged; NaN, the
 * infinities and -0 are spelled as strings because JSON has no way to write them.
 */
import { Binary, H5Snap, Literal, Unary, type Vector } from "./vector.js";
import { isIndexRange, type IndexItem } from "../ndarray/indexing.js";

export type EncodedNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

export type EncodedExpr =
  | { op: "literal"; value: EncodedNumber[] }
  | { op: "scale"; factor: EncodedNumber; input: EncodedExpr }
  | { op: "add" | "sub"; left: EncodedExpr; right: EncodedExpr }
  | { op: "h5snap"; path: string; dataset: string; index: IndexItem[] };

/** Largest literal a payload may carry: 2^24 numbers (128 MiB of float64). */
export const MAX_LITERAL_LENGTH = 1 << 24;
/** Deepest expression a payload may carry; parareal's are four levels deep. */
export const MAX_DEPTH = 64;

export function encodeNumber(x: number): EncodedNumber {
  if (Number.isFinite(x)) return x === 0 && 1 / x < 0 ? "-0" : x;
  if (Number.isNaN(x)) return "NaN";
  return x > 0 ? "Infinity" : "-Infinity";
}

export function decodeNumber(x: EncodedNumber): number {
  return typeof x === "number" ? x : Number(x);
}

export function encodeArray(a: ArrayLike<number>): EncodedNumber[] {
  const out = new Array<EncodedNumber>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encodeNumber(a[i]!);
  return out;
}

export function decodeArray(a: readonly EncodedNumber[]): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = decodeNumber(a[i]!);
  return out;
}

export function encode(expr: Vector): EncodedExpr {
  switch (expr.kind) {
    case "literal":
      return { op: "literal", value: encodeArray((expr as Literal).value) };
    case "unary": {
      const u = expr as Unary;
      return { op: u.op, factor: encodeNumber(u.factor), input: encode(u.input) };
    }
    case "binary": {
      const b = expr as Binary;
      return { op: b.op, left: encode(b.left), right: encode(b.right) };
    }
    case "h5snap": {
      const s = expr as H5Snap;
      return { op: "h5snap", path: s.path, dataset: s.dataset, index: s.index.map(copyIndexItem) };
    }
  }
}

function copyIndexItem(item: IndexItem): IndexItem {
  return typeof item === "number" ? item : { start: item.start, stop: item.stop, step: item.step };
}


// Hand-written checks rather than a schema library: decode runs for every job and every result.
function isEncodedNumber(x: unknown): x is EncodedNumber {
  return typeof x === "number" || x === "NaN" || x === "Infinity" || x === "-Infinity" || x === "-0";
}

function encodedNumber(x: unknown, what: string): number {
  if (!isEncodedNumber(x)) throw new Error(`${what} is not a number: ${JSON.stringify(x)}`);
  return decodeNumber(x);
}

function isInteger(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x);
}

function indexItems(x: unknown): IndexItem[] {
  if (!Array.isArray(x) || x.length > 32) throw new Error(`h5snap index must be an array of at most 32 items`);
  return x.map((item: unknown) => {
    if (isInteger(item)) return item;
    if (isIndexRange(item)) return { start: item.start, stop: item.stop, step: item.step };
    throw new Error(`h5snap index item ${JSON.stringify(item)} is neither an integer nor a slice`);
  });
}

function nonEmptyString(x: unknown, what: string): string {
  if (typeof x !== "string" || x.length === 0) throw new Error(`${what} must be a non-empty string`);
  return x;
}

/** Rebuild an expression from its encoded form; unknown operations and malformed nodes throw. */
export function decode(data: unknown, depth = 0): Vector {
  if (depth > MAX_DEPTH) throw new Error(`expression deeper than ${MAX_DEPTH} levels`);
  if (typeof data !== "object" || data === null) throw new Error(`expression node is not an object: ${JSON.stringify(data)}`);
  const node = data as Record<string, unknown>;
  switch (node.op) {
    case "literal": {
      const value = node.value;
      if (!Array.isArray(value)) throw new Error("literal value must be an array");
      if (value.length > MAX_LITERAL_LENGTH) throw new Error(`literal of ${value.length} numbers exceeds the limit of ${MAX_LITERAL_LENGTH}`);
      const out = new Float64Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = encodedNumber(value[i], "literal element");
      return new Literal(out);
    }
    case "scale":
      return new Unary("scale", encodedNumber(node.factor, "scale factor"), decode(node.input, depth + 1));
    case "add":
    case "sub":
      return new Binary(node.op, decode(node.left, depth + 1), decode(node.right, depth + 1));
    case "h5snap":
      return new H5Snap(nonEmptyString(node.path, "h5snap path"), nonEmptyString(node.dataset, "h5snap dataset"), indexItems(node.index));
    default:
      throw new Error(`unknown expression operation ${JSON.stringify(node.op)}`);
  }
}

export function toJSON(expr: Vector): string {
  return JSON.stringify(encode(expr));
}

export function fromJSON(text: string): Vector {
  return decode(JSON.parse(text));
}
