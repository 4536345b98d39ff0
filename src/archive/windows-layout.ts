/**
 * Where a windowed run (--window) keeps its fine files: one directory per time window under the
 * run's parareal directory, window-0001, window-0002, ... (numbered from 1, in time order), each
 * laid out as an unwindowed run's parareal directory (iterations counted within the window).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { zeroPad } from "./filename.js";

const WINDOW_NAME = /^window-(\d{4,})$/;

/** The directory name of window w (1-based): window-0001, window-0002, ... */
export function windowDirName(w: number): string {
  return `window-${zeroPad(w, 4)}`;
}

export interface WindowDir {
  readonly window: number;
  readonly dir: string;
}

/** The window directories under a parareal directory, in window order (none for an unwindowed run). */
export function windowDirs(pararealDir: string): WindowDir[] {
  let names: string[];
  try {
    names = readdirSync(pararealDir);
  } catch {
    return [];
  }
  const out: WindowDir[] = [];
  for (const name of names) {
    const m = WINDOW_NAME.exec(name);
    const dir = join(pararealDir, name);
    if (m && statSync(dir).isDirectory()) out.push({ window: Number(m[1]), dir });
  }
  return out.sort((a, b) => a.window - b.window);
}
