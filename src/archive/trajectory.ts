/**
 * Fine files back into trajectories, with the original's combine_fine_data semantics: the
 * first file whole, then each next file without its first row (it repeats the previous file's
 * last state), in time order. Which files make an iterate, and whether they are consistent, is
 * fine-check.ts's business.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { linspaceAt } from "../ode/linspace.js";
import { readDataset, type DatasetContent } from "./hdf5.js";

export interface FineFile {
  readonly path: string;
  readonly name: string;
  readonly iteration: number;
}

const FINE_NAME = /^(.+)-(\d{4,})-(-?\d+)-(-?\d+)\.h5$/;

/** The fine files of a directory (by the original's naming), any iteration. */
export function listFineFiles(dir: string): FineFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const files: FineFile[] = [];
  for (const name of names.sort()) {
    const m = FINE_NAME.exec(name);
    if (m) files.push({ path: join(dir, name), name: m[1]!, iteration: Number(m[2]) });
  }
  return files;
}

/** One fine file read back: the rows of one time slice with their times. */
export interface Segment {
  readonly file: FineFile;
  readonly t0: number;
  readonly t1: number;
  /** time of every row: linspace(t0, t1, n + 1) at rows 0, stride, 2 stride, ... and t1 */
  readonly t: Float64Array;
  readonly data: Float64Array;
  readonly rows: number;
  readonly dim: number;
}

/** Read one fine file, checking the layout; errors name the file. */
export function readSegment(file: FineFile): Segment {
  let content: DatasetContent;
  try {
    content = readDataset(file.path, "data");
  } catch (e) {
    throw new Error(`${file.path}: not a readable fine file (${(e as Error).message.replace(`${file.path}: `, "")})`);
  }
  const { shape, attributes: a, data } = content;
  if (shape.length !== 2 || shape[0]! < 1) throw new Error(`${file.path}: dataset \`data\` has shape (${shape.join(", ")}), expected (rows, dimension)`);
  for (const key of ["t0", "t1", "n"]) {
    if (!Object.hasOwn(a, key)) throw new Error(`${file.path}: attribute \`${key}\` is missing`);
    if (!Number.isFinite(a[key])) throw new Error(`${file.path}: attribute \`${key}\` is ${a[key]}, not a finite number`);
  }
  const [rows, dim] = [shape[0]!, shape[1]!];
  const n = a.n!;
  const stride = a.stride ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${file.path}: attribute \`n\` is ${n}, not a number of steps (an integer >= 1)`);
  if (!Number.isSafeInteger(stride) || stride < 1) throw new Error(`${file.path}: attribute \`stride\` is ${stride}, not an integer >= 1`);
  const expected = Math.floor(n / stride) + 1 + (n % stride === 0 ? 0 : 1);
  if (rows !== expected) throw new Error(`${file.path}: ${rows} rows, but n = ${n} steps with stride ${stride} make ${expected}`);
  const t = new Float64Array(rows);
  for (let j = 0; j < rows; j++) t[j] = j === rows - 1 ? a.t1! : linspaceAt(a.t0!, a.t1!, n + 1, j * stride);
  return { file, t0: a.t0!, t1: a.t1!, t, data, rows, dim };
}

export interface Trajectory {
  readonly t: Float64Array;
  readonly data: Float64Array;
  readonly dim: number;
  /** the files used, in time order */
  readonly files: string[];
}

/**
 * combine_fine_data: the first slice whole, then each next one without its first row (the state
 * the slice before ended with). After a gap (--allow-gaps) nothing repeats, so the row is kept.
 */
export function combineSegments(segments: readonly Segment[]): Trajectory {
  if (segments.length === 0) throw new Error("no fine files to combine");
  const ordered = [...segments].sort((x, y) => x.t0 - y.t0);
  const dim = ordered[0]!.dim;
  const skips = ordered.map((s, i) => (i > 0 && s.t0 === ordered[i - 1]!.t1 ? 1 : 0));
  const rows = ordered.reduce((s, x, i) => s + x.rows - skips[i]!, 0);
  const t = new Float64Array(rows);
  const data = new Float64Array(rows * dim);
  let at = 0;
  ordered.forEach((s, i) => {
    if (s.dim !== dim) throw new Error(`${s.file.path}: dimension ${s.dim}, the others have ${dim}`);
    const skip = skips[i]!;
    t.set(s.t.subarray(skip), at);
    data.set(s.data.subarray(skip * dim), at * dim);
    at += s.rows - skip;
  });
  return { t, data, dim, files: ordered.map((s) => s.file.path) };
}
