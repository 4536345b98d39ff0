/** Built-in problems by name, so a solver spec can name its problem and a worker rebuild it. */
import { harmonicOscillator } from "../ode/harmonic.js";
import type { Problem } from "../ode/problem.js";
import { brusselator, heat1d, heatGrid, lorenz, regrid, vanDerPol } from "../ode/problems.js";
import type { MethodName } from "./spec.js";

export interface ProblemSpec {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  /** file URL of a user module whose default export is a problem definition (defineProblem) */
  readonly module?: string;
}

type Params = Readonly<Record<string, number>>;

export interface ProblemEntry {
  readonly description: string;
  readonly defaults: Params;
  build(params: Params): Problem;
  /** the documented initial state, time span and solvers that make a sensible parareal run */
  readonly y0: (params: Params) => number[];
  readonly tEnd: number;
  readonly points: number;
  readonly fine: { readonly method: MethodName; readonly h: number };
  readonly coarse: { readonly method: MethodName };
  /**
   * For problems on a grid: map a state between the grids of two parameter sets, so the coarse
   * solver can run on a coarser grid (the original's c2f and f2c). `--coarse-param n=15` then
   * gives the coarse grid; states travel between jobs on the fine grid.
   */
  readonly regrid?: (y: Float64Array, from: Params, to: Params) => Float64Array;
}

export const problems: Readonly<Record<string, ProblemEntry>> = {
  harmonic: {
    description: "damped harmonic oscillator q'' + 2 zeta omega0 q' + omega0^2 q = 0, state (q, p)",
    defaults: { omega0: 1.0, zeta: 0.5 },
    build: (p) => harmonicOscillator(p.omega0!, p.zeta!),
    y0: () => [1, 0],
    tEnd: 15,
    points: 20,
    fine: { method: "euler", h: 0.01 },
    coarse: { method: "euler" },
  },
  lorenz: {
    description: "Lorenz system x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z",
    defaults: { sigma: 10, rho: 28, beta: 8 / 3 },
    build: (p) => lorenz(p.sigma!, p.rho!, p.beta!),
    y0: () => [1, 1, 1],
    tEnd: 1,
    points: 21,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  vanderpol: {
    description: "Van der Pol oscillator x'' - mu (1 - x^2) x' + x = 0, state (x, x')",
    defaults: { mu: 1 },
    build: (p) => vanDerPol(p.mu!),
    y0: () => [2, 0],
    tEnd: 10,
    points: 41,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  brusselator: {
    description: "Brusselator x' = a + x^2 y - (b + 1) x, y' = b x - x^2 y",
    defaults: { a: 1, b: 3 },
    build: (p) => brusselator(p.a!, p.b!),
    y0: () => [1.5, 3],
    tEnd: 10,
    points: 41,
    fine: { method: "rk4", h: 1e-3 },
    coarse: { method: "rk4" },
  },
  heat1d: {
    description: "heat equation u_t = kappa u_xx on (0, length), u = 0 at the ends, n interior points; u(x, 0) = sin(pi x / length)",
    defaults: { n: 31, kappa: 1, length: 1 },
    build: (p) => heat1d(p.n!, p.kappa!, p.length!),
    y0: (p) => Array.from(heatGrid(p.n!, p.length!), (x) => Math.sin((Math.PI * x) / p.length!)),
    tEnd: 0.1,
    points: 11,
    fine: { method: "backward-euler", h: 1e-3 },
    coarse: { method: "backward-euler" },
    regrid: (u, from, to) => {
      if (from["length"] !== to["length"]) throw new RangeError("heat1d maps only between grids on the same interval (parameter `length`)");
      return regrid(u, to.n!);
    },
  },
};

/** A problem of the user's own, as the default export of a module: `export default defineProblem({...})`. */
export interface ProblemDefinition extends Omit<ProblemEntry, "description"> {
  readonly description?: string;
}

export function defineProblem(definition: ProblemDefinition): ProblemDefinition {
  return definition;
}

const modules = new Map<string, ProblemEntry>();

// once per thread: hooks registered in one thread do not reach worker threads in every Node version
let typescriptHooks = false;
async function allowTypeScript(): Promise<void> {
  if (typescriptHooks) return;
  const { register } = await import("node:module");
  register(new URL("./ts-hooks.js", import.meta.url));
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
  if (!definition || typeof definition.build !== "function" || typeof definition.y0 !== "function" || typeof definition.defaults !== "object") {
    throw new Error(`problem module ${url} must export default defineProblem({ defaults, build, y0, tEnd, points, fine, coarse })`);
  }
  const entry: ProblemEntry = { description: definition.description ?? url, ...definition };
  modules.set(url, entry);
  return entry;
}

export function problemEntry(name: string, module?: string): ProblemEntry {
  if (module !== undefined) {
    const entry = modules.get(module);
    if (!entry) throw new Error(`problem module ${module} is not loaded (await loadProblemModule first)`);
    return entry;
  }
  const entry = Object.hasOwn(problems, name) ? problems[name] : undefined;
  if (!entry) throw new Error(`unknown problem \`${name}\` (known: ${Object.keys(problems).join(", ")}, or a path to a module)`);
  return entry;
}

/** Every parameter of a problem: its defaults overridden by the spec's. */
export function problemParams(spec: ProblemSpec): Params {
  const entry = problemEntry(spec.name, spec.module);
  for (const key of Object.keys(spec.params)) {
    if (!(key in entry.defaults)) throw new Error(`problem \`${spec.name}\` has no parameter \`${key}\``);
  }
  return { ...entry.defaults, ...spec.params };
}

export function buildProblem(spec: ProblemSpec): Problem {
  return problemEntry(spec.name, spec.module).build(problemParams(spec));
}
