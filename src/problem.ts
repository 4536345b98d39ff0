/**
 * `parareal/problem`: what a problem module needs, and nothing else (the whole package loads much
 * more, and every worker thread imports the module): defineProblem, declareProblem, their types.
 */
export { defineProblem, type ProblemDefinition, type Params } from "./models/problem-entry.js";
export type { Problem } from "./ode/problem.js";
export type { MethodName } from "./ode/methods.js";
export { declareProblem } from "./ode/kernel/kernel.js";
export type { DeclaredRhs, ComponentsRhs, StencilRhs } from "./ode/kernel/declared.js";
