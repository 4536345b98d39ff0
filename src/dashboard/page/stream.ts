/**
 * The task stream on one canvas: a row per worker, a bar per job from its start to its end (or to
 * now while it runs), coloured by iteration (the reference in grey); fine jobs fill the row, coarse
 * jobs are a short bar at its foot; cancelled jobs are pale with a red outline, failed ones red.
 */
import type { JobState } from "../events.js";
import { ITERATION_COLOURS, iterationColour, REFERENCE_COLOUR } from "./colours.js";
import { niceStep } from "./grid.js";
import type { Job, RunModel } from "./model.js";
import { TrackedWidth } from "./width.js";

const LEFT = 150;
/** worker rows drawn at most (the first by name): more would be a canvas taller than a browser draws */
const MAX_ROWS = 1000;
/** worker names such as host:pid:thread, numbers compared as numbers */
const byName = new Intl.Collator(undefined, { numeric: true });
const BOTTOM = 22;
const CANCELLED_EDGE = "#d62728";

/** colour numbers in the column maps: 0 empty, 1..10 the iterations' colours, then these */
const REFERENCE = ITERATION_COLOURS.length + 1;
const FAILED = ITERATION_COLOURS.length + 2;

export class StreamView {
  private fine = new Uint8Array(0);
  /** the workers of `sortedOf` in name order, sorted again only when one was added */
  private sorted: string[] = [];
  private sortedOf: ReadonlySet<string> | undefined;
  private coarse = new Uint8Array(0);

  private readonly box: TrackedWidth;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    onResize: () => void,
  ) {
    this.box = new TrackedWidth(canvas.parentElement!, onResize);
  }

  render(model: RunModel, clock: number, colours: Record<JobState, string>): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    if (this.sortedOf !== model.workers || this.sorted.length !== model.workers.size) {
      this.sorted = [...model.workers].sort(byName.compare);
      this.sortedOf = model.workers;
    }
    const workers = this.sorted.slice(0, MAX_ROWS);
    const rowOf = new Map(workers.map((w, i) => [w, i]));
    const rowH = Math.max(3, Math.min(24, Math.floor(300 / Math.max(workers.length, 1))));
    const cssWidth = this.box.width;
    const cssHeight = Math.max(workers.length, 1) * rowH + BOTTOM + 4;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssWidth * dpr) || this.canvas.height !== Math.round(cssHeight * dpr)) {
      this.canvas.width = Math.round(cssWidth * dpr);
      this.canvas.height = Math.round(cssHeight * dpr);
      this.canvas.style.width = `${cssWidth}px`;
      this.canvas.style.height = `${cssHeight}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const plotW = cssWidth - LEFT - 8;
    const span = Math.max(clock, 1e-3);
    const sx = plotW / span;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    for (let i = 0; i < workers.length; i++) {
      ctx.fillStyle = i % 2 === 0 ? "#f5f6f8" : "#ffffff";
      ctx.fillRect(LEFT, i * rowH, plotW, rowH);
      if (rowH >= 9) {
        ctx.fillStyle = "#333";
        ctx.fillText(shorten(workers[i]!, 24), LEFT - 6, i * rowH + rowH / 2);
      }
    }
    // Bars go into a pixel column map per row and layer (fine: the full row, coarse: its foot),
    // the latest job in a column wins; then each run of equal columns is one fillRect. A 1,000-slice
    // run has ~50,000 bars, most narrower than a pixel: this keeps drawing a few milliseconds.
    const cols = Math.max(Math.round(plotW), 1);
    const size = workers.length * cols;
    if (this.fine.length < size) {
      this.fine = new Uint8Array(size);
      this.coarse = new Uint8Array(size);
    } else {
      this.fine.fill(0, 0, size);
      this.coarse.fill(0, 0, size);
    }
    const cancelled: Job[] = [];
    for (const job of model.timeline) {
      const row = rowOf.get(job.worker!);
      if (row === undefined) continue;
      if (job.state === "cancelled") {
        cancelled.push(job);
        continue;
      }
      const end = job.endAt ?? clock;
      const start = job.startAt ?? end - (job.seconds ?? 0);
      const c0 = Math.min(Math.max(Math.floor(start * sx), 0), cols - 1);
      const c1 = Math.min(Math.max(Math.ceil(end * sx), c0 + 1), cols);
      const colour = job.state === "failed" ? FAILED : job.phase === "reference" ? REFERENCE : (job.iteration % ITERATION_COLOURS.length) + 1;
      // bars wide enough to tell apart keep a one-pixel gap at their end
      (job.kind === "fine" ? this.fine : this.coarse).fill(colour, row * cols + c0, row * cols + (c1 - c0 >= 4 ? c1 - 1 : c1));
    }
    const palette = ["", ...ITERATION_COLOURS, REFERENCE_COLOUR, colours.failed];
    const coarseH = Math.max(1, Math.round(rowH * 0.35));
    for (const [layer, h] of [[this.fine, rowH - 2], [this.coarse, coarseH]] as const) {
      for (let row = 0; row < workers.length; row++) {
        const base = row * cols;
        const y = row * rowH + rowH - 1 - h;
        for (let c = 0; c < cols; ) {
          const v = layer[base + c]!;
          let e = c + 1;
          while (e < cols && layer[base + e] === v) e++;
          if (v !== 0) {
            ctx.fillStyle = palette[v]!;
            ctx.fillRect(LEFT + c, y, e - c, h);
          }
          c = e;
        }
      }
    }
    // cancelled last, on top: pale fill, red outline
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = CANCELLED_EDGE;
    for (const job of cancelled) {
      const row = rowOf.get(job.worker!)!;
      const end = job.endAt ?? clock;
      const start = job.startAt ?? end;
      const x = LEFT + start * sx;
      const w = Math.max((end - start) * sx, 2);
      const h = job.kind === "fine" ? rowH - 2 : Math.max(2, Math.round(rowH * 0.35));
      const y = row * rowH + rowH - 1 - h;
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = job.phase === "reference" ? REFERENCE_COLOUR : iterationColour(job.iteration);
      ctx.fillRect(x, y, w, h);
      ctx.globalAlpha = 1;
      ctx.strokeRect(x + 0.75, y + 0.75, Math.max(w - 1.5, 0.5), Math.max(h - 1.5, 0.5));
    }
    // time axis
    const axisY = workers.length * rowH + 1;
    ctx.fillStyle = "#333";
    ctx.fillRect(LEFT, axisY, plotW, 1);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const step = niceStep(span, Math.max(2, Math.floor(plotW / 90)));
    for (let t = 0; t <= span + 1e-9; t += step) {
      const x = LEFT + t * sx;
      ctx.fillRect(x, axisY, 1, 4);
      ctx.fillText(`${Number(t.toPrecision(6))} s`, x, axisY + 6);
    }
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : "…" + text.slice(text.length - max + 1);
}
