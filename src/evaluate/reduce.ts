/** Reduce an expression to its value: the only place vector arithmetic actually happens. */
import { loadHdf5, readSelection } from "../archive/hdf5.js";
import { recallSnapshot, rememberSnapshot, snapshotKey } from "../archive/snapshot-cache.js";
import { snapshots, type Binary, type H5Snap, type Literal, type Unary, type Vector } from "../expr/vector.js";

export function readSnapshot(s: H5Snap): Float64Array {
  const key = snapshotKey(s.path, s.dataset, s.index);
  const known = recallSnapshot(key);
  if (known) return known;
  let value: Float64Array;
  try {
    value = readSelection(s.path, s.dataset, s.index);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES") {
      throw new Error(`cannot read ${s.path} (${code}): the archive must be on a filesystem every worker shares`);
    }
    throw e;
  }
  rememberSnapshot(key, value);
  return value;
}

/**
 * Synchronous reduction; H5Snap leaves must be cached or HDF5 loaded (see reduceAsync).
 * The result may share memory with a literal or a cached snapshot: treat it as read-only.
 */
export function reduce(expr: Vector): Float64Array {
  switch (expr.kind) {
    case "literal":
      return (expr as Literal).value;
    case "h5snap":
      return readSnapshot(expr as H5Snap);
    case "unary": {
      const u = expr as Unary;
      const x = reduce(u.input);
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = u.factor * x[i]!;
      return out;
    }
    case "binary": {
      const b = expr as Binary;
      const x = reduce(b.left);
      const y = reduce(b.right);
      if (x.length !== y.length) {
        throw new RangeError(`cannot ${b.op} vectors of lengths ${x.length} and ${y.length}`);
      }
      const out = new Float64Array(x.length);
      if (b.op === "add") for (let i = 0; i < x.length; i++) out[i] = x[i]! + y[i]!;
      else for (let i = 0; i < x.length; i++) out[i] = x[i]! - y[i]!;
      return out;
    }
  }
}

/** Reduce, loading HDF5 first if some snapshot is not already known. */
export async function reduceAsync(expr: Vector): Promise<Float64Array> {
  const missing = snapshots(expr).some((s) => !recallSnapshot(snapshotKey(s.path, s.dataset, s.index)));
  if (missing) await loadHdf5();
  return reduce(expr);
}
