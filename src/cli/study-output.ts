/**
 * The output of `parareal study`: one run directory per damping ratio (or method) inside --output,
 * each claimed as `run` claims its own (a lock, no symbolic links, no system directory, no earlier
 * run overwritten without --force), all before the first job, and given back when the study ends.
 */
import { lstatSync, rmdirSync } from "node:fs";
import { resolve } from "node:path";
import type { RunConfig } from "../config/run-config.js";
import { UsageError } from "../errors.js";
import { rootProblem } from "../jobs/confine.js";
import { checkExecutorFlags } from "./executor-factory.js";
import { checkOutputPath, claimOutput, prepareOutput, type Lock } from "./output-dir.js";
import type { ExecutorFlags } from "./run-options.js";

/** The study's own directory: given, and no system directory; checked before any run is resolved. */
export function checkStudyOutput(output: string): void {
  checkOutputPath(output);
  const why = rootProblem(resolve(output));
  if (why) throw new UsageError(`--output ${why}: give a directory of its own`);
}

/** Two values that name one directory (0.1 and 0.10) would write one run over the other. */
export function refuseSameDirectory(option: string, values: readonly { value: string; dir: string }[]): void {
  const seen = new Map<string, string>();
  for (const { value, dir } of values) {
    const before = seen.get(dir);
    if (before !== undefined) throw new UsageError(`${option}: ${before} and ${value} are one value (both would write ${dir}); give each once`);
    seen.set(dir, value);
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claim the run directory of every config, or none: on a refusal the locks taken are released and
 * the directories made for them removed again. Returns the release of all of them.
 */
export async function claimStudyRuns(flags: ExecutorFlags & { force?: boolean }, configs: readonly RunConfig[]): Promise<() => void> {
  await checkExecutorFlags(flags, false);
  const locks: Lock[] = [];
  const made: RunConfig["layout"][] = [];
  const release = () => {
    for (const lock of locks.splice(0)) lock.release();
  };
  try {
    for (const config of configs) {
      const { root } = config.layout;
      // the study makes these directories itself: one that is a link was put there by someone else
      if (exists(root) && lstatSync(root).isSymbolicLink()) throw new UsageError(`output directory \`${root}\` is a symbolic link; a study writes only inside its own --output (remove the link)`);
      if (!exists(root)) made.push(config.layout);
      locks.push(claimOutput(config.layout, root, config.parameters, { resume: false, force: flags.force ?? false, canResume: false }).lock);
      prepareOutput(config.layout, root);
    }
  } catch (e) {
    release();
    // the directories this study made, while still empty (rmdir removes nothing else)
    for (const layout of made.reverse()) {
      for (const dir of [layout.reference, layout.parareal, layout.root]) {
        try {
          rmdirSync(dir);
        } catch {
          // not empty, or not made
        }
      }
    }
    throw e;
  }
  return release;
}
