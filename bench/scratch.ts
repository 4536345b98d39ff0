/** Temporary directories of the bench: removed when done with, and in any case when the process exits. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const live = new Set<string>();
process.on("exit", () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(prefix = "run"): string {
  const dir = mkdtempSync(join(tmpdir(), `parareal-bench-${prefix}-`));
  live.add(dir);
  return dir;
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}
