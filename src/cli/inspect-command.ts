/** `parareal inspect DIR`: what a run directory holds, and everything combine and plot would find wrong in it. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkFineDirectory, iterateOf, iterationHoles, iterationsOf, type Finding } from "../archive/fine-check.js";
import { windowDirs } from "../archive/windows-layout.js";
import { loadHdf5 } from "../archive/hdf5.js";
import { REFERENCE_DIR, PARAREAL_DIR } from "../archive/layout.js";
import type { RunRecord } from "../archive/run-record.js";
import { oneLine, shownValue } from "../shown.js";
import { UsageError } from "../errors.js";
import { recordedIterations, runAt, type RunContext } from "./run-directory.js";

interface Part {
  readonly dir: string;
  readonly files: number;
  /** iteration -> readable files of it */
  readonly iterations: Record<string, number>;
  readonly corrupt: { file: string; reason: string }[];
  /** inconsistencies combine and plot refuse: names, attributes, duplicates, gaps, overlaps, data */
  readonly problems: string[];
  readonly missing: string[];
  /** not errors: work cancelled on convergence */
  readonly notes: string[];
}

export interface Inspection {
  readonly dir: string;
  readonly run?: RunRecord;
  /** what is wrong with run.json, if anything */
  readonly runProblems: string[];
  readonly parts: Part[];
}

function inspectPart(dir: string, run: RunContext, reference: boolean, runProblems: string[]): Part {
  const checked = checkFineDirectory(dir, { grid: run.grid });
  const present = iterationsOf(checked);
  const iterations: Record<string, number> = {};
  for (const e of checked.entries) if (e.segment) iterations[e.iteration] = (iterations[e.iteration] ?? 0) + 1;
  let recorded: number | undefined;
  if (!reference) {
    try {
      recorded = recordedIterations(run, dir, present);
    } catch (e) {
      runProblems.push((e as Error).message);
    }
  }
  const last = present.at(-1);
  // the iterate combine and plot take: the converged one, else the last
  const k = reference ? last : (recorded ?? last);
  const findings: Finding[] = [];
  if (k !== undefined) {
    findings.push(...iterateOf(checked, k).problems);
    // files beyond the converged iterate: each on its own, and duplicates among them
    const later = iterateOf({ ...checked, entries: checked.entries.filter((e) => e.iteration > k), grid: undefined }, Number.MAX_SAFE_INTEGER);
    findings.push(...later.problems.filter((f) => f.kind !== "gap" && f.kind !== "overlap" && f.kind !== "stale"));
  }
  const corrupt = findings.filter((f) => f.kind === "unreadable").map((f) => ({ file: f.skipped[0]!, reason: f.message.replace(`${f.skipped[0]}: `, "") }));
  const problems = [...new Set(findings.filter((f) => f.kind !== "unreadable").map((f) => f.message))];
  const holes = new Map(iterationHoles(checked).map((h) => [h.iteration, h]));
  const detail = (j: number) => {
    const h = holes.get(j);
    return h ? ` (${h.first.join(", ")}${h.missing > h.first.length ? ", ..." : ""})` : "";
  };
  const missing: string[] = [];
  const said = new Set<number>();
  const slices = run.record ? run.record.parameters.points - 1 : undefined;
  // parareal's iteration j recomputes slices j..N; MGRIT's V-cycles follow their own plan
  const mgrit = (run.record?.parameters as { method?: unknown } | undefined)?.method === "mgrit";
  if (slices !== undefined && !(mgrit && !reference) && (!reference || run.record?.parameters.reference !== false)) {
    if (reference) {
      if ((iterations[0] ?? 0) < slices) missing.push(`iteration 0: ${slices - (iterations[0] ?? 0)} of ${slices} slices${detail(0)}`);
      said.add(0);
    } else if (recorded !== undefined) {
      // iteration j recomputes slices j..N; bounded by the files present (recordedIterations)
      for (let j = 1; j <= Math.min(recorded, slices); j++) {
        const want = slices - j + 1;
        const have = iterations[j] ?? 0;
        if (have < want) missing.push(`iteration ${j}: ${want - have} of ${want} slices${detail(j)}`);
        said.add(j);
      }
    }
  }
  const notes: string[] = [];
  for (const h of holes.values()) {
    if (said.has(h.iteration)) continue;
    const line = `iteration ${h.iteration}: ${h.missing} of ${h.of} slices from its first one on${detail(h.iteration)}`;
    if (k !== undefined && h.iteration > k) notes.push(`${line} missing, beyond the converged iterate ${k}: work cancelled on convergence`);
    else missing.push(line);
  }
  return { dir, files: checked.entries.length, iterations, corrupt, problems, missing, notes };
}

/** The run as one of its time windows sees it: the window's points and iterations (run.json's `windows`). */
function windowContext(run: RunContext, window: number): RunContext {
  const record = run.record;
  const windows = (record as { windows?: unknown } | undefined)?.windows;
  const w = Array.isArray(windows) ? (windows as { window?: unknown; start?: unknown; end?: unknown; iterations?: unknown }[]).find((x) => x.window === window) : undefined;
  if (!record || !run.grid || typeof w?.start !== "number" || typeof w.end !== "number" || typeof w.iterations !== "number" || !(w.end > w.start)) {
    // a window run.json does not describe (yet): its files alone
    return { root: undefined, record: undefined, grid: undefined };
  }
  return {
    root: run.root,
    record: { ...record, iterations: w.iterations, parameters: { ...record.parameters, points: w.end - w.start + 1 } },
    grid: run.grid.subarray(w.start, w.end + 1),
  };
}

export function inspectRun(dir: string): Inspection {
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
  const runProblems: string[] = [];
  let run: RunContext = { root: undefined, record: undefined, grid: undefined };
  try {
    run = runAt(dir);
  } catch (e) {
    runProblems.push((e as Error).message);
  }
  const parts: Part[] = [];
  for (const [sub, reference] of [[REFERENCE_DIR, true], [PARAREAL_DIR, false]] as const) {
    const path = join(dir, sub);
    if (!existsSync(path)) continue;
    const windows = reference ? [] : windowDirs(path);
    if (windows.length === 0) parts.push(inspectPart(path, run, reference, runProblems));
    // a windowed run: each window is a parareal directory of its own, with its own iterations and points
    for (const w of windows) parts.push(inspectPart(w.dir, windowContext(run, w.window), false, runProblems));
  }
  if (parts.length === 0) parts.push(inspectPart(dir, { root: undefined, record: undefined, grid: undefined }, false, runProblems));
  return { dir, ...(run.record ? { run: run.record } : {}), runProblems, parts };
}

/** Whether anything is wrong: inspect's exit status 1. */
export function inspectionFailed(i: Inspection): boolean {
  return i.runProblems.length > 0 || i.parts.some((p) => p.corrupt.length + p.problems.length + p.missing.length > 0);
}

/** The inspection as the command prints it. */
export function describeInspection(i: Inspection): string {
  const lines: string[] = [`run directory ${i.dir}`];
  if (i.run) {
    const r = i.run;
    // run.json is anyone's text: printed on one line each, escapes and all made harmless
    lines.push(`  status: ${r.status}${r.iterations !== undefined ? `, ${r.iterations} iterations` : ""}; parareal ${oneLine(r.version, 256)}, executor ${oneLine(r.executor, 4096)}`);
    lines.push(`  started ${r.started}${r.finished ? `, finished ${r.finished}` : ""}`);
    lines.push(`  parameters: ${shownValue(r.parameters, 8192)}`);
    if (r.error) lines.push(`  error: ${oneLine(r.error, 8192)}`);
  } else {
    lines.push("  no run.json: not a run directory, or written by another program");
  }
  for (const r of i.runProblems) lines.push(`  problem: ${r}`);
  for (const p of i.parts) {
    const its = Object.entries(p.iterations).map(([k, n]) => `${k}: ${n}`);
    lines.push(`${p.dir}: ${p.files} files; slices per iteration: ${its.length ? its.join(", ") : "none"}`);
    for (const m of p.missing) lines.push(`  missing: ${m}`);
    for (const c of p.corrupt) lines.push(`  corrupt: ${c.file}: ${c.reason}`);
    for (const c of p.problems) lines.push(`  problem: ${c}`);
    for (const n of p.notes) lines.push(`  note: ${n}`);
    if (p.files > 0 && p.corrupt.length + p.problems.length + p.missing.length === 0) {
      lines.push("  consistent: every file readable, named as its attributes say, finite; no duplicate, gap or overlap");
    }
  }
  return lines.join("\n");
}


/** `parareal inspect DIR`: the inspection printed; exit 1 when something is wrong. */
export async function inspectAction(dir: string, flags: { json: boolean }): Promise<void> {
      await loadHdf5();
      const result = inspectRun(dir);
      process.stdout.write((flags.json ? JSON.stringify(result) : describeInspection(result)) + "\n");
      // a directory with broken files is worth a non-zero exit for scripts
      if (inspectionFailed(result)) process.exitCode = 1;
}
