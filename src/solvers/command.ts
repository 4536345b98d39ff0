/**
 * Black-box solvers: an external program (a simulator, a script) run through a command template.
 * The state goes in and out as HDF5 files in the archive, dataset `data`: `{in}` holds the state
 * (one row), the program writes `{out}` (the state, or its whole trajectory with the state last).
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { removeEntries } from "../archive/dirs.js";
import { fineFilename } from "../archive/filename.js";

export interface CommandSpec {
  readonly template: string;
  /** directory for the `{in}` files (and `{out}` of a coarse solver): `<output>/io` */
  readonly workdir: string;
}

/** Unique names for the files of one job, so jobs of every process can share a directory (which must exist). */
export function ioNames(spec: CommandSpec, kind: "coarse" | "fine", iteration: number, t0: number, t1: number): { input: string; output: string } {
  const stem = join(spec.workdir, `${fineFilename(kind, iteration, t0, t1).slice(0, -3)}-${process.pid}-${randomBytes(4).toString("hex")}`);
  return { input: `${stem}-in.h5`, output: `${stem}-out.h5` };
}

/** Remove the exchange files ({in}, {out}) this process left in `workdir` (named with its pid). */
export function removeOwnExchangeFiles(workdir: string): void {
  const mine = `-${process.pid}-`;
  removeEntries(workdir, (name) => name.includes(mine) && /-(in|out)\.h5(\.[0-9a-f]+\.tmp)?$/.test(name));
}

export function removeQuietly(...paths: string[]): void {
  for (const p of paths) rmSync(p, { force: true });
}
