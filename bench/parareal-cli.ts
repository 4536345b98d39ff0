/** The built `parareal` command as a whole process: a run into a fresh directory, timed, with its run.json. */
import { fileURLToPath } from "node:url";
import { readRunRecord, type RunRecord } from "../src/archive/run-record.js";
import { timeCommand, succeeded, type Timed, type TimeOptions } from "./process.js";
import { removeScratch, scratchDir } from "./scratch.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPath = fileURLToPath(new URL("../src/cli/bin.js", import.meta.url));

/** argv of `parareal ARGS` */
export function pararealArgv(args: readonly string[]): string[] {
  return [process.execPath, cliPath, ...args];
}

export interface TimedRun {
  readonly timed: Timed;
  /** the run's --output (already removed unless `keep`) */
  readonly output: string;
  readonly record: RunRecord;
}

/** `parareal run ARGS --output <fresh directory>`, timed as a whole process; fails loudly if the run does. */
export async function timeRun(args: readonly string[], options: TimeOptions & { keep?: boolean } = {}): Promise<TimedRun> {
  const output = scratchDir("run");
  try {
    const timed = succeeded(await timeCommand(pararealArgv(["run", "--output", output, ...args]), { timeoutMs: 600_000, ...options }), `parareal run ${args.join(" ")}`);
    const record = readRunRecord(output);
    if (record === undefined) throw new Error(`parareal run ${args.join(" ")} left no run.json`);
    return { timed, output, record };
  } finally {
    if (options.keep !== true) removeScratch(output);
  }
}

/** `reps` runs of the same command, one after the other. */
export async function timeRuns(args: readonly string[], reps: number, options: TimeOptions & { keep?: boolean } = {}): Promise<TimedRun[]> {
  const runs: TimedRun[] = [];
  for (let i = 0; i < reps; i++) runs.push(await timeRun(args, options));
  return runs;
}
