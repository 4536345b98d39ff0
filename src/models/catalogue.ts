/** Every problem a spec can name: the built-in ones, and user modules already imported. */
import type { Problem } from "../ode/problem.js";
import { problems } from "./builtin.js";
import type { Params, ProblemEntry, ProblemSpec } from "./problem-entry.js";
import { loadedModule } from "./user-module.js";

export function problemEntry(name: string, module?: string): ProblemEntry {
  if (module !== undefined) {
    const entry = loadedModule(module);
    if (!entry) throw new Error(`problem module ${module} is not loaded (await loadProblemModule first)`);
    return entry;
  }
  const entry = Object.hasOwn(problems, name) ? problems[name] : undefined;
  if (!entry) throw new Error(`unknown problem \`${name}\` (known: ${Object.keys(problems).join(", ")}, or a path to a module)`);
  return entry;
}

/** Whether `key` is a parameter of the problem: its own defaults only, never the prototype chain. */
export function hasParameter(entry: ProblemEntry, key: string): boolean {
  return Object.hasOwn(entry.defaults, key);
}

/** Every parameter of a problem: its defaults overridden by the spec's. */
export function problemParams(spec: ProblemSpec): Params {
  const entry = problemEntry(spec.name, spec.module);
  for (const key of Object.keys(spec.params)) {
    if (!hasParameter(entry, key)) throw new Error(`problem \`${spec.name}\` has no parameter \`${key}\``);
  }
  return { ...entry.defaults, ...spec.params };
}

export function buildProblem(spec: ProblemSpec): Problem {
  return problemEntry(spec.name, spec.module).build(problemParams(spec));
}
