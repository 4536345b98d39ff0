/**
 * Problems of the user's own: a module whose default export is `defineProblem({...})`, imported
 * once per thread by file URL (TypeScript modules through a transpiling module hook).
 */
import { oneLine } from "../shown.js";
import { checkDefinition } from "./module-schema.js";
import type { ProblemEntry } from "./problem-entry.js";

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
  let exported: unknown;
  try {
    if (/\.m?ts$/.test(url)) await allowTypeScript();
    exported = ((await import(url)) as { default?: unknown }).default;
  } catch (e) {
    throw new Error(`cannot load problem module ${url}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const definition = checkDefinition(exported, url);
  const entry: ProblemEntry = { description: definition.description ?? url, ...definition };
  modules.set(url, entry);
  return entry;
}

/** A module imported before in this thread, or undefined. */
export function loadedModule(url: string): ProblemEntry | undefined {
  return modules.get(url);
}
