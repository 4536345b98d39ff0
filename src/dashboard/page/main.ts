/**
 * The dashboard page: follows /events (Server-Sent Events), folds every event into the model at
 * once, and renders at most every 500 ms, or less often when drawing gets slow (a 1,000-slice run
 * has ~100,000 job events and must not keep the browser, or the machine the run shares, busy:
 * measured with bench/dashboard-replay.ts at 2,400 events/s, headless chromium takes ~3% of a
 * core to receive and fold the events, and each render per second adds ~1.5%).
 */
import { renderMaxdifChart } from "./chart.js";
import { iterationColour, REFERENCE_COLOUR, stateColours } from "./colours.js";
import { timeLeft } from "./estimate.js";
import { duration, scientific, value } from "./format.js";
import { GridView } from "./grid.js";
import { RunModel, STATES } from "./model.js";
import { StreamView } from "./stream.js";
import { WireDecoder } from "./wire.js";

const MIN_RENDER_MS = 500;
/** the task stream is redrawn whole: less often, it moves slowly anyway */
const MIN_STREAM_MS = 1000;

function byId<T extends HTMLElement | SVGElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} missing`);
  return e as T;
}

const view = {
  status: byId<HTMLElement>("status"),
  connection: byId<HTMLElement>("connection"),
  progress: byId<HTMLElement>("progress"),
  progressFill: byId<HTMLElement>("progress-fill"),
  iterations: byId<HTMLElement>("iterations-checked"),
  elapsed: byId<HTMLElement>("elapsed"),
  eta: byId<HTMLElement>("eta"),
  etaBasis: byId<HTMLElement>("eta-basis"),
  total: byId<HTMLElement>("count-total"),
  points: byId<HTMLElement>("maxdif-points"),
  skipped: byId<HTMLElement>("skipped"),
  parameters: byId<HTMLTableSectionElement>("parameters"),
  chart: byId<SVGSVGElement>("maxdif-chart"),
  streamLegend: byId<HTMLElement>("stream-legend"),
  counts: Object.fromEntries(STATES.map((s) => [s, byId<HTMLElement>(`count-${s}`)])),
};

let model = new RunModel();
let decoder = new WireDecoder();
let skipped = 0;
let renderTimer: number | undefined;
let nextRenderAt = 0;
let chartIterates = -1;
let nextStreamAt = 0;
const colours = stateColours();
const grid = new GridView(byId<HTMLCanvasElement>("grid"), byId<HTMLElement>("tooltip"), model, () => requestRender());
const stream = new StreamView(byId<HTMLCanvasElement>("stream"), () => {
  // the page's width changed: the stream and the chart too
  nextStreamAt = 0;
  chartIterates = -1;
  requestRender();
});

function requestRender(): void {
  if (renderTimer !== undefined) return;
  renderTimer = window.setTimeout(render, Math.max(0, nextRenderAt - performance.now()));
}

/** Text is set only when it changed: every change costs the browser a layout. */
function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function render(): void {
  renderTimer = undefined;
  if (document.hidden) return; // drawn again on visibilitychange
  const start = performance.now();
  const clock = model.clock(start);
  renderText(clock);
  grid.render(colours);
  if (start >= nextStreamAt || model.end) {
    stream.render(model, clock, colours);
    nextStreamAt = start + MIN_STREAM_MS;
  }
  if (model.iterates.size !== chartIterates || model.textChanged) {
    chartIterates = model.iterates.size;
    renderMaxdifChart(view.chart, model.maxdifPoints(), model.run?.tol, model.run ? Math.min(model.maxIteration, model.run.maxIterations) : model.maxIteration);
  }
  if (model.textChanged) renderParameters();
  model.textChanged = false;
  const took = performance.now() - start;
  // the last render's cost, for tools and tests that check the page stays light
  document.body.dataset.renderMs = took.toFixed(1);
  // drawing must stay a small share of the time: back off when it is slow
  nextRenderAt = performance.now() + Math.max(MIN_RENDER_MS, 10 * took);
}

function renderText(clock: number): void {
  const m = model;
  for (const s of STATES) setText(view.counts[s]!, String(m.counts[s]));
  setText(view.total, String(m.total));
  const done = m.settled;
  setText(view.progress, `${done} / ${m.total}`);
  const width = `${m.total > 0 ? ((100 * done) / m.total).toFixed(1) : 0}%`;
  if (view.progressFill.style.width !== width) view.progressFill.style.width = width;
  const points = m.maxdifPoints();
  setText(view.points, String(points.length));
  const last = points[points.length - 1];
  const lastMaxdif = last && last.maxdif !== null ? ` (last maxdif ${scientific(last.maxdif)})` : "";
  setText(view.iterations, (m.run ? `${points.length} of at most ${m.run.maxIterations}` : String(points.length)) + lastMaxdif);
  setText(view.elapsed, duration(clock));
  const est = timeLeft(m, clock);
  setText(view.eta, est.seconds === undefined ? "—" : est.seconds === Infinity ? "not converging" : m.end ? "0 s" : duration(est.seconds));
  setText(view.etaBasis, est.basis);
  setText(view.skipped, skipped > 0 ? `${skipped} bad line(s) of the events file skipped` : "");
  setText(view.status, statusText());
  const state = m.end ? m.end.status.replace(" ", "-") : m.run ? "running" : "waiting";
  if (view.status.dataset.state !== state) view.status.dataset.state = state;
}

function statusText(): string {
  const m = model;
  if (m.end) {
    const what = m.end.status === "converged" ? `converged after ${m.end.iterations} iterations` : `${m.end.status} after ${m.end.iterations} iterations`;
    return m.end.message ? `${what}: ${m.end.message}` : what;
  }
  if (!m.run) return "waiting for the run to start";
  const idle = (performance.now() - m.lastArrival) / 1000;
  const phase = m.phase === "reference" ? "serial fine reference" : m.phase === "parareal" ? m.run.method : "starting";
  return `running: ${phase}` + (idle > 30 ? ` (no events for ${duration(idle)})` : "");
}

function renderParameters(): void {
  const run = model.run;
  const rows: [string, string][] = [];
  if (run) {
    rows.push(["method", run.method], ["slices", String(run.slices)], ["max iterations", String(run.maxIterations)], ["tol", scientific(run.tol)]);
    rows.push(["executor", run.executor], ["workers", String(run.workers)], ["started", run.started]);
    for (const [k, v] of Object.entries(run.parameters)) rows.push([k, value(v)]);
  }
  view.parameters.replaceChildren(
    ...rows.map(([k, v]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      const td = document.createElement("td");
      th.textContent = k;
      td.textContent = v;
      tr.append(th, td);
      return tr;
    }),
  );
  // the stream's colour key lists the iterations seen (colours repeat every ten)
  const shown = Math.min(model.maxIteration + 1, 10);
  const items: HTMLElement[] = [];
  for (let k = 0; k < shown; k++) items.push(swatch(iterationColour(k), model.maxIteration < 10 ? `iteration ${k}` : `${k}, ${k + 10}, …`));
  view.streamLegend.replaceChildren(swatch(REFERENCE_COLOUR, "reference"), ...items);
}

function swatch(colour: string, label: string): HTMLElement {
  const li = document.createElement("li");
  const box = document.createElement("span");
  box.className = "swatch";
  box.style.background = colour;
  li.append(box, label);
  return li;
}

function reset(): void {
  model = new RunModel();
  decoder = new WireDecoder();
  grid.setModel(model);
  skipped = 0;
  chartIterates = -1;
  requestRender();
}

function connect(): void {
  const source = new EventSource("events");
  source.addEventListener("open", () => {
    view.connection.textContent = "live";
    view.connection.dataset.state = "live";
  });
  source.addEventListener("error", () => {
    // EventSource reconnects by itself; the server then replays the history after a reset
    view.connection.textContent = source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…";
    view.connection.dataset.state = "down";
  });
  source.addEventListener("reset", reset);
  source.addEventListener("meta", (e) => {
    skipped = (JSON.parse((e as MessageEvent<string>).data) as { skipped: number }).skipped;
    requestRender();
  });
  source.addEventListener("message", (e) => {
    for (const event of decoder.decode(JSON.parse(e.data as string) as unknown[])) model.apply(event);
    model.lastArrival = performance.now();
    requestRender();
  });
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) requestRender();
});
// the clock, the time left and running bars move between events too
window.setInterval(() => {
  if (!model.end) requestRender();
}, 1000);
connect();
requestRender();
