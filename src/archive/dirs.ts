import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir loops forever where mkdir answers
 * ENOENT for a parent that exists (under /proc, for one); this fails with mkdir's error instead.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // another worker made it first
    }
  }
}

/**
 * Remove the entries of `dir` whose names `matches` (a process's own scratch files, named with its
 * pid), trees included; a missing directory holds none.
 */
export function removeEntries(dir: string, matches: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (matches(name)) rmSync(join(dir, name), { recursive: true, force: true });
}
