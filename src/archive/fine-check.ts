/**
 * The consistency of a directory of fine files, checked once for combine, plot and inspect: every
 * file is read once, and whatever combine would otherwise join silently is a finding that names
 * the files. Per file: readable with the original's layout (shape, n, stride), t0 < t1, the name
 * in the original's exact format and agreeing with the attributes (int(t*1000) milliseconds),
 * finite data, the directory's dimension. Per iterate: no duplicates (two files of one iteration
 * and slice), the slices tiling the time span without gap or overlap (t1 of one against t0 of the
 * next, exactly: they come from one linspace), on run.json's grid when there is one, and no slice
 * taken from an older iteration where a newer one should have recomputed it.
 *
 * States need not be continuous across slices: parareal iterates jump there by design.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { log } from "../log.js";
import { fineFilename, milliseconds, zeroPad } from "./filename.js";
import { readSegment, type Segment } from "./trajectory.js";

export type FindingKind =
  | "unreadable"
  | "name"
  | "contradiction"
  | "order"
  | "non-finite"
  | "dimension"
  | "duplicate"
  | "overlap"
  | "gap"
  | "off-grid"
  | "stale";

/** One thing wrong, as one line naming the files; `skipped`: the files --allow-gaps leaves out for it. */
export interface Finding {
  readonly kind: FindingKind;
  readonly message: string;
  readonly skipped: readonly string[];
}

/** A file named like a fine file: `<name>-<iteration>-<ms>-<ms>.h5`, read (or not) once. */
export interface FineEntry {
  readonly path: string;
  readonly prefix: string;
  readonly iteration: number;
  /** the file's content when it is readable with the original's layout */
  readonly segment: Segment | undefined;
  /** what is wrong with this file on its own (empty when nothing) */
  readonly problems: readonly Finding[];
}

export interface FineDirectory {
  readonly dir: string;
  /** every file named like a fine file, by name */
  readonly entries: readonly FineEntry[];
  /** run.json's time points, when known: every slice must be one of its intervals */
  readonly grid: Float64Array | undefined;
}

/** Named like a fine file; the exact format is checked against this (any number of digits). */
const FINE_LIKE = /^(.+)-(\d+)-(-?\d+)-(-?\d+)\.h5$/;
const FORMAT = "<name>-<iteration:04>-<ms:06>-<ms:06>.h5";

export interface CheckOptions {
  /** run.json's time points (linspace(0, tEnd, points)) */
  readonly grid?: Float64Array | undefined;
  /** read only the files of iterations up to this one (an iterate needs no later file) */
  readonly upTo?: number | undefined;
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A fine-like name's fields, as written (the exact format is checked against them). */
interface NameFields {
  readonly prefix: string;
  readonly iteration: string;
  readonly ms0: string;
  readonly ms1: string;
}

function nameFields(file: string): NameFields | undefined {
  const m = FINE_LIKE.exec(file);
  return m ? { prefix: m[1]!, iteration: m[2]!, ms0: m[3]!, ms1: m[4]! } : undefined;
}

/** What is wrong with one file on its own. */
function fileProblems(path: string, name: NameFields, segment: Segment): Finding[] {
  const out: Finding[] = [];
  const add = (kind: FindingKind, message: string) => out.push({ kind, message: `${path}: ${message}`, skipped: [path] });
  const { t0, t1 } = segment;
  if (!(t0 < t1)) add("order", `t0 = ${t0} is not before t1 = ${t1}`);
  const expected = fineFilename(name.prefix, Number(name.iteration), t0, t1);
  if (Number(name.ms0) !== milliseconds(t0) || Number(name.ms1) !== milliseconds(t1)) {
    add("contradiction", `the attributes t0 = ${t0}, t1 = ${t1} contradict the name (they make ${expected})`);
  } else if (base(path) !== expected) {
    add("name", `not in the original's format ${FORMAT} (expected ${expected})`);
  }
  let bad = 0;
  for (let i = 0; i < segment.data.length; i++) if (!Number.isFinite(segment.data[i]!)) bad++;
  if (bad > 0) add("non-finite", `${bad} of ${segment.data.length} values are NaN or infinite`);
  return out;
}

/** The name alone, for a file that cannot be read: its digits in the original's widths. */
function nameProblems(path: string, name: NameFields): Finding[] {
  const canonical = `${name.prefix}-${zeroPad(Number(name.iteration), 4)}-${zeroPad(Number(name.ms0), 6)}-${zeroPad(Number(name.ms1), 6)}.h5`;
  return base(path) === canonical ? [] : [{ kind: "name", message: `${path}: not in the original's format ${FORMAT} (expected ${canonical})`, skipped: [path] }];
}

/** Read every fine-like file of `dir` once (up to `upTo`) and check each on its own. */
export function checkFineDirectory(dir: string, options: CheckOptions = {}): FineDirectory {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`cannot read directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const read: { path: string; name: NameFields; segment: Segment | undefined; problems: Finding[] }[] = [];
  for (const file of names.sort()) {
    const name = nameFields(file);
    if (!name) continue;
    const iteration = Number(name.iteration);
    if (options.upTo !== undefined && iteration > options.upTo) continue;
    const path = join(dir, file);
    log.debug(`reading ${path}`);
    try {
      const segment = readSegment({ path, name: name.prefix, iteration });
      read.push({ path, name, segment, problems: fileProblems(path, name, segment) });
    } catch (e) {
      read.push({ path, name, segment: undefined, problems: [{ kind: "unreadable", message: (e as Error).message, skipped: [path] }, ...nameProblems(path, name)] });
    }
  }
  // the directory's dimension: the one most files have
  const dims = new Map<number, number>();
  for (const r of read) if (r.segment) dims.set(r.segment.dim, (dims.get(r.segment.dim) ?? 0) + 1);
  const dim = [...dims.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  for (const r of read) {
    if (r.segment && r.segment.dim !== dim) r.problems.push({ kind: "dimension", message: `${r.path}: dimension ${r.segment.dim}, the other files have ${dim}`, skipped: [r.path] });
  }
  const entries = read.map((r) => ({ path: r.path, prefix: r.name.prefix, iteration: Number(r.name.iteration), segment: r.segment, problems: r.problems }));
  return { dir, entries, grid: options.grid };
}

/** Iterations present (by file name), ascending. */
export function iterationsOf(d: FineDirectory): number[] {
  return [...new Set(d.entries.map((e) => e.iteration))].sort((a, b) => a - b);
}

const sliceKey = (s: Segment) => `${s.t0} ${s.t1}`;
/** a file's slice as its name gives it: the two millisecond fields, as numbers */
const nameSlice = (path: string) => {
  const n = nameFields(base(path));
  return n ? `${Number(n.ms0)} ${Number(n.ms1)}` : path;
};
const span = (s: Segment) => `[${s.t0}, ${s.t1}]`;

/** Two or more files of one iteration and slice: every such group among `entries`. */
function duplicateGroups(entries: readonly FineEntry[]): FineEntry[][] {
  const groups = new Map<string, FineEntry[]>();
  for (const e of entries) {
    if (!e.segment) continue;
    const key = `${e.iteration} ${sliceKey(e.segment)}`;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function duplicateFinding(group: readonly FineEntry[], usable: ReadonlySet<string>): Finding {
  const s = group[0]!.segment!;
  const files = group.map((e) => e.path);
  const left = files.filter((f) => usable.has(f));
  return {
    kind: "duplicate",
    message: `${files.join(" and ")}: ${files.length} files for iteration ${group[0]!.iteration}, slice ${span(s)}`,
    // the files no other finding leaves out already: all of them, when two or more remain
    skipped: left.length > 1 ? left : [],
  };
}

/** The file-level and duplicate findings of `entries`, and the entries none of them concerns. */
function screen(entries: readonly FineEntry[]): { problems: Finding[]; usable: FineEntry[] } {
  const problems = entries.flatMap((e) => e.problems);
  const ok = new Set(entries.filter((e) => e.problems.length === 0 && e.segment).map((e) => e.path));
  const dup = duplicateGroups(entries).map((g) => duplicateFinding(g, ok));
  for (const f of dup) for (const p of f.skipped) ok.delete(p);
  return { problems: [...problems, ...dup], usable: entries.filter((e) => ok.has(e.path)) };
}

export interface IterateCheck {
  readonly k: number;
  /** the files making iterate k, in time order, without any a finding concerns */
  readonly segments: Segment[];
  /** everything wrong with iterate k; empty when its files are consistent */
  readonly problems: Finding[];
}

/**
 * The files of iterate k, as the original's iterates are made: for each slice the newest file at
 * or below iteration k. Iteration j recomputes every slice from its first one on (this port: slices
 * j..N; the original: all), so a slice taken from an iteration older than the newest one that
 * starts at or before it is stale: that iteration's file is missing.
 */
export function iterateOf(d: FineDirectory, k: number): IterateCheck {
  const { problems, usable } = screen(d.entries.filter((e) => e.iteration <= k));
  const bySlice = new Map<string, FineEntry>();
  const first = new Map<number, number>();
  for (const e of usable) {
    const s = e.segment!;
    first.set(e.iteration, Math.min(first.get(e.iteration) ?? Number.POSITIVE_INFINITY, s.t0));
    const held = bySlice.get(sliceKey(s));
    if (!held || held.iteration < e.iteration) bySlice.set(sliceKey(s), e);
  }
  // newest iteration starting at or before t: sort iterations by first t0, keep the running maximum
  const starts = [...first.entries()].sort((a, b) => a[1] - b[1]);
  const newest: number[] = [];
  starts.forEach(([j], i) => newest.push(Math.max(j, newest[i - 1] ?? -Infinity)));
  const expectedAt = (t0: number): number | undefined => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![1] <= t0) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : newest[lo - 1];
  };
  // slices (by the milliseconds of their names) whose newest file is left out: no older file stands in
  const usableSet = new Set(usable);
  const blocked = new Map<string, FineEntry>();
  for (const e of d.entries) {
    if (e.iteration > k || usableSet.has(e)) continue;
    const key = nameSlice(e.path);
    const held = blocked.get(key);
    if (!held || held.iteration < e.iteration) blocked.set(key, e);
  }
  let chosen = [...bySlice.values()].sort((a, b) => a.segment!.t0 - b.segment!.t0 || a.segment!.t1 - b.segment!.t1);
  chosen = chosen.filter((e) => {
    const newer = blocked.get(nameSlice(e.path));
    if (newer && newer.iteration > e.iteration) {
      problems.push({
        kind: "stale",
        message: `${newer.path} is left out (above), so iterate ${k} has no slice ${span(e.segment!)}: ${e.path} of iteration ${e.iteration} would stand in for it`,
        skipped: [e.path],
      });
      return false;
    }
    const want = expectedAt(e.segment!.t0);
    if (want === undefined || want <= e.iteration) return true;
    const missing = join(d.dir, fineFilename(e.prefix, want, e.segment!.t0, e.segment!.t1));
    problems.push({
      kind: "stale",
      message: `${missing} is missing: iteration ${want} recomputed the slices from t = ${first.get(want)} on, so iterate ${k} would take slice ${span(e.segment!)} from ${e.path} of iteration ${e.iteration}`,
      skipped: [e.path],
    });
    return false;
  });
  const kept = d.grid ? onGrid(d, chosen, problems) : tiled(chosen, problems);
  return { k, segments: kept.map((e) => e.segment!), problems };
}

/** Without a grid: consecutive slices must meet exactly; an overlapping one is left out. */
function tiled(chosen: readonly FineEntry[], problems: Finding[]): FineEntry[] {
  const kept: FineEntry[] = [];
  for (const e of chosen) {
    const prev = kept.at(-1);
    const s = e.segment!;
    if (prev && s.t0 < prev.segment!.t1) {
      problems.push({ kind: "overlap", message: `${e.path}: slice ${span(s)} overlaps ${prev.path} (slice ${span(prev.segment!)})`, skipped: [e.path] });
      continue;
    }
    if (prev && s.t0 > prev.segment!.t1) {
      problems.push({ kind: "gap", message: `gap between ${prev.path} (ends at t = ${prev.segment!.t1}) and ${e.path} (starts at t = ${s.t0}): no file for [${prev.segment!.t1}, ${s.t0}]`, skipped: [] });
    }
    kept.push(e);
  }
  return kept;
}

/** With run.json's grid: every slice one of its intervals, every interval present. */
function onGrid(d: FineDirectory, chosen: readonly FineEntry[], problems: Finding[]): FineEntry[] {
  const grid = d.grid!;
  const at = new Map<number, number>();
  for (let i = 0; i + 1 < grid.length; i++) at.set(grid[i]!, i);
  const covered = new Uint8Array(Math.max(0, grid.length - 1));
  const kept: FineEntry[] = [];
  for (const e of chosen) {
    const s = e.segment!;
    const i = at.get(s.t0);
    if (i === undefined || grid[i + 1] !== s.t1) {
      problems.push({ kind: "off-grid", message: `${e.path}: slice ${span(s)} is not one of run.json's time slices (linspace(${grid[0]}, ${grid.at(-1)}, ${grid.length}))`, skipped: [e.path] });
      continue;
    }
    covered[i] = 1;
    kept.push(e);
  }
  const example = chosen[0] ?? d.entries[0];
  for (let i = 0; i < covered.length; i++) {
    if (covered[i]) continue;
    const name = example ? ` (such as ${fineFilename(example.prefix, example.iteration, grid[i]!, grid[i + 1]!)})` : "";
    problems.push({ kind: "gap", message: `gap: no file for slice ${i + 1} [${grid[i]}, ${grid[i + 1]}] in ${d.dir}${name}`, skipped: [] });
  }
  return kept;
}

/**
 * Every iteration's missing slices: iteration j should hold every slice (of all the directory's
 * usable files) from its first one on. Holes beyond the converged iterate are work cancelled on
 * convergence; below it, files lost.
 */
export function iterationHoles(d: FineDirectory): { iteration: number; missing: number; of: number; first: string[] }[] {
  const { usable } = screen(d.entries);
  const t0s = [...new Set(usable.map((e) => e.segment!.t0))].sort((a, b) => a - b);
  const index = new Map(t0s.map((t, i) => [t, i]));
  const byIteration = new Map<number, Set<number>>();
  for (const e of usable) {
    const set = byIteration.get(e.iteration) ?? new Set<number>();
    set.add(index.get(e.segment!.t0)!);
    byIteration.set(e.iteration, set);
  }
  const out: { iteration: number; missing: number; of: number; first: string[] }[] = [];
  for (const [j, set] of [...byIteration.entries()].sort((a, b) => a[0] - b[0])) {
    const have = [...set].sort((a, b) => a - b);
    const from = have[0]!;
    const of = t0s.length - from;
    if (have.length === of) continue;
    // name the first few missing slices by their start times: O(files) overall
    const first: string[] = [];
    let expect = from;
    for (const i of [...have, t0s.length]) {
      for (; expect < i && first.length < 3; expect++) first.push(`t0 = ${t0s[expect]}`);
      expect = i + 1;
      if (first.length >= 3) break;
    }
    out.push({ iteration: j, missing: of - have.length, of, first });
  }
  return out;
}

/** One line for an error: the first finding, and how many more there are. */
export function summarize(problems: readonly Finding[]): string {
  const more = problems.length - 1;
  return `${problems[0]!.message}${more > 0 ? ` (and ${more} more problem${more > 1 ? "s" : ""})` : ""}`;
}

/** Under --allow-gaps: one warning per file left out, and per gap (once, however many iterates show it). */
export function warnSkipped(problems: readonly Finding[]): void {
  const said = new Set<string>();
  for (const p of problems) {
    if (p.skipped.length === 0 && p.kind === "gap" && !said.has(p.message)) {
      said.add(p.message);
      log.warning(`--allow-gaps: ${p.message}`);
    }
    for (const f of p.skipped) {
      if (said.has(f)) continue;
      said.add(f);
      log.warning(`--allow-gaps: skipped ${f}: ${p.message.startsWith(`${f}: `) ? p.message.slice(f.length + 2) : p.message}`);
    }
  }
}
