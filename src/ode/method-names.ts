/** The integration methods by name (the factory is methods.ts): cheap to import for option lists. */

export type MethodName = "euler" | "rk4" | "dopri5" | "backward-euler";

export const METHODS: readonly MethodName[] = ["euler", "rk4", "dopri5", "backward-euler"];

/** the method of the original's fine and coarse solvers, and ours when a problem names none */
export const DEFAULT_METHOD: MethodName = "euler";

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === "string" && (METHODS as readonly string[]).includes(x);
}
