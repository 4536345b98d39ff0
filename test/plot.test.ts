import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readRunRecord } from "../src/archive/run-record.js";
import { runCli, tempDir } from "./helpers.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  assert.ok(b.subarray(0, 8).equals(PNG), `${path} is a PNG`);
  assert.equal(b.toString("latin1", 12, 16), "IHDR");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function svgSize(path: string): { width: number; height: number; text: string } {
  const text = readFileSync(path, "utf8");
  const m = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(text);
  assert.ok(m, `${path} starts with an <svg> element with a size`);
  assert.ok(text.trimEnd().endsWith("</svg>"));
  return { width: Number(m[1]), height: Number(m[2]), text };
}

/** WCAG relative luminance of an SVG colour (#rrggbb or rgb(r, g, b)). */
function luminance(colour: string): number {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  const rgb = /^rgb\((\d+), ?(\d+), ?(\d+)\)$/.exec(colour);
  const parts = hex ? hex.slice(1).map((h) => parseInt(h, 16)) : rgb ? rgb.slice(1).map(Number) : undefined;
  assert.ok(parts, `a colour: ${colour}`);
  const [r, g, b] = parts.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio against the white background. */
const contrast = (colour: string) => 1.05 / (luminance(colour) + 0.05);

function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

test("plot: one PNG of everything; the SVG's labels, legend colours and the maxdif axis; the timeline of every job", async (t) => {
  const dir = tempDir(t);
  // two worker threads, and coarse jobs in the driver: three rows, plus the cancelled jobs' row
  assert.equal((await runCli(["run", "--workers", "2", "--driver-jobs", "coarse", "--output", dir])).code, 0);
  const record = readRunRecord(dir)!;
  const jobs = record.jobs ?? [];
  const [png, svg, timeline] = ["all.png", "all.svg", "timeline.svg"].map((f) => join(dir, f)) as [string, string, string];
  const runs = await Promise.all([runCli(["plot", dir, "-o", png]), runCli(["plot", dir, "-o", svg]), runCli(["plot", dir, "--kind", "timeline", "-o", timeline])]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const size = pngSize(png);
  assert.ok(size.width >= 1200 && size.height > 1000, JSON.stringify(size));

  const s = svgSize(svg);
  assert.ok(s.width >= 1000, `width ${s.width}`);
  assert.match(s.text, /parareal run \S+: harmonic omega0=1 zeta=0\.5, converged after 14 iterations/);
  for (const label of ["time t (s)", "position q (m)", "serial fine reference", "exact", "iteration k", "tolerance 0.0001", "momentum p (m/s)", "time since the run started (s)"]) {
    assert.ok(s.text.includes(label), `"${label}"`);
  }
  // the reference legend: "serial fine reference" and "exact" in two different colours
  const legend = s.text.slice(s.text.indexOf("Symbol legend titled 'reference'"));
  const symbol = (label: string) => new RegExp(`stroke="([^"]+)"[^>]*/></g><g class="mark-text role-legend-label"[^>]*><text[^>]*>${label}</text>`).exec(legend)?.[1];
  const [reference, exact] = [symbol("serial fine reference"), symbol("exact")];
  assert.ok(reference && exact, "both reference lines in the legend");
  assert.notEqual(reference, exact);
  // every iterate readable on white (3:1, the contrast asked of graphics), the converged one darkest
  const iterates = [...s.text.matchAll(/aria-label="[^"]*series: iterate (\d+)"[^>]*?stroke="([^"]+)"/g)].map((m) => ({ k: Number(m[1]), colour: m[2]! }));
  assert.equal(iterates.length, 14);
  for (const { k, colour } of iterates) assert.ok(contrast(colour) >= 3, `iterate ${k}: ${colour} has contrast ${contrast(colour).toFixed(2)}`);
  const last = iterates.find((i) => i.k === 14)!;
  assert.ok(contrast(last.colour) >= 7 && iterates.every((i) => luminance(i.colour) >= luminance(last.colour)), `iterate 14: ${last.colour}`);
  // maxdif mixes position and momentum: no unit on its axis
  assert.match(s.text, /aria-label="Y-axis titled 'max \|y\^k - y\^\(k-1\)\| over all components'/);
  assert.doesNotMatch(s.text, /max \|y\^k - y\^\(k-1\)\| \(m\)/);

  // the timeline: one bar per job, one row per worker
  const tl = svgSize(timeline).text;
  const bars = [...tl.matchAll(/<path [^>]*aria-roledescription="bar"[^>]*>/g)].map((m) => {
    const a = attributes(m[0]);
    const d = /^M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h/.exec(a.d ?? "");
    assert.ok(d, `a bar's path: ${a.d}`);
    const label = /^(fine|coarse) job, (reference|parareal) iteration (\d+), slice (\d+), (\w+)(?: on (\S+))?$/.exec(a["aria-label"] ?? "");
    assert.ok(label, `a bar's label: ${a["aria-label"]}`);
    const [, kind, phase, iteration, slice, status, worker] = label;
    return { kind, phase, iteration: Number(iteration), slice: Number(slice), status, worker: worker ?? "no worker", y: Number(d[2]) + Number(d[4]) / 2, height: Number(d[4]), fill: a.fill!, stroke: a.stroke, dash: a["stroke-dasharray"] };
  });
  assert.equal(bars.length, jobs.length, "one bar per job");
  const key = (j: { kind?: string | undefined; phase?: string | undefined; iteration: number; slice: number; status?: string | undefined; worker?: string | undefined }) =>
    `${j.kind} ${j.phase} ${j.iteration} ${j.slice} ${j.status} ${j.worker}`;
  assert.deepEqual(bars.map(key).sort(), jobs.map((j) => key({ ...j, worker: j.worker ?? "no worker" })).sort(), "the bars are the jobs of run.json");
  const workers = [...new Set(jobs.map((j) => j.worker ?? "no worker"))];
  assert.ok(workers.length >= 3, `workers: ${workers.join(", ")}`);
  const rowOf = new Map<string, Set<number>>();
  for (const b of bars) rowOf.set(b.worker, (rowOf.get(b.worker) ?? new Set()).add(b.y));
  for (const w of workers) {
    assert.equal(rowOf.get(w)!.size, 1, `${w}: one row`);
    assert.ok(tl.includes(`>${w}</text>`), `${w} labels its row`);
  }
  assert.equal(new Set([...rowOf.values()].map((ys) => [...ys][0])).size, workers.length, "a row per worker");
  // fine tall, coarse thin; cancelled marked; the reference grey; later iterations darker
  assert.ok(bars.every((b) => b.height === (b.kind === "fine" ? 16 : 6)));
  assert.ok(bars.some((b) => b.status === "cancelled"), "the run cancels work on convergence");
  for (const b of bars) assert.equal(b.stroke === "#d62728" && b.dash === "3,2", b.status === "cancelled", `${key(b)}: marked as cancelled iff it was`);
  assert.ok(bars.filter((b) => b.phase === "reference").every((b) => b.fill === "#9e9e9e"));
  const fills = new Map<number, Set<string>>();
  for (const b of bars.filter((x) => x.phase === "parareal")) fills.set(b.iteration, (fills.get(b.iteration) ?? new Set()).add(b.fill));
  const byIteration = [...fills.entries()].sort((a, b) => a[0] - b[0]);
  assert.ok(byIteration.every(([, f]) => f.size === 1), "one colour per iteration");
  const lum = byIteration.map(([, f]) => luminance([...f][0]!));
  assert.ok(lum.every((l, i) => i === 0 || l < lum[i - 1]!), "later iterations darker");
  assert.ok(byIteration.every(([, f]) => contrast([...f][0]!) >= 3), "every iteration readable on white");
});

test("study -o: iterations against damping as a picture", async (t) => {
  const dir = tempDir(t);
  const svg = join(dir, "study.svg");
  const r = await runCli(["study", "--zeta", "0.3,0.9", "--executor", "inline", "--output", dir, "-o", svg]);
  assert.equal(r.code, 0, r.stderr);
  const s = svgSize(svg);
  assert.ok(s.width >= 1000);
  assert.ok(s.text.includes("damping ratio zeta") && s.text.includes("iterations to converge"));
});
