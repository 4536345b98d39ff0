/**
 * The slice × iteration grid on one canvas: a row per iteration (the serial reference on top),
 * a cell per slice; the tall upper part of a cell is the fine job, the thin band under it the
 * coarse job; colour by state. Only cells that changed are drawn again, unless the layout grew.
 * Hovering a cell shows its job.
 */
import type { JobState } from "../events.js";
import { duration } from "./format.js";
import { cellKey, type Job, type RunModel } from "./model.js";
import { TrackedWidth } from "./width.js";

interface Layout {
  cssWidth: number;
  firstRow: number;
  rows: number;
  slices: number;
  left: number;
  top: number;
  cellW: number;
  rowH: number;
  fineH: number;
  coarseH: number;
}

// Drawn at most: a run has at most 100,000 slices (100,001 time points), and more rows than this
// would be a canvas taller than a browser draws; events beyond are not drawn (the counts show them).
const MAX_SLICES = 100_000;
const MAX_ROWS = 2000;
const LEFT = 46;
const TOP = 20;
const BAND = "#eef0f3";

export class GridView {
  private layout: Layout | undefined;
  private model: RunModel;

  private readonly box: TrackedWidth;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
    model: RunModel,
    onResize: () => void,
  ) {
    this.model = model;
    this.box = new TrackedWidth(canvas.parentElement!, onResize);
    canvas.addEventListener("mousemove", (e) => this.hover(e.offsetX, e.offsetY, e.clientX, e.clientY));
    canvas.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
  }

  setModel(model: RunModel): void {
    this.model = model;
    this.layout = undefined;
    this.tooltip.hidden = true;
  }

  render(colours: Record<JobState, string>): void {
    const m = this.model;
    const width = this.box.width;
    const slices = Math.min(Math.max(m.run?.slices ?? 0, m.maxSlice, 1), MAX_SLICES);
    const firstRow = m.hasReference ? 0 : 1;
    // rows for iterations 0..maxIteration, grown 8 at a time (each growth redraws every cell)
    const iterationRows = Math.min(Math.ceil((m.maxIteration + 1) / 8) * 8, (m.run?.maxIterations ?? Infinity) + 1);
    const rows = Math.min(Math.max(iterationRows, m.maxIteration + 1) + 1 - firstRow, MAX_ROWS);
    const l = this.layout;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    // a full redraw only when the geometry changed (a new iteration usually fits in the rows there are)
    if (!l || l.cssWidth !== width || l.slices !== slices || l.rows !== rows || l.firstRow !== firstRow) {
      this.layout = this.drawAll(ctx, width, slices, firstRow, rows, colours);
      m.dirty.clear();
      return;
    }
    this.drawCells(ctx, l, m.dirty, colours);
    m.dirty.clear();
  }

  private drawAll(ctx: CanvasRenderingContext2D, cssWidth: number, slices: number, firstRow: number, rows: number, colours: Record<JobState, string>): Layout {
    const rowH = Math.max(5, Math.min(22, Math.floor(380 / rows)));
    const fineH = Math.max(3, Math.round(rowH * 0.62));
    const coarseH = Math.max(1, Math.round(rowH * 0.22));
    const l: Layout = { cssWidth, firstRow, rows, slices, left: LEFT, top: TOP, cellW: (cssWidth - LEFT - 6) / slices, rowH, fineH, coarseH };
    const cssHeight = TOP + rows * rowH + 4;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(cssWidth * dpr);
    this.canvas.height = Math.round(cssHeight * dpr);
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${cssHeight}px`;
    // the geometry, for tools and tests that point at a cell
    for (const [k, v] of Object.entries({ left: LEFT, top: TOP, cellWidth: l.cellW, rowHeight: rowH, fineHeight: fineH, firstRow })) this.canvas.dataset[k] = String(v);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    // row labels, thinned out when rows are small
    const every = Math.ceil(12 / rowH);
    ctx.textAlign = "right";
    for (let r = 0; r < rows; r++) {
      const row = firstRow + r;
      const y = TOP + r * rowH;
      ctx.fillStyle = BAND;
      ctx.fillRect(LEFT, y, l.cellW * slices, fineH);
      ctx.fillRect(LEFT, y + fineH + 1, l.cellW * slices, coarseH);
      if (row === 0 || (row - 1) % every === 0) {
        ctx.fillStyle = "#333";
        ctx.fillText(row === 0 ? "ref" : String(row - 1), LEFT - 6, y + fineH / 2);
      }
    }
    // slice numbers along the top
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    const step = Math.max(1, niceStep(slices, Math.max(2, Math.floor((cssWidth - LEFT) / 40))));
    for (let s = 1; s <= slices; s = s === 1 && step > 1 ? step : s + step) {
      ctx.fillStyle = "#333";
      const label = String(s);
      const x = Math.min(LEFT + (s - 0.5) * l.cellW, cssWidth - ctx.measureText(label).width / 2 - 1);
      ctx.fillText(label, x, TOP - 6);
    }
    // one colour at a time: setting fillStyle is what costs with 50,000 cells
    const byState = new Map<JobState, Job[]>();
    for (const job of this.model.cells.values()) {
      const list = byState.get(job.state);
      if (list) list.push(job);
      else byState.set(job.state, [job]);
    }
    for (const [state, jobs] of byState) {
      ctx.fillStyle = colours[state];
      for (const job of jobs) this.fillCell(ctx, l, job);
    }
    return l;
  }

  /** Draw the cells that changed since the last render. */
  private drawCells(ctx: CanvasRenderingContext2D, l: Layout, jobs: Iterable<Job>, colours: Record<JobState, string>): void {
    let fill = "";
    for (const job of jobs) {
      const c = colours[job.state];
      if (c !== fill) ctx.fillStyle = fill = c;
      this.fillCell(ctx, l, job);
    }
  }

  /** A cell covers whole pixels with an opaque colour: drawing it again needs no clearing. */
  private fillCell(ctx: CanvasRenderingContext2D, l: Layout, job: Job): void {
    const row = job.phase === "reference" ? 0 : job.iteration + 1;
    const r = row - l.firstRow;
    if (r < 0 || r >= l.rows || job.slice > l.slices || job.replaced) return;
    // whole pixels: no blended seams between narrow cells, and cheaper to fill
    const x0 = Math.round(l.left + (job.slice - 1) * l.cellW);
    const x1 = Math.round(l.left + job.slice * l.cellW);
    // a gap between cells while they are wide enough to see it
    const w = l.cellW >= 4 ? x1 - x0 - 1 : Math.max(x1 - x0, 1);
    const y = l.top + r * l.rowH + (job.kind === "fine" ? 0 : l.fineH + 1);
    const h = job.kind === "fine" ? l.fineH : l.coarseH;
    ctx.fillRect(x0, y, w, h);
  }

  private hover(x: number, y: number, clientX: number, clientY: number): void {
    const l = this.layout;
    if (!l) return;
    const slice = Math.floor((x - l.left) / l.cellW) + 1;
    const r = Math.floor((y - l.top) / l.rowH);
    const within = y - l.top - r * l.rowH;
    const kind = within < l.fineH + 0.5 ? "fine" : "coarse";
    const job = slice >= 1 && slice <= l.slices && r >= 0 && r < l.rows ? this.model.cells.get(cellKey(l.firstRow + r, kind, slice)) : undefined;
    if (!job) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.textContent = describe(job);
    this.tooltip.hidden = false;
    const box = this.tooltip.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(clientX + 14, window.innerWidth - box.width - 8)}px`;
    this.tooltip.style.top = `${clientY + 14}px`;
  }
}

/** The tooltip's text: what, where, state, worker, duration. */
export function describe(job: Job): string {
  const what = job.phase === "reference" ? `reference fine job, slice ${job.slice}` : `${job.kind} job, iteration ${job.iteration}, slice ${job.slice}`;
  const lines = [what, `state: ${job.state}`];
  if (job.worker !== undefined) lines.push(`worker: ${job.worker}`);
  if (job.seconds !== undefined) lines.push(`compute: ${duration(job.seconds)}`);
  else if (job.startAt !== undefined && job.endAt !== undefined) lines.push(`ran: ${duration(job.endAt - job.startAt)}`);
  if (job.startAt !== undefined) lines.push(`started at ${job.startAt.toFixed(2)} s`);
  if (job.error !== undefined) lines.push(`error: ${job.error}`);
  return lines.join("\n");
}

/** A round step (1, 2, 5 × 10^k) that shows at most `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(count, 1);
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-12)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
