/** The fine solver: n = ceil((t1 - t0) / h) sub-steps per slice, the whole trajectory archived. */
import { loadHdf5 } from "../archive/hdf5.js";
import type { H5Snap } from "../expr/vector.js";
import { keptRows, subSteps, tabulateSubSteps } from "../ode/iterate.js";
import { finePath, lastRowOf, writeFineFile } from "./fine-file.js";
import { methodFor } from "./method-cache.js";
import { reusableLastRow } from "./reuse.js";
import type { FineSpec } from "./spec.js";

/** A fine result: the snapshot of its file's last row; `reused` when an earlier run's file was taken. */
export interface FineResult {
  readonly snap: H5Snap;
  readonly reused: boolean;
}

let scratch = new Float64Array(0);

/** With spec.reuse: the earlier run's file, when it is exactly what this job would write. */
async function reuse(spec: FineSpec, y: Float64Array, t0: number, t1: number, own: { n: number; stride: number; rows: number } | undefined): Promise<H5Snap | undefined> {
  if (!spec.reuse) return undefined;
  await loadHdf5();
  const path = finePath(spec, t0, t1);
  const last = reusableLastRow(path, { t0, t1, h: spec.h, y, ...own });
  return last && lastRowOf(path, last);
}

/** `stop` is consulted between chunks of integration: a cancelled job ends early, writing nothing. */
export async function runFine(spec: FineSpec, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<FineResult> {
  if (spec.command !== undefined) {
    const earlier = await reuse(spec, y, t0, t1, undefined);
    if (earlier) return { snap: earlier, reused: true };
    const { runFineCommand } = await import("./black-box.js");
    return { snap: await runFineCommand(spec, spec.command, y, t0, t1, stop), reused: false };
  }
  const m = methodFor(spec.method, spec.problem, spec);
  if (y.length !== m.dim) throw new Error(`fine solver: state has ${y.length} components, problem \`${spec.problem.name}\` has ${m.dim}`);
  const n = subSteps(t0, t1, spec.h);
  const earlier = await reuse(spec, y, t0, t1, { n, stride: spec.saveEvery, rows: keptRows(n, spec.saveEvery) });
  if (earlier) return { snap: earlier, reused: true };
  const size = keptRows(n, spec.saveEvery) * m.dim;
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, 2 * scratch.length));
  // the table lives only until it is copied into the HDF5 file, so one buffer serves every job
  return { snap: await writeFineFile(spec, t0, t1, tabulateSubSteps(m, y, t0, t1, n, spec.saveEvery, scratch, stop)), reused: false };
}
