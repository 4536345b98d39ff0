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

/** What a template may name; the rest of it is passed to /bin/sh as written. */
export const PLACEHOLDERS = ["in", "out", "t0", "t1", "iter", "h"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export interface CommandSpec {
  readonly template: string;
  /** directory for the `{in}` files (and `{out}` of a coarse solver): `<output>/io` */
  readonly workdir: string;
}

/** Why a template cannot work, or undefined: every `{name}` known, and `{in}`, `{out}` present. */
export function templateProblem(template: string): string | undefined {
  for (const [, name] of template.matchAll(/\{([^{}\s]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name!)) return `unknown placeholder {${name}} (allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`;
  }
  for (const needed of ["{in}", "{out}"]) if (!template.includes(needed)) return `the template must contain ${needed}`;
  return undefined;
}

/** POSIX shell quoting: one word, whatever the path holds. */
function quote(text: string): string {
  return /^[\w./:=+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

export function expandTemplate(template: string, values: Readonly<Record<Placeholder, string | number>>): string {
  return template.replace(/\{(in|out|t0|t1|iter|h)\}/g, (_, name: Placeholder) => {
    const v = values[name];
    // numbers as the shortest text that reads back to the same double
    return typeof v === "number" ? String(v) : quote(v);
  });
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
