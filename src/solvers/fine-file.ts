/**
 * The fine solver's archive file, exactly as the original writes it: the whole trajectory of one
 * slice in dataset `data` with attributes t0, t1, h (float64) and n (int64), plus our stride; the
 * job's result is the H5Snap of its last row.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { makeDirs } from "../archive/dirs.js";
import { fineFilename } from "../archive/filename.js";
import { writeHdf5, type DatasetSpec } from "../archive/hdf5.js";
import { rememberSnapshot, snapshotKey } from "../archive/snapshot-cache.js";
import { H5Snap } from "../expr/vector.js";
import { index } from "../ndarray/indexing.js";
import { checkFinite } from "./finite.js";
import type { FineSpec } from "./spec.js";

/** A trajectory as the integrators tabulate it: `rows` states of `dim`, n sub-steps, every stride-th kept. */
export interface FineTable {
  readonly data: Float64Array;
  readonly rows: number;
  readonly dim: number;
  readonly n: number;
  readonly stride: number;
}

const madeDirs = new Set<string>();

/** Make the archive directory once per thread, or say that this machine cannot reach it. */
export function reachArchive(archive: string): void {
  if (madeDirs.has(archive)) return;
  try {
    makeDirs(archive);
  } catch (e) {
    throw new Error(`cannot reach the archive directory ${archive} from ${hostname()} (${(e as Error).message}); it must be on a filesystem every worker shares`);
  }
  madeDirs.add(archive);
}

export function finePath(spec: FineSpec, t0: number, t1: number): string {
  return join(spec.archive, fineFilename(spec.name, spec.iteration, t0, t1));
}

/** The snapshot of a fine file's last row, whose value is known here (and travels as a hint). */
export function lastRowOf(path: string, last: Float64Array): H5Snap {
  const snap = new H5Snap(path, "data", index(-1));
  rememberSnapshot(snapshotKey(snap.path, snap.dataset, snap.index), last);
  return snap;
}

/** Write the slice's file (with `more` datasets beside `data`, with its attributes); returns the snapshot of its last row. */
export function writeFineFile(spec: FineSpec, t0: number, t1: number, table: FineTable, more: readonly DatasetSpec[] = []): H5Snap {
  const last = table.data.slice((table.rows - 1) * table.dim, table.rows * table.dim);
  checkFinite(last, "fine solver");
  reachArchive(spec.archive);
  const path = finePath(spec, t0, t1);
  const attributes = {
    t0: { dtype: "float64", value: t0 },
    t1: { dtype: "float64", value: t1 },
    h: { dtype: "float64", value: spec.h },
    n: { dtype: "int64", value: table.n },
    stride: { dtype: "int64", value: table.stride },
  } as const;
  try {
    writeHdf5(path, [
      { name: "data", data: table.data.subarray(0, table.rows * table.dim), shape: [table.rows, table.dim], attributes },
      ...more.map((d) => ({ ...d, attributes: d.attributes ?? attributes })),
    ]);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOSPC" ? "no space left on the device" : code ?? (e as Error).message;
    throw new Error(`cannot write ${path}: ${why}`);
  }
  return lastRowOf(path, last);
}
