/**
 * maxdif per iteration on a log axis, with the tolerance as a dashed line, and the error against
 * the serial reference when the run reports it. One small SVG, rebuilt when an iterate arrives.
 */
import type { IterateEvent } from "../events.js";
import { scientific } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const M = { left: 58, right: 16, top: 12, bottom: 34 };
const MAXDIF_COLOUR = "#1f6fd1";
const ERROR_COLOUR = "#7b3294";
const TOL_COLOUR = "#c0392b";
/** marks drawn at most (the latest iterates): a real run checks far fewer */
const MAX_POINTS = 1000;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function renderMaxdifChart(svg: SVGSVGElement, allPoints: readonly IterateEvent[], tol: number | undefined, maxIteration: number): void {
  const points = allPoints.length > MAX_POINTS ? allPoints.slice(-MAX_POINTS) : allPoints;
  const width = svg.parentElement?.clientWidth ?? 480;
  const height = 240;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.replaceChildren();
  const errors = points.filter((p): p is IterateEvent & { error: number } => typeof p.error === "number" && p.error > 0);
  const values = [...points.map((p) => p.maxdif!), ...errors.map((p) => p.error), ...(tol !== undefined ? [tol] : [])].filter((v) => v > 0);
  // loops, not Math.min(...values): that many arguments may overflow the stack
  let least = values.length > 0 ? Infinity : 1e-6;
  let most = values.length > 0 ? 0 : 1;
  for (const v of values) {
    least = Math.min(least, v);
    most = Math.max(most, v);
  }
  let kMax = Math.max(maxIteration, 2);
  for (const p of points) kMax = Math.max(kMax, p.iteration);
  // decades a double can hold both ends of (10 ** -324 is 0): values beyond are drawn at the edge
  const lo = Math.min(Math.max(Math.floor(Math.log10(least)), -300), 299);
  const hi = Math.min(Math.max(Math.ceil(Math.log10(most)), lo + 1), 300);
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const x = (k: number) => M.left + ((k - 1) / Math.max(kMax - 1, 1)) * pw;
  const y = (v: number) => M.top + ((hi - Math.min(Math.max(Math.log10(v), lo), hi)) / (hi - lo)) * ph;

  // axes: a line per decade, iterations along the bottom
  const decadeStep = Math.ceil((hi - lo) / 8);
  for (let d = lo; d <= hi; d += decadeStep) {
    svg.append(el("line", { x1: M.left, x2: width - M.right, y1: y(10 ** d), y2: y(10 ** d), stroke: "#e3e6ea" }));
    svg.append(el("text", { x: M.left - 6, y: y(10 ** d) + 4, "text-anchor": "end", class: "tick" }, `1e${d}`));
  }
  const kStep = Math.max(1, Math.ceil(kMax / 12));
  for (let k = 1; k <= kMax; k += kStep) svg.append(el("text", { x: x(k), y: height - M.bottom + 16, "text-anchor": "middle", class: "tick" }, String(k)));
  svg.append(el("text", { x: M.left + pw / 2, y: height - 4, "text-anchor": "middle", class: "axis-title" }, "iteration"));
  svg.append(el("line", { x1: M.left, x2: M.left, y1: M.top, y2: M.top + ph, stroke: "#333" }));
  svg.append(el("line", { x1: M.left, x2: width - M.right, y1: M.top + ph, y2: M.top + ph, stroke: "#333" }));

  if (tol !== undefined && tol > 0) {
    svg.append(el("line", { x1: M.left, x2: width - M.right, y1: y(tol), y2: y(tol), stroke: TOL_COLOUR, "stroke-dasharray": "6 4", "stroke-width": 1.5 }));
    svg.append(el("text", { x: width - M.right - 4, y: y(tol) - 5, "text-anchor": "end", fill: TOL_COLOUR, class: "tick" }, `tol = ${scientific(tol)}`));
  }
  const series = (ps: readonly { iteration: number; v: number }[], colour: string, name: string, shape: "circle" | "square"): void => {
    if (ps.length === 0) return;
    svg.append(el("polyline", { points: ps.map((p) => `${x(p.iteration)},${y(p.v)}`).join(" "), fill: "none", stroke: colour, "stroke-width": 1.5 }));
    for (const p of ps) {
      const mark =
        shape === "circle"
          ? el("circle", { cx: x(p.iteration), cy: y(p.v), r: 3.5, fill: colour, "data-series": name })
          : el("rect", { x: x(p.iteration) - 3, y: y(p.v) - 3, width: 6, height: 6, fill: colour, "data-series": name });
      mark.append(el("title", {}, `${name}, iteration ${p.iteration}: ${scientific(p.v)}`));
      svg.append(mark);
    }
  };
  series(points.map((p) => ({ iteration: p.iteration, v: p.maxdif! })).filter((p) => p.v > 0), MAXDIF_COLOUR, "maxdif", "circle");
  series(errors.map((p) => ({ iteration: p.iteration, v: p.error })), ERROR_COLOUR, "error vs reference", "square");
  // legend
  let lx = M.left + 10;
  for (const [name, colour] of [["maxdif = max |y^k − y^(k−1)|", MAXDIF_COLOUR], ...(errors.length > 0 ? [["max |y^k − reference|", ERROR_COLOUR]] : [])] as const) {
    svg.append(el("rect", { x: lx, y: M.top + 4, width: 10, height: 10, fill: colour }));
    svg.append(el("text", { x: lx + 14, y: M.top + 13, class: "tick" }, name));
    lx += 14 + name.length * 6.2 + 16;
  }
}
