/**
 * OpenFOAM cases as the fine and coarse solvers of parareal jobs. A fine job runs the prepared
 * case from its input state over the slice at deltaT h in a scratch copy and archives the
 * trajectory as every fine file: dataset `data` (rows x state, so combine and --resume work as for
 * any solver) with the original's attributes, plus one dataset per field and patch (rows x values
 * [x components]). A coarse job runs the case at its own deltaT, on the same mesh or, with a
 * coarse case, on a coarser one: c2f(C(f2c(y))) with mapFields as f2c and c2f.
 */
import { loadHdf5 } from "../archive/hdf5.js";
import { Literal } from "../expr/vector.js";
import { finalState, runCase, stepsFor, writeStride } from "../openfoam/case-run.js";
import { fieldTables } from "../openfoam/field-state.js";
import { mapState } from "../openfoam/map-fields.js";
import { fieldDatasetName, SCRATCH_DIR, type OpenFoamSolver } from "../openfoam/spec.js";
import { join } from "node:path";
import { finePath, lastRowOf, writeFineFile } from "./fine-file.js";
import type { FineResult } from "./fine.js";
import { reusableLastRow } from "./reuse.js";
import type { CoarseSpec, FineSpec } from "./spec.js";

function scratch(of: OpenFoamSolver, label: string, stop: (() => boolean) | undefined) {
  return { root: of.root, scratch: join(of.root, SCRATCH_DIR), label, ...(of.keep ? { keep: true } : {}), ...(stop ? { stop } : {}) };
}

/** With spec.reuse: the earlier run's file when it is exactly what this job would write. */
async function reused(spec: FineSpec, y: Float64Array, t0: number, t1: number): Promise<FineResult | undefined> {
  if (!spec.reuse) return undefined;
  const { n } = stepsFor(t0, t1, spec.h);
  const stride = writeStride(n, spec.saveEvery);
  await loadHdf5();
  const path = finePath(spec, t0, t1);
  const last = reusableLastRow(path, { t0, t1, h: spec.h, y, n, stride, rows: n / stride + 1 });
  return last && { snap: lastRowOf(path, last), reused: true };
}

export async function runOpenFoamFine(spec: FineSpec, of: OpenFoamSolver, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<FineResult> {
  const earlier = await reused(spec, y, t0, t1);
  if (earlier) return earlier;
  const tr = await runCase(of.case, y, t0, t1, spec.h, { ...scratch(of, `fine-${spec.iteration}`, stop), writeEvery: spec.saveEvery });
  const fields = fieldTables(of.case.layout, tr.data, tr.rows).map((t) => ({ name: fieldDatasetName(t), data: t.data, shape: t.shape }));
  const snap = await writeFineFile(spec, t0, t1, { data: tr.data, rows: tr.rows, dim: tr.dim, n: tr.n, stride: tr.stride }, fields);
  return { snap, reused: false };
}

export async function runOpenFoamCoarse(spec: CoarseSpec, of: OpenFoamSolver, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<Literal> {
  const dt = spec.h;
  if (dt === undefined) throw new Error("an OpenFOAM coarse solver needs its time step (h)");
  const label = `coarse-${spec.iteration}`;
  if (of.coarseCase === undefined) return new Literal(finalState(await runCase(of.case, y, t0, t1, dt, scratch(of, label, stop))).slice());
  const down = await mapState(of.case, y, of.coarseCase, scratch(of, `f2c-${spec.iteration}`, stop));
  const end = finalState(await runCase(of.coarseCase, down, t0, t1, dt, scratch(of, label, stop)));
  return new Literal(await mapState(of.coarseCase, end, of.case, scratch(of, `c2f-${spec.iteration}`, stop)));
}
