/** `parareal combine DIR`: one trajectory from a directory of fine files, as CSV or HDF5. */
import { writeFileAtomic } from "../archive/atomic.js";
import { dirname, extname } from "node:path";
import { Command, Option } from "commander";
import { loadHdf5, writeHdf5 } from "../archive/hdf5.js";
import { readRunRecord } from "../archive/run-record.js";
import { combineSegments, filesOfIterate, iterationsPresent, listFineFiles, readSegment, type Trajectory } from "../archive/trajectory.js";
import { log } from "../log.js";
import { UsageError } from "../errors.js";
import { integerAtLeast } from "./parse.js";

interface CombineFlags {
  iteration?: number;
  output?: string;
  openfoam?: string;
}

export function addCombineCommand(program: Command): void {
  program
    .command("combine")
    .description(
      "Join the fine files of a directory (output/euler, output/parareal) into one trajectory, as the original's " +
        "combine_fine_data: the first file whole, then each next one without its first row. For parareal, the " +
        "trajectory of one iterate, slices it did not recompute taken from the iteration that last did.",
    )
    .argument("<dir>", "directory of fine files")
    .addOption(new Option("--iteration <k>", "iterate to combine (default: the converged one, from run.json; else the last)").argParser(integerAtLeast(0)))
    .option("-o, --output <file>", "write FILE.h5 (datasets t and data) or FILE.csv; default: CSV on stdout")
    .option("--openfoam <dir>", "of an OpenFOAM run: write the trajectory as the OpenFOAM case DIR, one time directory per written step (ParaView opens DIR/DIR.foam)")
    .action(async (dir: string, flags: CombineFlags) => {
      await combine(dir, flags);
    });
}

/** The iterate a directory's trajectory means by default: the converged one, per run.json. */
function defaultIteration(dir: string, present: number[], slices: number): number {
  const last = present.at(-1)!;
  if (present.length === 1) return last;
  const record = readRunRecord(dirname(dir.replace(/\/+$/, "")));
  if (record?.iterations !== undefined && record.iterations <= last) return record.iterations;
  // iterate N+1 of N slices recomputes nothing (an OpenFOAM run's last correction): it is iterate N
  if (record?.iterations === slices + 1 && last === slices) return last;
  log.warning(`no run.json with an iteration count beside ${dir}: combining the last iteration present (${last})`);
  return last;
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

export async function combine(dir: string, flags: CombineFlags): Promise<void> {
  if (flags.openfoam !== undefined && flags.output !== undefined) throw new UsageError("-o and --openfoam: give one of them");
  const format = flags.output === undefined ? "csv" : extname(flags.output).toLowerCase();
  if (![".h5", ".hdf5", ".csv", "csv"].includes(format)) throw new UsageError(`-o \`${flags.output}\`: give a file ending in .h5, .hdf5 or .csv`);
  await loadHdf5();
  let trajectory: Trajectory;
  try {
    const files = listFineFiles(dir);
    if (files.length === 0) throw new Error(`no fine files (name-NNNN-T0-T1.h5) in ${dir}`);
    const present = iterationsPresent(files);
    const k = flags.iteration ?? defaultIteration(dir, present, filesOfIterate(files, present.at(-1)!).length);
    if (k < present[0]!) throw new Error(`iteration ${k} is not in ${dir} (iterations present: ${present[0]} to ${present.at(-1)})`);
    trajectory = combineSegments(filesOfIterate(files, k).map(readSegment));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (flags.openfoam !== undefined) return (await import("./combine-openfoam.js")).combineIntoCase(dir, trajectory, flags.openfoam);
  if (format === "csv") {
    process.stdout.write(toCsv(trajectory));
    return;
  }
  const out = flags.output!;
  if (format === ".csv") {
    writeFileAtomic(out, toCsv(trajectory));
  } else {
    writeHdf5(out, [
      { name: "t", data: trajectory.t, shape: [trajectory.t.length] },
      { name: "data", data: trajectory.data, shape: [trajectory.t.length, trajectory.dim] },
    ]);
  }
  log.info(`combined ${trajectory.files.length} files into ${out}`);
}
