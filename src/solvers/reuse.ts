/**
 * Resume: a fine file left by an earlier run is reused only when it is exactly the file this job
 * would write. Files are written under a temporary name and renamed, so a file under its final
 * name is whole; still, anything unreadable or different (other step, other input) is recomputed.
 */
import { existsSync } from "node:fs";
import { readDataset } from "../archive/hdf5.js";

export interface Expected {
  readonly t0: number;
  readonly t1: number;
  readonly h: number;
  /** the state the job starts from: row 0 of a file we wrote */
  readonly y: Float64Array;
  /** sub-steps and stride of our own integrators; absent for a black-box program's files */
  readonly n?: number;
  readonly stride?: number;
  readonly rows?: number;
}

/** The last row of a reusable file at `path`, or undefined when it must be computed again. */
export function reusableLastRow(path: string, e: Expected): Float64Array | undefined {
  if (!existsSync(path)) return undefined;
  let content: ReturnType<typeof readDataset>;
  try {
    content = readDataset(path, "data");
  } catch {
    return undefined; // damaged or not HDF5: recomputed and replaced
  }
  const { data, shape, attributes: a } = content;
  const dim = e.y.length;
  if (shape.length !== 2 || shape[1] !== dim || shape[0]! < 1 || data.length !== shape[0]! * dim) return undefined;
  if (a.t0 !== e.t0 || a.t1 !== e.t1 || a.h !== e.h) return undefined;
  if (e.n !== undefined && (a.n !== e.n || (a.stride ?? 1) !== e.stride || shape[0] !== e.rows)) return undefined;
  for (let j = 0; j < dim; j++) if (data[j] !== e.y[j]) return undefined;
  const last = data.slice(data.length - dim);
  return last.every(Number.isFinite) ? last : undefined;
}
