/**
 * `parareal plot OUTPUT` for an OpenFOAM run: the convergence of the run (maxdif per iteration
 * against the tolerance) beside a field drawn on the mesh at chosen times, from the converged
 * iterate's fine files (|U| of the cavity as a heatmap, one polygon per cell), each time titled
 * with its largest difference to the serial fine reference.
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { PARAREAL_DIR, REFERENCE_DIR } from "../archive/layout.js";
import { readRunRecord, type RunRecord } from "../archive/run-record.js";
import { checkFineDirectory, iterateOf, summarize } from "../archive/fine-check.js";
import { combineSegments, type Trajectory } from "../archive/trajectory.js";
import { fineIterationsIn } from "./run-directory.js";
import { UsageError } from "../errors.js";
import { linspace } from "../ode/linspace.js";
import type { FieldLayout } from "../openfoam/field-state.js";
import { meshPlane, type MeshPlane } from "../openfoam/mesh-plane.js";
import { formatGeneral } from "../openfoam/time-name.js";
import { runCaseOf } from "./combine-openfoam.js";
import { writeChart } from "./plot-command.js";

type Chart = Record<string, unknown>;

export interface OpenFoamPlotFlags {
  readonly output: string;
  readonly kind: string;
  /** the field to draw (default U, else the first vol field) */
  readonly field?: string;
  /** times to draw it at (default: three of the run's time points, the last among them) */
  readonly times?: readonly number[];
}

const WIDTH = 1000;

/** The run directory holds an OpenFOAM run (its run.json names a case). */
export function isOpenFoamRun(dir: string): boolean {
  try {
    const fine = readRunRecord(dir)?.fine as { openfoam?: unknown } | undefined;
    return fine?.openfoam !== undefined;
  } catch {
    return false;
  }
}

function trajectoryOf(dir: string, iteration: number | undefined): { tr: Trajectory; k: number } | undefined {
  if (!existsSync(dir)) return undefined;
  const present = fineIterationsIn(dir);
  const last = present.at(-1);
  if (last === undefined) return undefined;
  // an iterate past the last files is the last one (slices already exact are not recomputed)
  const k = Math.min(iteration ?? last, last);
  const iterate = iterateOf(checkFineDirectory(dir, { upTo: k }), k);
  if (iterate.problems.length > 0) throw new Error(summarize(iterate.problems));
  return { tr: combineSegments(iterate.segments), k };
}

/** The run's time points, from run.json's parameters. */
function timePoints(record: RunRecord | undefined): Float64Array | undefined {
  const p = record?.parameters as { points?: unknown; tEnd?: unknown; openfoam?: { startTime?: unknown } } | undefined;
  const [points, tEnd, start] = [p?.points, p?.tEnd, p?.openfoam?.startTime];
  return typeof points === "number" && typeof tEnd === "number" && typeof start === "number" && Number.isInteger(points) && points >= 2 && points <= 100_001 ? linspace(start, tEnd, points) : undefined;
}

function defaultTimes(t: Float64Array | undefined, tr: Trajectory): number[] {
  const points = t ?? Float64Array.of(tr.t[0]!, tr.t[tr.t.length - 1]!);
  const n = points.length - 1;
  return [...new Set([Math.round(n / 3), Math.round((2 * n) / 3), n])].filter((i) => i > 0).map((i) => points[i]!);
}

/** The row of a trajectory nearest to time `at`. */
function nearestRow(tr: Trajectory, at: number): number {
  let best = 0;
  for (let i = 1; i < tr.t.length; i++) if (Math.abs(tr.t[i]! - at) < Math.abs(tr.t[best]! - at)) best = i;
  return best;
}

/** Per cell: the value of a scalar field, or the magnitude of a vector or tensor one. */
function cellValues(segment: FieldLayout, tr: Trajectory, row: number): Float64Array {
  const out = new Float64Array(segment.count);
  const base = row * tr.dim + segment.offset;
  for (let c = 0; c < segment.count; c++) {
    let squares = 0;
    for (let j = 0; j < segment.components; j++) squares += tr.data[base + c * segment.components + j]! ** 2;
    out[c] = segment.components === 1 ? tr.data[base + c]! : Math.sqrt(squares);
  }
  return out;
}

function maxDifference(segment: FieldLayout, a: Trajectory, rowA: number, b: Trajectory, rowB: number): number {
  let d = 0;
  const width = segment.count * segment.components;
  for (let i = 0; i < width; i++) d = Math.max(d, Math.abs(a.data[rowA * a.dim + segment.offset + i]! - b.data[rowB * b.dim + segment.offset + i]!));
  return d;
}

/** A cell's polygon as a GeoJSON feature (drawn by Vega's identity projection). */
function feature(polygon: Float64Array, value: number): Record<string, unknown> {
  const ring: [number, number][] = [];
  for (let j = 0; j < polygon.length; j += 2) ring.push([polygon[j]!, polygon[j + 1]!]);
  // GeoJSON rings are closed and wound counter-clockwise
  let area = 0;
  for (let j = 0; j < ring.length; j++) {
    const [p, q] = [ring[j]!, ring[(j + 1) % ring.length]!];
    area += p[0] * q[1] - q[0] * p[1];
  }
  if (area < 0) ring.reverse();
  ring.push(ring[0]!);
  return { type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties: { value } };
}

function convergenceChart(record: RunRecord | undefined, width: number): Chart | undefined {
  const maxdif = (record?.maxdif ?? []).map((m, i) => ({ k: i + 1, maxdif: m > 0 ? m : null, series: "max |y^k - y^(k-1)| over the state" }));
  if (maxdif.length === 0) return undefined;
  const tol = typeof record?.parameters.tol === "number" ? record.parameters.tol : undefined;
  return {
    title: `convergence${maxdif.some((m) => m.maxdif === null) ? " (a maxdif of 0 is not drawn on the log axis)" : ""}`,
    width,
    height: 260,
    layer: [
      {
        data: { values: maxdif },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "k", type: "quantitative", title: "iteration k", axis: { tickMinStep: 1 } },
          y: { field: "maxdif", type: "quantitative", title: "max |y^k - y^(k-1)|", scale: { type: "log" } },
          color: { field: "series", type: "nominal", title: null },
        },
      },
      ...(tol === undefined
        ? []
        : [{ data: { values: [{ tol, series: `tolerance ${tol}` }] }, mark: { type: "rule", strokeDash: [6, 4], color: "#d62728" }, encoding: { y: { field: "tol", type: "quantitative" }, strokeDash: { field: "series", type: "nominal", title: null } } }]),
    ],
  };
}

function fieldCharts(plane: MeshPlane, label: string, parts: { time: number; values: Float64Array; note: string }[]): Chart {
  const [[a0, a1], [b0, b1]] = plane.extent;
  const aspect = (a1 - a0) / (b1 - b0);
  // wide domains (a channel) stack their times; compact ones (a cavity) stand side by side
  const stacked = aspect > 2 || parts.length === 1;
  const room = stacked ? WIDTH : Math.floor((WIDTH - 30 * (parts.length - 1)) / parts.length);
  // at most 480 px high, the mesh's proportions kept
  const height = Math.max(60, Math.min(480, Math.round(room / aspect)));
  const width = Math.min(room, Math.round(height * aspect));
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of parts) for (const v of p.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const charts = parts.map((p) => ({
    title: { text: `t = ${formatGeneral(p.time, 6)}: ${label}`, subtitle: p.note },
    width,
    height,
    data: { values: plane.polygons.map((poly, c) => feature(poly, p.values[c]!)) },
    projection: { type: "identity", reflectY: true },
    // each cell outlined in its own colour: no seams between neighbours
    mark: { type: "geoshape", strokeWidth: 1, strokeOpacity: 1 },
    encoding: {
      color: { field: "properties.value", type: "quantitative", title: label, scale: { scheme: "viridis", domain: [lo, hi] } },
      stroke: { field: "properties.value", type: "quantitative", title: label, scale: { scheme: "viridis", domain: [lo, hi] }, legend: null },
    },
  }));
  return stacked ? { vconcat: charts, resolve: { scale: { color: "shared" } } } : { hconcat: charts, resolve: { scale: { color: "shared" } } };
}

export async function plotOpenFoam(dir: string, flags: OpenFoamPlotFlags): Promise<void> {
  if (flags.kind === "trajectory" || flags.kind === "phase") throw new UsageError(`--kind ${flags.kind}: not for an OpenFOAM run (give field, convergence or all)`);
  const record = readRunRecord(dir);
  const prepared = runCaseOf(dir);
  const layout = prepared.layout;
  const parareal = trajectoryOf(join(dir, PARAREAL_DIR), record?.iterations);
  const reference = trajectoryOf(join(dir, REFERENCE_DIR), undefined);
  const drawn = parareal ?? reference;
  const charts: Chart[] = [];
  const convergence = flags.kind === "field" ? undefined : convergenceChart(record, WIDTH);
  if (convergence) charts.push(convergence);
  if (flags.kind !== "convergence") {
    if (!drawn) throw new UsageError(`${dir}: no fine files in ${REFERENCE_DIR}/ or ${PARAREAL_DIR}/`);
    for (const tr of [parareal?.tr, reference?.tr]) if (tr && tr.dim !== layout.size) throw new UsageError(`${dir}: the fine files hold states of ${tr.dim} values, the run's case ${layout.size}`);
    const vol = layout.fields.filter((f) => f.patch === undefined && f.class.startsWith("vol"));
    const name = flags.field ?? (vol.some((f) => f.name === "U") ? "U" : vol[0]?.name);
    const segment = layout.fields.find((f) => f.name === name && f.patch === undefined);
    if (!segment || name === undefined) throw new UsageError(`--field ${name}: the run's state has no such field (it has ${[...new Set(layout.fields.map((f) => f.name))].join(", ")})`);
    if (!segment.class.startsWith("vol")) throw new UsageError(`--field ${name}: a ${segment.class} lives on faces; draw a field of the cells (${vol.map((f) => f.name).join(", ")})`);
    let plane: MeshPlane;
    try {
      plane = meshPlane(prepared.dir);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const times = flags.times ?? defaultTimes(timePoints(record), drawn.tr);
    const label = segment.components === 1 ? name : `|${name}|`;
    const parts = times.map((at) => {
      const row = nearestRow(drawn.tr, at);
      const time = drawn.tr.t[row]!;
      let note = "";
      if (parareal && reference) {
        const refRow = nearestRow(reference.tr, time);
        note = `parareal iterate ${parareal.k}`;
        if (reference.tr.t[refRow] === time) note += `; max |parareal - serial fine| in ${name}: ${maxDifference(segment, parareal.tr, row, reference.tr, refRow).toExponential(1)}`;
      } else note = parareal ? `parareal iterate ${parareal.k}` : "serial fine";
      return { time, values: cellValues(segment, drawn.tr, row), note };
    });
    charts.push(fieldCharts(plane, label, parts));
  }
  if (charts.length === 0) throw new UsageError("no maxdif history: the convergence plot needs the run.json of a parareal run");
  const title = `parareal run ${basename(resolve(dir))}: ${prepared.app} on ${basename(prepared.template)}${record?.iterations !== undefined ? `, ${record.status} after ${record.iterations} iterations` : ""}`;
  await writeChart(
    {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: { text: title, fontSize: 14, limit: WIDTH + 100 },
      vconcat: charts,
      resolve: { scale: { color: "independent", strokeDash: "independent" }, legend: { color: "independent", strokeDash: "independent" } },
      config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
    },
    flags.output,
  );
}
