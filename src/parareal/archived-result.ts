/**
 * A run's states at every time point, kept in `result.h5` beside run.json (datasets t, final and,
 * when the reference ran, reference), so that `--resume` on a run that already converged
 * recomputes nothing and still reports the very numbers of the run.
 */
import { loadHdf5, readDataset, writeHdf5 } from "../archive/hdf5.js";
import type { RunLayout } from "../archive/layout.js";

export interface RunStates {
  readonly t: readonly number[];
  readonly final: readonly (readonly number[])[];
  readonly reference?: readonly (readonly number[])[] | undefined;
}

function matrix(rows: readonly (readonly number[])[]): { data: Float64Array; shape: number[] } {
  const dim = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, shape: [rows.length, dim] };
}

export function writeRunStates(layout: RunLayout, states: RunStates): void {
  writeHdf5(layout.result, [
    { name: "t", data: Float64Array.from(states.t), shape: [states.t.length] },
    { name: "final", ...matrix(states.final) },
    ...(states.reference ? [{ name: "reference", ...matrix(states.reference) }] : []),
  ]);
}

function rows(data: Float64Array, shape: readonly number[]): number[][] {
  const [n = 0, dim = 0] = shape;
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
}

/** The states a run kept, or undefined when there are none (or they do not fit `points` x `dim`). */
export async function readRunStates(layout: RunLayout, points: number, dim: number): Promise<RunStates | undefined> {
  await loadHdf5();
  try {
    const t = readDataset(layout.result, "t");
    const final = readDataset(layout.result, "final");
    if (t.data.length !== points || final.shape[0] !== points || final.shape[1] !== dim) return undefined;
    let reference: number[][] | undefined;
    try {
      const r = readDataset(layout.result, "reference");
      if (r.shape[0] === points && r.shape[1] === dim) reference = rows(r.data, r.shape);
    } catch {
      // a run without the reference
    }
    return { t: Array.from(t.data), final: rows(final.data, final.shape), ...(reference ? { reference } : {}) };
  } catch {
    return undefined;
  }
}
