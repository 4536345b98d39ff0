/**
 * The file an `-o` option names is checked before any work: its directory must be there (and be a
 * directory we may write in), so a typo fails at once, exit 2, naming the option, not after a
 * whole study with a raw ENOENT of a temporary name.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";

export function checkOutputFile(path: string, option: string): void {
  if (path.trim() === "") throw new UsageError(`${option} \`\`: give a file name`);
  const dir = dirname(resolve(path));
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} \`${path}\`: ${code === "ENOENT" ? `no directory ${dir} to write it in` : `cannot reach ${dir} (${code ?? (e as Error).message})`}`);
  }
  if (!isDir) throw new UsageError(`${option} \`${path}\`: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${option} \`${path}\`: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let target: boolean;
  try {
    target = statSync(path).isDirectory();
  } catch {
    target = false; // not there yet: it is made
  }
  if (target) throw new UsageError(`${option} \`${path}\`: a directory; give a file name`);
}

/** Run `write` (which writes `path`); an error names the file, not a temporary name beside it. */
export function writingOutput(path: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot write ${path}: ${code === "ENOSPC" ? "no space left on the device" : (code ?? (e as Error).message)}`);
  }
}
