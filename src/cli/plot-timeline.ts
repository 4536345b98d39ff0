/**
 * The timeline of a run, like Dask's task stream: one row per worker, one bar per job from its
 * start to its end (on the driver's clock), coloured by iteration; fine jobs full height, coarse
 * jobs thin; the serial fine reference's jobs grey under a shaded band; cancelled jobs pale with
 * a red dashed outline. Jobs that never reached a worker (cancelled while queued, or while
 * starting) share a last row, "no worker", drawn from submission to cancellation.
 */
import type { JobRecord } from "../archive/run-record.js";
import { CANCELLED_COLOUR, ITERATION_SCALE, REFERENCE_JOB_COLOUR } from "./plot-colours.js";

type Chart = Record<string, unknown>;

export const NO_WORKER = "no worker";

interface Bar {
  readonly row: string;
  readonly start: number;
  readonly end: number;
  readonly iteration: number;
  readonly kind: string;
  readonly phase: string;
  readonly status: string;
  readonly label: string;
}

/** Rows in a stable order: host, pid and thread compared as numbers where they are. */
function byWorker(a: string, b: string): number {
  if (a === NO_WORKER || b === NO_WORKER) return a === b ? 0 : a === NO_WORKER ? 1 : -1;
  return a.localeCompare(b, "en", { numeric: true });
}

/** The bars of the chart, one per job; bars are at least `minWidth` seconds (2 px) wide so short jobs show. */
export function timelineBars(jobs: readonly JobRecord[], minWidth: number): Bar[] {
  const last = jobs.reduce((m, j) => Math.max(m, j.finished ?? j.started ?? j.submitted), 0);
  return jobs.map((j) => {
    const row = j.worker ?? NO_WORKER;
    const start = row === NO_WORKER ? j.submitted : (j.started ?? j.submitted);
    // a job still running when the record was written ends at the record's last time
    const end = Math.max(j.finished ?? last, start + minWidth);
    const status = j.status ?? "running";
    const label = `${j.kind} job, ${j.phase} iteration ${j.iteration}, slice ${j.slice}, ${status}${j.worker ? ` on ${j.worker}` : ""}`;
    return { row, start, end, iteration: j.iteration, kind: j.kind, phase: j.phase, status, label };
  });
}

export function timelineChart(jobs: readonly JobRecord[], width: number, startupSeconds?: number): Chart {
  if (jobs.length === 0) throw new Error("no job records: the timeline needs the run.json of a run (its `jobs`)");
  let [first, last] = [Number.POSITIVE_INFINITY, 0];
  for (const j of jobs) {
    first = Math.min(first, j.submitted);
    last = Math.max(last, j.finished ?? j.started ?? j.submitted);
  }
  const span = Math.max(last - first, Number.MIN_VALUE);
  const bars = timelineBars(jobs, (2 * span) / width);
  const rows = [...new Set(bars.map((b) => b.row))].sort(byWorker);
  const reference = bars.filter((b) => b.phase === "reference");
  const phases = [
    // the workers start before any job (their start-up is not counted as any phase's time)
    ...(startupSeconds !== undefined && startupSeconds > 0 ? [{ from: 0, to: startupSeconds, label: "workers starting" }] : []),
    ...(reference.length
      ? [{ from: reference.reduce((m, b) => Math.min(m, b.start), Infinity), to: reference.reduce((m, b) => Math.max(m, b.end), -Infinity), label: "serial fine reference" }]
      : []),
  ];
  return {
    title: "timeline: one row per worker, one bar per job (fine: tall, coarse: thin; cancelled: pale, red dashed outline)",
    width,
    height: Math.max(120, rows.length * 26),
    layer: [
      ...(phases.length
        ? [
            {
              data: { values: phases },
              mark: { type: "rect", color: REFERENCE_JOB_COLOUR, opacity: 0.12 },
              encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" } },
            },
            {
              data: { values: phases },
              mark: { type: "text", align: "left", baseline: "bottom", dx: 2, dy: -2, color: "#555555" },
              encoding: { x: { field: "from", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } },
            },
          ]
        : []),
      {
        data: { values: bars },
        mark: { type: "bar" },
        encoding: {
          x: { field: "start", type: "quantitative", title: "time since the run started (s)", scale: { nice: false } },
          x2: { field: "end" },
          y: { field: "row", type: "nominal", title: "worker", sort: rows, axis: { labelLimit: 300 } },
          size: { field: "kind", type: "ordinal", title: "job", sort: ["fine", "coarse"], scale: { domain: ["fine", "coarse"], range: [16, 6] } },
          color: {
            condition: { test: "datum.phase === 'reference'", value: REFERENCE_JOB_COLOUR },
            field: "iteration",
            type: "quantitative",
            title: "iteration",
            scale: ITERATION_SCALE,
            legend: { tickMinStep: 1, format: "d" },
          },
          fillOpacity: { condition: { test: "datum.status === 'cancelled'", value: 0.25 }, value: 1 },
          // a hairline of background between neighbouring bars keeps short jobs apart
          stroke: { condition: { test: "datum.status === 'cancelled'", value: CANCELLED_COLOUR }, value: "#ffffff" },
          strokeWidth: { condition: { test: "datum.status === 'cancelled'", value: 1.5 }, value: 0.3 },
          strokeDash: { condition: { test: "datum.status === 'cancelled'", value: [3, 2] }, value: [1, 0] },
          description: { field: "label" },
          tooltip: { field: "label" },
        },
      },
    ],
  };
}
