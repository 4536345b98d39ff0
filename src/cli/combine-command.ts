/** `parareal combine DIR`: one trajectory from a directory of fine files, as CSV or HDF5, checked first. */
import { writeFileAtomic } from "../archive/atomic.js";
import { basename, dirname, extname, resolve } from "node:path";
import { checkFineDirectory, iterateOf, summarize, warnSkipped } from "../archive/fine-check.js";
import { loadHdf5, writeHdf5 } from "../archive/hdf5.js";
import { readRunRecord } from "../archive/run-record.js";
import { combineSegments, type Segment, type Trajectory } from "../archive/trajectory.js";
import { windowDirs } from "../archive/windows-layout.js";
import { log } from "../log.js";
import { UsageError } from "../errors.js";
import { checkOutputFile, writingOutput } from "./output-file.js";
import { defaultIteration, fineIterationsIn, runOf } from "./run-directory.js";

export interface CombineFlags {
  iteration?: number;
  output?: string;
  allowGaps?: boolean;
  openfoam?: string;
}


/**
 * A windowed run's parareal directory: each window's iterate as run.json records it (or its last
 * present), checked like any iterate, joined: the windows tile the time span.
 */
function windowedSegments(dir: string, flags: { iteration?: number | undefined; allowGaps?: boolean | undefined }): Segment[] {
  if (flags.iteration !== undefined) throw new UsageError(`--iteration: ${dir} holds time windows (window-NNNN), each with its own iterations; give one window's directory to combine one of its iterates`);
  const record = readRunRecord(dirname(dir.replace(/\/+$/, "")));
  const windows = (record?.windows ?? []) as readonly { window?: unknown; iterations?: unknown }[];
  let end = 0;
  return windowDirs(dir).flatMap(({ window, dir: wdir }) => {
    const recorded = windows.find((x) => x.window === window)?.iterations;
    const present = fineIterationsIn(wdir);
    const k = typeof recorded === "number" ? recorded : present.at(-1);
    if (k === undefined) throw new Error(`${wdir}: no fine files`);
    const iterate = iterateOf(checkFineDirectory(wdir, { upTo: k }), k);
    if (iterate.problems.length > 0) {
      if (!flags.allowGaps) throw new Error(`${summarize(iterate.problems)}; give --allow-gaps to leave such files out`);
      warnSkipped(iterate.problems);
    }
    // the windows tile the run's span in turn: the first from t = 0, each from where the last ended
    const first = iterate.segments[0];
    if (first && first.t0 !== end) unconnected(`${wdir} starts at t = ${first.t0}, but ${window === 1 ? "the run starts at t = 0" : `the window before ends at t = ${end}`}`, flags);
    end = iterate.segments.at(-1)?.t1 ?? end;
    return iterate.segments;
  });
}

/** Slices that do not join up: refused, or under --allow-gaps combined with a warning. */
function unconnected(message: string, flags: { allowGaps?: boolean | undefined }): void {
  if (!flags.allowGaps) throw new Error(`${message}: the files of that span are missing; give --allow-gaps to combine the slices anyway`);
  log.warning(`--allow-gaps: ${message}`);
}

export function toCsv(tr: Trajectory): string {
  const header = ["t", ...Array.from({ length: tr.dim }, (_, j) => `y${j}`)].join(",");
  const lines = [header];
  for (let i = 0; i < tr.t.length; i++) {
    const row = [tr.t[i]!];
    for (let j = 0; j < tr.dim; j++) row.push(tr.data[i * tr.dim + j]!);
    lines.push(row.join(","));
  }
  return lines.join("\n") + "\n";
}

/** The trajectory of iterate `flags.iteration` (default: run.json's, else the last) of `dir`, checked. */
export function combineDirectory(dir: string, flags: { iteration?: number | undefined; allowGaps?: boolean | undefined }): Trajectory {
  const run = runOf(dir);
  const names = fineIterationsIn(dir);
  if (names.length === 0) throw new UsageError(`no fine files (name-NNNN-T0-T1.h5) in ${dir}`);
  const k = flags.iteration ?? defaultIteration(dir, names, run, (m) => log.warning(m));
  if (k < names[0]!) throw new UsageError(`iteration ${k} is not in ${dir} (iterations present: ${names[0]} to ${names.at(-1)})`);
  const checked = checkFineDirectory(dir, { grid: run.grid, upTo: k });
  const iterate = iterateOf(checked, k);
  if (iterate.problems.length > 0) {
    if (!flags.allowGaps) throw new Error(`${summarize(iterate.problems)}; give --allow-gaps to leave such files out`);
    warnSkipped(iterate.problems);
  }
  if (iterate.segments.length === 0) throw new Error(`no consistent fine files of iterate ${k} in ${dir}`);
  // without run.json's grid, only the start is known: every run starts at t = 0 (a window's
  // directory starts where its window does)
  const start = iterate.segments.reduce((m, s) => Math.min(m, s.t0), Number.POSITIVE_INFINITY);
  if (!run.grid && start !== 0 && !/^window-\d{4,}$/.test(basename(resolve(dir)))) unconnected(`the fine files of ${dir} start at t = ${start}, but a run starts at t = 0 (no run.json beside it gives the run's span)`, flags);
  return combineSegments(iterate.segments);
}

export async function combine(dir: string, flags: CombineFlags): Promise<void> {
  if (flags.openfoam !== undefined && flags.output !== undefined) throw new UsageError("-o and --openfoam: give one of them");
  const format = flags.output === undefined ? "csv" : extname(flags.output).toLowerCase();
  if (![".h5", ".hdf5", ".csv", "csv"].includes(format)) throw new UsageError(`-o \`${flags.output}\`: give a file ending in .h5, .hdf5 or .csv`);
  if (flags.output !== undefined) checkOutputFile(flags.output, "-o");
  await loadHdf5();
  const trajectory = fineIterationsIn(dir).length === 0 && windowDirs(dir).length > 0 ? combineSegments(windowedSegments(dir, flags)) : combineDirectory(dir, flags);
  if (flags.openfoam !== undefined) return (await import("./combine-openfoam.js")).combineIntoCase(dir, trajectory, flags.openfoam);
  if (format === "csv") {
    process.stdout.write(toCsv(trajectory));
    return;
  }
  const out = flags.output!;
  writingOutput(out, () => {
    if (format === ".csv") writeFileAtomic(out, toCsv(trajectory));
    else {
      writeHdf5(out, [
        { name: "t", data: trajectory.t, shape: [trajectory.t.length] },
        { name: "data", data: trajectory.data, shape: [trajectory.t.length, trajectory.dim] },
      ]);
    }
  });
  log.info(`combined ${trajectory.files.length} files into ${out}`);
}
