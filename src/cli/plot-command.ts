/**
 * `parareal plot DIR -o FILE.png|FILE.svg`: each iterate against the serial reference and the
 * exact solution, maxdif per iteration against the tolerance, and the phase portrait. Charts are
 * Vega-Lite, rendered to SVG by Vega in Node and rasterised by resvg.
 */
import { existsSync } from "node:fs";
import { writeFileAtomic } from "../archive/atomic.js";
import { basename, extname, join, resolve } from "node:path";
import { checkFineDirectory, iterateOf, iterationsOf, summarize, warnSkipped, type Finding } from "../archive/fine-check.js";
import { loadHdf5 } from "../archive/hdf5.js";
import { PARAREAL_DIR, REFERENCE_DIR } from "../archive/layout.js";
import type { CheckedRunRecord } from "../archive/run-record-schema.js";
import { combineSegments, type Trajectory } from "../archive/trajectory.js";
import { underdampedSolution } from "../models/harmonic.js";
import { UsageError } from "../errors.js";
import { configureLog } from "./logging.js";
import { EXACT_COLOUR, EXACT_LABEL, ITERATION_SCALE, REFERENCE_COLOUR, REFERENCE_LABEL } from "./plot-colours.js";
import { timelineChart } from "./plot-timeline.js";
import { recordedIterations, runAt } from "./run-directory.js";
import { convergenceLayers, convergencePoints } from "./convergence-chart.js";
import { checkOutputFile, writingOutput } from "./output-file.js";

export type Kind = "trajectory" | "convergence" | "phase" | "timeline" | "all";
type Point = Record<string, number | string>;
type Chart = Record<string, unknown>;

const WIDTH = 1000;

interface RunData {
  readonly record: CheckedRunRecord | undefined;
  readonly iterates: { k: number; tr: Trajectory }[];
  readonly reference: Trajectory | undefined;
  readonly exact: ((t: number) => [number, number]) | undefined;
  /** axis names of the first two components: q and p for the oscillator */
  readonly names: readonly [string, string];
  readonly title: string;
}

/** A value of a user-given record, only when the record itself has it (never from its prototype). */
function own(o: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/**
 * Everything the plots draw, with every fine file read once and checked: iterates are made from
 * those reads, and never beyond what the files hold (whatever run.json claims).
 */
export function loadRun(dir: string, allowGaps: boolean): RunData {
  const run = runAt(dir);
  const record = run.record;
  const problems: Finding[] = [];
  const iterates: RunData["iterates"] = [];
  const pr = join(dir, PARAREAL_DIR);
  if (existsSync(pr)) {
    const checked = checkFineDirectory(pr, { grid: run.grid });
    const present = iterationsOf(checked);
    const last = recordedIterations(run, pr, present) ?? present.at(-1) ?? 0;
    // only iterations that have files: a name claiming iteration 10^12 costs one iterate, not 10^12
    for (const k of present.filter((j) => j >= 1 && j <= last)) {
      const it = iterateOf(checked, k);
      problems.push(...it.problems);
      if (it.segments.length > 0) iterates.push({ k, tr: combineSegments(it.segments) });
    }
  }
  let reference: Trajectory | undefined;
  const eu = join(dir, REFERENCE_DIR);
  if (existsSync(eu)) {
    const checked = checkFineDirectory(eu, { grid: run.grid });
    const last = iterationsOf(checked).at(-1);
    if (last !== undefined) {
      const it = iterateOf(checked, last);
      problems.push(...it.problems);
      if (it.segments.length > 0) reference = combineSegments(it.segments);
    }
  }
  if (problems.length > 0) {
    if (!allowGaps) throw new Error(`${summarize(problems)}; give --allow-gaps to leave such files out`);
    warnSkipped(problems);
  }
  if (iterates.length === 0 && !reference) throw new UsageError(`${dir}: no fine files in euler/ or parareal/ (is it the --output of parareal run?)`);
  const p = record?.parameters;
  const params = p?.problem?.params ?? {};
  const omega0 = own(params, "omega0");
  const zeta = own(params, "zeta");
  const harmonic = p?.problem?.name === "harmonic" && p.problem.module === undefined;
  // the exact solution is for y0 = (1, 0) and under-damping
  const exact =
    harmonic && p.y0?.[0] === 1 && p.y0[1] === 0 && typeof zeta === "number" && zeta < 1 && typeof omega0 === "number" ? underdampedSolution(omega0, zeta) : undefined;
  const names: readonly [string, string] = harmonic || !p ? ["position q (m)", "momentum p (m/s)"] : ["y[0]", "y[1]"];
  const what = p?.problem ? [p.problem.name, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(" ") : "";
  const outcome = record?.iterations !== undefined ? `, ${record.status} after ${record.iterations} iterations` : "";
  return { record, iterates, reference, exact, names, title: `parareal run ${basename(resolve(dir))}: ${what}${outcome}`.replace(/: $/, "") };
}

function points(tr: Trajectory, series: string, extra: Point = {}): Point[] {
  const out: Point[] = [];
  // a one-component state has no second coordinate: p stays out rather than take the next row's value
  for (let i = 0; i < tr.t.length; i++) out.push({ t: tr.t[i]!, q: tr.data[i * tr.dim]!, ...(tr.dim > 1 ? { p: tr.data[i * tr.dim + 1]! } : {}), series, ...extra });
  return out;
}

function exactPoints(d: RunData): Point[] {
  const src = d.reference ?? d.iterates.at(-1)?.tr;
  if (!d.exact || !src) return [];
  const out: Point[] = [];
  const [t0, t1] = [src.t[0]!, src.t.at(-1)!];
  for (let i = 0; i <= 600; i++) {
    const t = t0 + ((t1 - t0) * i) / 600;
    const [q, p] = d.exact(t);
    out.push({ t, q, p, series: EXACT_LABEL });
  }
  return out;
}

/** The reference lines present, with their own colours and dashes: black dashed reference, green exact solution. */
function referenceLines(d: RunData): { labels: string[]; colours: string[]; dashes: number[][] } {
  const lines = [
    ...(d.reference ? [{ label: REFERENCE_LABEL, colour: REFERENCE_COLOUR, dash: [6, 4] }] : []),
    ...(d.exact ? [{ label: EXACT_LABEL, colour: EXACT_COLOUR, dash: [1, 0] }] : []),
  ];
  return { labels: lines.map((l) => l.label), colours: lines.map((l) => l.colour), dashes: lines.map((l) => l.dash) };
}

/** "a, b and c" */
function listed(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function trajectoryChart(d: RunData): Chart {
  const iterates = d.iterates.flatMap(({ k, tr }) => points(tr, `iterate ${k}`, { k }));
  const refs = [...(d.reference ? points(d.reference, REFERENCE_LABEL) : []), ...exactPoints(d)];
  const lines = referenceLines(d);
  const shown = [...(d.iterates.length ? ["each parareal iterate"] : []), ...(d.reference ? ["the serial fine reference"] : []), ...(d.exact ? ["the exact solution"] : [])];
  return {
    title: `${d.names[0]}: ${listed(shown)}`,
    width: WIDTH,
    height: 380,
    layer: [
      {
        data: { values: iterates },
        mark: { type: "line", strokeWidth: 1.2 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "time t (s)", scale: { nice: false } },
          y: { field: "q", type: "quantitative", title: d.names[0] },
          color: { field: "k", type: "quantitative", title: "iterate", scale: ITERATION_SCALE, legend: { tickMinStep: 1, format: "d" } },
          detail: { field: "series" },
        },
      },
      ...(refs.length === 0
        ? []
        : [
            {
              data: { values: refs },
              mark: { type: "line", strokeWidth: 2 },
              encoding: {
                x: { field: "t", type: "quantitative" },
                y: { field: "q", type: "quantitative" },
                // only the lines drawn are in the legend
                color: { field: "series", type: "nominal", title: "reference", scale: { domain: lines.labels, range: lines.colours } },
                // one legend: in a layer with its own colour scale Vega-Lite would not merge a dash legend into it
                strokeDash: { field: "series", type: "nominal", legend: null, scale: { domain: lines.labels, range: lines.dashes } },
              },
            },
          ]),
    ],
    resolve: { scale: { color: "independent" } },
  };
}

function convergenceChart(d: RunData): Chart {
  const residual = d.record?.residual;
  if (residual !== undefined) return mgritConvergenceChart(d, residual);
  const maxdif = d.record?.maxdif ?? [];
  const tol = d.record?.parameters.tol;
  if (maxdif.length === 0) throw new Error("no maxdif history: the convergence plot needs the run.json of a parareal run");
  // zeros (a run that ends when every slice is exact) cannot sit on the log scale
  const points = maxdif.flatMap((value, i) => (Number.isFinite(value) && value > 0 ? [{ k: i + 1, value, series: "max |y^k - y^(k-1)|" }] : []));
  return {
    title: "convergence: the change between successive iterates",
    width: WIDTH,
    height: 300,
    // the largest change of any component: position and momentum mixed, so no unit
    layer: convergenceLayers(points, tol, "max |y^k - y^(k-1)| over all components"),
  };
}

/** MGRIT: its residual at the C-points (what it stops on) and the change of its iterate. */
function mgritConvergenceChart(d: RunData, residual: readonly number[]): Chart {
  const tol = typeof d.record?.parameters.tol === "number" ? d.record.parameters.tol : undefined;
  const norm = typeof d.record?.criteria?.norm === "string" ? d.record.criteria.norm : "max";
  return {
    title: "convergence (MGRIT): the residual at the C-points and the change between successive iterates",
    width: WIDTH,
    height: 300,
    layer: convergenceLayers(convergencePoints([{ label: "mgrit", maxdif: d.record?.maxdif ?? [], residual }], true), tol, `${norm} norm (log)`),
  };
}

function phaseChart(d: RunData): Chart {
  const last = d.iterates.at(-1);
  if ((last?.tr.dim ?? d.reference?.dim ?? 2) < 2) throw new Error("the phase portrait needs a state of two or more components");
  const label = last ? `parareal (iterate ${last.k})` : "parareal";
  const values = [...(last ? points(last.tr, label) : []), ...(d.reference ? points(d.reference, REFERENCE_LABEL) : []), ...exactPoints(d)].map((v, i) => ({ ...v, order: i }));
  const lines = referenceLines(d);
  const domain = [...(last ? [label] : []), ...lines.labels];
  const colours = [...(last ? ["#0d0887"] : []), ...lines.colours];
  const dashes = [...(last ? [[1, 0]] : []), ...lines.dashes];
  return {
    title: "phase portrait",
    width: WIDTH,
    height: 420,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "q", type: "quantitative", title: d.names[0] },
      y: { field: "p", type: "quantitative", title: d.names[1] },
      color: { field: "series", type: "nominal", title: null, scale: { domain, range: colours } },
      strokeDash: { field: "series", type: "nominal", title: null, scale: { domain, range: dashes } },
      order: { field: "order" },
    },
  };
}

function timeline(d: RunData): Chart {
  return timelineChart(d.record?.jobs ?? [], WIDTH, d.record?.startupSeconds);
}

export async function renderSvg(spec: Chart): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function svgToPng(svg: string, width: number): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  return new Resvg(svg, { fitTo: { mode: "width", value: width }, background: "white", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}

export async function writeChart(spec: Chart, out: string): Promise<void> {
  const svg = await renderSvg(spec);
  const bytes = extname(out).toLowerCase() === ".svg" ? svg : await svgToPng(svg, Math.max(1200, WIDTH + 200));
  writingOutput(out, () => writeFileAtomic(out, bytes));
}


/** The options of `parareal plot`, as parsed. */
export interface PlotFlags {
  output: string;
  kind: Kind | "field";
  allowGaps: boolean;
  log: string;
  field?: string;
  times?: number[];
}

/** `parareal plot DIR -o FILE`: the action. */
export async function plotAction(dir: string, flags: PlotFlags): Promise<void> {
      configureLog(flags);
      const ext = extname(flags.output).toLowerCase();
      if (ext !== ".png" && ext !== ".svg") throw new UsageError(`-o \`${flags.output}\`: give a file ending in .png or .svg`);
      checkOutputFile(flags.output, "-o");
      if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
      await loadHdf5();
      const { isOpenFoamRun, plotOpenFoam } = await import("./plot-openfoam.js");
      if (isOpenFoamRun(dir)) return plotOpenFoam(dir, flags);
      if (flags.kind === "field" || flags.field !== undefined || flags.times !== undefined) throw new UsageError(`--kind field, --field and --times: for OpenFOAM runs only (${dir} is not one)`);
      const kind = flags.kind;
      const data = loadRun(dir, flags.allowGaps);
      const charts: Record<Exclude<Kind, "all">, (d: RunData) => Chart> = { trajectory: trajectoryChart, convergence: convergenceChart, phase: phaseChart, timeline };
      let spec: Chart;
      try {
        const parts =
          kind === "all"
            ? (["trajectory", "convergence", "phase", "timeline"] as const).filter(
                (k) => (k !== "convergence" || data.record?.maxdif?.length || data.record?.residual?.length) && (k !== "timeline" || data.record?.jobs?.length) && (k !== "phase" || (data.iterates.at(-1)?.tr.dim ?? data.reference?.dim ?? 2) > 1),
              )
            : [kind];
        spec = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: { text: data.title, fontSize: 16 }, vconcat: parts.map((k) => charts[k](data)),
          // each chart keeps its own colours and legend
          resolve: { scale: { color: "independent", strokeDash: "independent", size: "independent" }, legend: { color: "independent", strokeDash: "independent", size: "independent" } },
          config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
        };
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      await writeChart(spec, flags.output);
}
