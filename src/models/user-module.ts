/**
 * Problems of the user's own: a module whose default export is `defineProblem({...})`, imported
 * once per thread by file URL (TypeScript modules through a transpiling module hook).
 */
import type { ProblemDefinition, ProblemEntry } from "./problem-entry.js";

const modules = new Map<string, ProblemEntry>();

// once per thread: hooks registered in one thread do not reach worker threads in every Node version
let typescriptHooks = false;
async function allowTypeScript(): Promise<void> {
  if (typescriptHooks) return;
  const { register } = await import("node:module");
  // from models/ itself or from the worker threads' bundle in jobs/: the same file
  register(new URL("../models/ts-hooks.js", import.meta.url));
  typescriptHooks = true;
}

/** Import a problem module (once per thread); the spec names it by file URL. */
export async function loadProblemModule(url: string): Promise<ProblemEntry> {
  const known = modules.get(url);
  if (known) return known;
  let definition: ProblemDefinition;
  try {
    if (/\.m?ts$/.test(url)) await allowTypeScript();
    definition = ((await import(url)) as { default: ProblemDefinition }).default;
  } catch (e) {
    throw new Error(`cannot load problem module ${url}: ${(e as Error).message}`);
  }
  if (!definition || typeof definition.build !== "function" || typeof definition.y0 !== "function" || typeof definition.defaults !== "object" || definition.defaults === null) {
    throw new Error(`problem module ${url} must export default defineProblem({ defaults, build, y0, tEnd, points, fine, coarse })`);
  }
  const entry: ProblemEntry = { description: definition.description ?? url, ...definition };
  modules.set(url, entry);
  return entry;
}

/** A module imported before in this thread, or undefined. */
export function loadedModule(url: string): ProblemEntry | undefined {
  return modules.get(url);
}
