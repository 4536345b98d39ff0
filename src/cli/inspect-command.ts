/** `parareal inspect DIR`: what a run directory holds, and what is missing or broken in it. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { loadHdf5 } from "../archive/hdf5.js";
import { readRunRecord, type RunRecord } from "../archive/run-record.js";
import { listFineFiles, readSegment, type FineFile } from "../archive/trajectory.js";
import { UsageError } from "../errors.js";

interface Part {
  readonly dir: string;
  readonly files: number;
  /** iteration -> slices (by t0 in ms, from the name) present */
  readonly iterations: Record<number, number>;
  readonly corrupt: { file: string; reason: string }[];
  readonly missing: string[];
}

export interface Inspection {
  readonly dir: string;
  readonly run?: RunRecord;
  readonly parts: Part[];
}

function inspectPart(dir: string, expectSlices: number | undefined, lastIteration: number | undefined, reference: boolean): Part {
  const files = listFineFiles(dir);
  const iterations: Record<number, number> = {};
  const corrupt: Part["corrupt"] = [];
  const ok: FineFile[] = [];
  for (const f of files) {
    try {
      readSegment(f);
      ok.push(f);
      iterations[f.iteration] = (iterations[f.iteration] ?? 0) + 1;
    } catch (e) {
      corrupt.push({ file: f.path, reason: (e as Error).message.replace(`${f.path}: `, "") });
    }
  }
  const missing: string[] = [];
  if (expectSlices !== undefined) {
    if (reference) {
      if ((iterations[0] ?? 0) < expectSlices) missing.push(`iteration 0: ${expectSlices - (iterations[0] ?? 0)} of ${expectSlices} slices`);
    } else if (lastIteration !== undefined) {
      // iteration k recomputes slices k..N
      for (let k = 1; k <= lastIteration; k++) {
        const want = expectSlices - k + 1;
        const have = iterations[k] ?? 0;
        if (have < want) missing.push(`iteration ${k}: ${want - have} of ${want} slices`);
      }
    }
  }
  return { dir, files: files.length, iterations, corrupt, missing };
}

export function inspectRun(dir: string): Inspection {
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
  const run = readRunRecord(dir);
  const points = typeof run?.parameters.points === "number" ? run.parameters.points : undefined;
  const slices = points === undefined ? undefined : points - 1;
  const parts: Part[] = [];
  for (const [sub, reference] of [["euler", true], ["parareal", false]] as const) {
    const path = join(dir, sub);
    if (existsSync(path)) parts.push(inspectPart(path, reference && run?.parameters.reference === false ? undefined : slices, run?.iterations, reference));
  }
  if (parts.length === 0) parts.push(inspectPart(dir, undefined, undefined, false));
  return { dir, ...(run ? { run } : {}), parts };
}

function describe(i: Inspection): string {
  const lines: string[] = [`run directory ${i.dir}`];
  if (i.run) {
    const r = i.run;
    lines.push(`  status: ${r.status}${r.iterations !== undefined ? `, ${r.iterations} iterations` : ""}; parareal ${r.version}, executor ${r.executor}`);
    lines.push(`  started ${r.started}${r.finished ? `, finished ${r.finished}` : ""}`);
    lines.push(`  parameters: ${JSON.stringify(r.parameters)}`);
    if (r.error) lines.push(`  error: ${r.error}`);
  } else {
    lines.push("  no run.json: not a run directory, or written by another program");
  }
  for (const p of i.parts) {
    const its = Object.entries(p.iterations).map(([k, n]) => `${k}: ${n}`);
    lines.push(`${p.dir}: ${p.files} files; slices per iteration: ${its.length ? its.join(", ") : "none"}`);
    for (const m of p.missing) lines.push(`  missing: ${m}`);
    for (const c of p.corrupt) lines.push(`  corrupt: ${c.file}: ${c.reason}`);
  }
  return lines.join("\n");
}

export function addInspectCommand(program: Command): void {
  program
    .command("inspect")
    .description("Show what a run directory holds: the run's parameters and status, iterations and slices present, missing or corrupt files.")
    .argument("<dir>", "run directory (the --output of parareal run)")
    .option("--json", "print the inspection as JSON", false)
    .action(async (dir: string, flags: { json: boolean }) => {
      await loadHdf5();
      const result = inspectRun(dir);
      process.stdout.write((flags.json ? JSON.stringify(result) : describe(result)) + "\n");
      // a directory with broken files is worth a non-zero exit for scripts
      if (result.parts.some((p) => p.corrupt.length > 0 || p.missing.length > 0)) process.exitCode = 1;
    });
}
