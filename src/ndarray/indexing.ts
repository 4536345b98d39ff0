/**
 * NumPy-style indexing of C-ordered arrays (used by H5Snap): integers (negative ones count from
 * the end) and start:stop:step ranges (NumPy's slices; "slice" in this project means a time
 * slice), one entry per leading axis; missing trailing axes are taken whole.
 */

export interface IndexRange {
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

export type IndexItem = number | IndexRange;

/** NumPy's `a:b:s`, built like Python's `slice`: `indexRange(stop)`, `indexRange(start, stop[, step])`. */
export function indexRange(a: number | null = null, b?: number | null, step: number | null = null): IndexRange {
  if (b === undefined) return { start: null, stop: a, step: null };
  return { start: a, stop: b, step };
}

/** `index(-1)` is NumPy's `[-1]`; `index(indexRange(0, 3), 1)` is `[0:3, 1]`. */
export function index(...items: IndexItem[]): IndexItem[] {
  for (const item of items) {
    if (typeof item === "number") {
      if (!Number.isInteger(item)) throw new TypeError(`index ${item} is not an integer`);
    } else if (!isIndexRange(item)) {
      throw new TypeError(`index item ${JSON.stringify(item)} is neither an integer nor a range`);
    }
  }
  return items;
}

export function isIndexRange(x: unknown): x is IndexRange {
  if (typeof x !== "object" || x === null) return false;
  const s = x as Record<string, unknown>;
  const ok = (v: unknown) => v === null || (typeof v === "number" && Number.isInteger(v));
  return ok(s.start) && ok(s.stop) && ok(s.step) && Object.keys(s).length === 3;
}

/** Selected positions along one axis of the given length (Python's `slice.indices`). */
export function axisPositions(item: IndexItem, length: number): number[] {
  if (typeof item === "number") {
    const i = item < 0 ? item + length : item;
    if (i < 0 || i >= length) {
      throw new RangeError(`index ${item} is out of bounds for axis with size ${length}`);
    }
    return [i];
  }
  const step = item.step ?? 1;
  if (step === 0) throw new RangeError("range step cannot be zero");
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + length : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const out: number[] = [];
  if (step > 0) {
    const start = clamp(item.start, 0, 0, length);
    const stop = clamp(item.stop, length, 0, length);
    for (let i = start; i < stop; i += step) out.push(i);
  } else {
    const start = clamp(item.start, length - 1, -1, length - 1);
    const stop = clamp(item.stop, -1, -1, length - 1);
    for (let i = start; i > stop; i += step) out.push(i);
  }
  return out;
}

export interface Selection {
  /** positions chosen on every axis of the source */
  readonly positions: number[][];
  /** the shape of the result: integer-indexed axes are dropped, as NumPy does */
  readonly shape: number[];
}

export function select(shape: readonly number[], items: readonly IndexItem[]): Selection {
  if (items.length > shape.length) {
    throw new RangeError(`too many indices: ${items.length} for an array of ${shape.length} dimensions`);
  }
  const positions: number[][] = [];
  const resultShape: number[] = [];
  shape.forEach((length, axis) => {
    const item: IndexItem = axis < items.length ? items[axis]! : indexRange(null);
    const p = axisPositions(item, length);
    positions.push(p);
    if (typeof item !== "number") resultShape.push(p.length);
  });
  return { positions, shape: resultShape };
}

/** Apply an index to a C-ordered array of the given shape. */
export function applyIndex(data: Float64Array, shape: readonly number[], items: readonly IndexItem[]): Float64Array {
  const sel = select(shape, items);
  return gather(data, shape, sel.positions);
}

/** Gather the cartesian product of positions from a C-ordered array. */
export function gather(data: Float64Array, shape: readonly number[], positions: readonly number[][]): Float64Array {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = acc;
    acc *= shape[a]!;
  }
  const count = positions.reduce((n, p) => n * p.length, 1);
  const out = new Float64Array(count);
  let k = 0;
  const walk = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      out[k++] = data[offset]!;
      return;
    }
    for (const p of positions[axis]!) walk(axis + 1, offset + p * strides[axis]!);
  };
  walk(0, 0);
  return out;
}
