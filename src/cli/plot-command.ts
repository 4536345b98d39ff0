/**
 * `parareal plot DIR -o FILE.png|FILE.svg`: each iterate against the serial reference and the
 * exact solution, maxdif per iteration against the tolerance, and the phase portrait. Charts are
 * Vega-Lite, rendered to SVG by Vega in Node and rasterised by resvg.
 */
import { existsSync } from "node:fs";
import { writeFileAtomic } from "../archive/atomic.js";
import { basename, extname, join, resolve } from "node:path";
import { Command, Option } from "commander";
import { loadHdf5 } from "../archive/hdf5.js";
import { readRunRecord, type RunRecord } from "../archive/run-record.js";
import { combineSegments, filesOfIterate, iterationsPresent, listFineFiles, readSegment, type Trajectory } from "../archive/trajectory.js";
import { underdampedSolution } from "../models/harmonic.js";
import { UsageError } from "../errors.js";
import { numberList } from "./parse.js";

type Kind = "trajectory" | "convergence" | "phase" | "all";
type Point = Record<string, number | string>;
type Chart = Record<string, unknown>;

const WIDTH = 1000;

interface RunData {
  readonly record: RunRecord | undefined;
  readonly iterates: { k: number; tr: Trajectory }[];
  readonly reference: Trajectory | undefined;
  readonly exact: ((t: number) => [number, number]) | undefined;
  readonly title: string;
}

function load(dir: string): RunData {
  const record = readRunRecord(dir);
  const pr = join(dir, "parareal");
  const iterates: RunData["iterates"] = [];
  if (existsSync(pr)) {
    const files = listFineFiles(pr);
    const last = record?.iterations ?? iterationsPresent(files).at(-1) ?? 0;
    for (let k = 1; k <= last; k++) iterates.push({ k, tr: combineSegments(filesOfIterate(files, k).map(readSegment)) });
  }
  const eu = join(dir, "euler");
  const euFiles = existsSync(eu) ? listFineFiles(eu) : [];
  const reference = euFiles.length > 0 ? combineSegments(euFiles.map(readSegment)) : undefined;
  if (iterates.length === 0 && !reference) throw new Error(`${dir}: no fine files in euler/ or parareal/ (is it the --output of parareal run?)`);
  const p = record?.parameters as { problem?: { name: string; params: Record<string, number> }; y0?: number[] } | undefined;
  const params = p?.problem?.params ?? {};
  // the exact solution is for y0 = (1, 0) and under-damping
  const exact =
    p?.problem?.name === "harmonic" && p.y0?.[0] === 1 && p.y0?.[1] === 0 && params.zeta !== undefined && params.zeta < 1 && params.omega0 !== undefined
      ? underdampedSolution(params.omega0, params.zeta)
      : undefined;
  const what = p?.problem ? `${p.problem.name} ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(" ")}` : "";
  const outcome = record?.iterations !== undefined ? `, ${record.status} after ${record.iterations} iterations` : "";
  return { record, iterates, reference, exact, title: `parareal run ${basename(resolve(dir))}: ${what}${outcome}`.replace(/: $/, "") };
}

function points(tr: Trajectory, series: string, extra: Point = {}): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < tr.t.length; i++) out.push({ t: tr.t[i]!, q: tr.data[i * tr.dim]!, p: tr.data[i * tr.dim + 1]!, series, ...extra });
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
    out.push({ t, q, p, series: "exact" });
  }
  return out;
}

function trajectoryChart(d: RunData): Chart {
  const iterates = d.iterates.flatMap(({ k, tr }) => points(tr, `iterate ${k}`, { k }));
  const refs = [...(d.reference ? points(d.reference, "serial fine reference") : []), ...exactPoints(d)];
  return {
    title: "position q: each parareal iterate, the serial fine reference and the exact solution",
    width: WIDTH,
    height: 380,
    layer: [
      {
        data: { values: iterates },
        mark: { type: "line", strokeWidth: 1, opacity: 0.8 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "time t (s)", scale: { nice: false } },
          y: { field: "q", type: "quantitative", title: "position q (m)" },
          color: { field: "k", type: "quantitative", title: "iterate", scale: { scheme: "viridis" } },
          detail: { field: "series" },
        },
      },
      {
        data: { values: refs },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "t", type: "quantitative" },
          y: { field: "q", type: "quantitative" },
          strokeDash: { field: "series", type: "nominal", title: "reference", scale: { range: [[1, 0], [6, 4]] } },
          color: { value: "#d62728" },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  };
}

function convergenceChart(d: RunData): Chart {
  const maxdif = (d.record?.maxdif ?? []).map((m, i) => ({ k: i + 1, maxdif: m, series: "max |y^k - y^(k-1)|" }));
  const tol = typeof d.record?.parameters.tol === "number" ? d.record.parameters.tol : undefined;
  if (maxdif.length === 0) throw new Error("no maxdif history: the convergence plot needs the run.json of a parareal run");
  return {
    title: "convergence: the change between successive iterates",
    width: WIDTH,
    height: 300,
    layer: [
      {
        data: { values: maxdif },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "k", type: "quantitative", title: "iteration k", axis: { tickMinStep: 1 } },
          y: { field: "maxdif", type: "quantitative", title: "max |y^k - y^(k-1)| (m)", scale: { type: "log" } },
          color: { field: "series", type: "nominal", title: null },
        },
      },
      ...(tol === undefined
        ? []
        : [
            {
              data: { values: [{ tol, series: `tolerance ${tol}` }] },
              mark: { type: "rule", strokeDash: [6, 4], color: "#d62728" },
              encoding: { y: { field: "tol", type: "quantitative" }, strokeDash: { field: "series", type: "nominal", title: null } },
            },
          ]),
    ],
  };
}

function phaseChart(d: RunData): Chart {
  const last = d.iterates.at(-1);
  const values = [
    ...(last ? points(last.tr, `parareal (iterate ${last.k})`) : []),
    ...(d.reference ? points(d.reference, "serial fine reference") : []),
    ...exactPoints(d),
  ].map((v, i) => ({ ...v, order: i }));
  return {
    title: "phase portrait",
    width: WIDTH,
    height: 420,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "q", type: "quantitative", title: "position q (m)" },
      y: { field: "p", type: "quantitative", title: "momentum p (m/s)" },
      color: { field: "series", type: "nominal", title: null },
      order: { field: "order" },
    },
  };
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
  writeFileAtomic(out, extname(out).toLowerCase() === ".svg" ? svg : await svgToPng(svg, Math.max(1200, WIDTH + 200)));
}

export function addPlotCommand(program: Command): void {
  program
    .command("plot")
    .description("Plot a run: iterates against the serial reference and the exact solution, convergence, phase portrait.")
    .argument("<dir>", "run directory (the --output of parareal run)")
    .requiredOption("-o, --output <file>", "FILE.png (1200 px wide) or FILE.svg")
    .addOption(new Option("--kind <kind>", "what to plot (field: an OpenFOAM run's field on its mesh)").choices(["all", "trajectory", "convergence", "phase", "field"]).default("all"))
    .option("--field <name>", "of an OpenFOAM run: the field to draw on the mesh (default U)")
    .addOption(new Option("--times <list>", "of an OpenFOAM run: the times to draw the field at, comma separated (default: three of the run's time points)").argParser(numberList))
    .action(async (dir: string, flags: { output: string; kind: Kind | "field"; field?: string; times?: number[] }) => {
      const ext = extname(flags.output).toLowerCase();
      if (ext !== ".png" && ext !== ".svg") throw new UsageError(`-o \`${flags.output}\`: give a file ending in .png or .svg`);
      if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
      await loadHdf5();
      const { isOpenFoamRun, plotOpenFoam } = await import("./plot-openfoam.js");
      if (isOpenFoamRun(dir)) return plotOpenFoam(dir, flags);
      if (flags.kind === "field" || flags.field !== undefined || flags.times !== undefined) throw new UsageError(`--kind field, --field and --times: for OpenFOAM runs only (${dir} is not one)`);
      const kind = flags.kind;
      let data: RunData;
      try {
        data = load(dir);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const charts: Record<Exclude<Kind, "all">, (d: RunData) => Chart> = { trajectory: trajectoryChart, convergence: convergenceChart, phase: phaseChart };
      let spec: Chart;
      try {
        const parts = kind === "all" ? (["trajectory", "convergence", "phase"] as const).filter((k) => k !== "convergence" || data.record?.maxdif?.length) : [kind];
        spec = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: { text: data.title, fontSize: 16 }, vconcat: parts.map((k) => charts[k](data)),
          // each chart keeps its own colours and legend
          resolve: { scale: { color: "independent", strokeDash: "independent" }, legend: { color: "independent", strokeDash: "independent" } },
          config: { font: "DejaVu Sans", legend: { labelLimit: 400 } },
        };
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      await writeChart(spec, flags.output);
    });
}
