/**
 * Issue 15, target 7: `--help` and subcommands import only what they need (before: `parareal
 * --help` 0.19 s against 0.11 s for bare Node). Whole process, against `node -e 0`; the target
 * here is bare Node plus 50 ms (commander and one command's own modules), judged on the medians.
 */
import { median, minimum } from "../stats.js";
import { timeCommand, succeeded, type Timed } from "../process.js";
import { pararealArgv } from "../parareal-cli.js";
import { rowsTable, type Row, type Table } from "../table.js";

const REPS = 7;
const ALLOWANCE_S = 0.05;

async function timed(argv: readonly string[]): Promise<Timed[]> {
  const runs: Timed[] = [];
  await timeCommand(argv); // the files in the page cache
  for (let i = 0; i < REPS; i++) runs.push(succeeded(await timeCommand(argv), argv.join(" ")));
  return runs;
}

export async function run(): Promise<Table[]> {
  const node = await timed([process.execPath, "-e", "0"]);
  const base = median(node.map((r) => r.seconds));
  const describe = (runs: readonly Timed[]) => `min ${minimum(runs.map((r) => r.seconds)).toFixed(3)} s, CPU ${median(runs.map((r) => r.cpuSeconds)).toFixed(3)} s, peak RSS ${median(runs.map((r) => r.peakRssMiB)).toFixed(0)} MiB`;
  const rows: Row[] = [{ what: `\`node -e 0\` (bare Node), whole process (median of ${REPS})`, value: base, unit: "s", note: describe(node) }];
  for (const args of [["--help"], ["run", "--help"], ["combine", "--help"]]) {
    const runs = await timed(pararealArgv(args));
    const seconds = median(runs.map((r) => r.seconds));
    rows.push({
      what: `\`parareal ${args.join(" ")}\`, whole process (median of ${REPS})`,
      value: seconds,
      unit: "s",
      target: base + ALLOWANCE_S,
      targetText: `<= ${(base + ALLOWANCE_S).toFixed(3)} s (node + 50 ms)`,
      note: `node + ${((seconds - base) * 1000).toFixed(0)} ms; ${describe(runs)}`,
    });
  }
  return [rowsTable("Start-up of the command (issue 15, target 7)", rows)];
}
