/**
 * `parareal study --methods parareal,mgrit/F,mgrit/FCF,mgrit/FCF/3`: the methods on one problem,
 * side by side, on one shared executor: iterations to converge, fine work, the critical path and
 * the speedup it projects, and (with -o) the convergence of each, iteration by iteration.
 *
 * All run on the same time points: parareal's slices are MGRIT's finest intervals. The projected
 * speedup is the serial fine solve's time over the critical path's, in fine jobs (N slices over
 * the longest chain of dependent fine jobs): what unboundedly many workers would give, with the
 * coarse solves taken as free.
 */
import { join, resolve } from "node:path";
import { resolveRunConfig, type RunInput } from "../config/run-config.js";
import type { MethodSpec } from "./method-list.js";
export { parseMethods, type MethodSpec } from "./method-list.js";
import { log } from "../log.js";
import { segmentMethod } from "../mgrit/run-method.js";
import { runParareal } from "../parareal/driver.js";
import { openExecutor } from "./executor-factory.js";
import { criteriaText } from "./iteration-table.js";
import { claimStudyRuns, refuseSameDirectory } from "./study-output.js";
import type { ExecutorFlags } from "./run-options.js";

/** A method to compare: parareal, or MGRIT with its relaxation and levels. */


export interface MethodRow {
  readonly method: string;
  readonly iterations: number;
  readonly converged: boolean;
  readonly fineJobs: number;
  /** fine jobs on the longest dependent chain behind the result */
  readonly fineCriticalPath: number;
  /** slices / fineCriticalPath: unboundedly many workers, coarse solves free */
  readonly speedupBound: number;
  readonly coarseJobs: number;
  readonly maxdif: number[];
  readonly residual?: number[];
  readonly wallSeconds: number;
}

/** The run of one method: the study's common input with the method's settings; files in DIR/<label>. */
function inputFor(base: Omit<RunInput, "output">, output: string, m: MethodSpec, coarsening: number | undefined): RunInput {
  const dir = join(output, m.label.replaceAll("/", "-"));
  if (m.method === "parareal") return { ...base, output: dir };
  return { ...base, output: dir, method: "mgrit", mgrit: { relax: m.relax ?? "FCF", levels: m.levels ?? 2, ...(coarsening === undefined ? {} : { coarsening }) } };
}

/** Run every method in turn on one executor; rows in the order given. */
export async function compareMethods(flags: ExecutorFlags & { force?: boolean }, base: Omit<RunInput, "output">, methods: readonly MethodSpec[], coarsening: number | undefined): Promise<MethodRow[]> {
  refuseSameDirectory("--methods", methods.map((m) => ({ value: m.label, dir: m.label.replaceAll("/", "-") })));
  const configs = [];
  for (const m of methods) {
    const config = await resolveRunConfig(inputFor(base, flags.output, m, coarsening));
    configs.push({ m, config });
  }
  const modules = configs[0]?.config.modules ?? [];
  const release = await claimStudyRuns(flags, configs.map((c) => c.config));
  let executor: Awaited<ReturnType<typeof openExecutor>>;
  try {
    executor = await openExecutor(flags, { root: resolve(flags.output), modules });
  } catch (e) {
    release();
    throw e;
  }
  const rows: MethodRow[] = [];
  try {
    for (const { m, config } of configs) {
      const r = await runParareal(config, executor, {}, segmentMethod(config));
      log.info(`${m.label}: ${r.iterations} iterations, converged ${r.converged}, ${r.fineJobs} fine jobs`);
      rows.push({
        method: m.label,
        iterations: r.iterations,
        converged: r.converged,
        fineJobs: r.fineJobs,
        fineCriticalPath: r.fineCriticalPath,
        speedupBound: (r.t.length - 1) / Math.max(1, r.fineCriticalPath),
        coarseJobs: r.coarseJobs,
        maxdif: r.maxdif,
        ...(r.residual ? { residual: r.residual } : {}),
        wallSeconds: r.wallSeconds,
      });
    }
  } finally {
    await executor.close();
    release();
  }
  return rows;
}

export function formatMethods(rows: readonly MethodRow[], problem: string, slices: number, criteria: Parameters<typeof criteriaText>[0]): string {
  const head = ["method", "iterations", "converged", "fine jobs", "critical path", "speedup bound", "last measure", "wall s"];
  const table = [head];
  for (const r of rows) {
    const last = r.residual ? `${r.residual.at(-1)?.toExponential(2)} (residual)` : r.maxdif.length > 0 ? `${r.maxdif.at(-1)!.toExponential(2)} (maxdif)` : "-";
    table.push([r.method, String(r.iterations), r.converged ? "yes" : "no", String(r.fineJobs), String(r.fineCriticalPath), r.speedupBound.toFixed(2), last, r.wallSeconds.toFixed(3)]);
  }
  const widths = head.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = [`methods on ${problem}, ${slices} slices, until ${criteriaText(criteria)} (MGRIT: its residual):`];
  for (const row of table) lines.push("  " + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
  lines.push("critical path: fine jobs in a row behind the result; speedup bound: slices / critical path (unboundedly many workers, coarse solves taken as free)");
  return lines.join("\n");
}
