/**
 * Generated kernels: for a problem with a declared right-hand side (declared.ts), one function
 * per (declaration, parameters, method, table mode) runs the whole sub-stepping loop of
 * iterate.ts's `march`, with the state in locals (or scratch arrays for stencils) and no calls
 * per step. Compiled with `new Function` from source we generate (nothing of the declaration's
 * text reaches it but checked names and numbers), once per distinct source per thread.
 */
import type { Dopri5Options } from "../dopri5.js";
import { Interrupted } from "../iterate.js";
import { linspaceAt } from "../linspace.js";
import type { March, Method, Problem, Solution } from "../problem.js";
import { checkDeclared, type DeclaredRhs } from "./declared.js";
import { marchSource, rhsSource, type KernelMethod, type KernelMethodName, type TableMode } from "./generate.js";

/** A generated march; `stats.steps` counts dopri5's trial steps (accepted and rejected) of the last call. */
export interface MarchKernel extends March {
  readonly dim: number;
  readonly stats: { steps: number };
}

type MarchFactory = (at: typeof linspaceAt, interrupted: typeof Interrupted, stats: { steps: number }) => March;
type Rhs = Problem["rhs"];

// keyed by the generated source, which holds the declaration, its parameters and the method
const marchFactories = new Map<string, MarchFactory>();
const rhsFunctions = new Map<string, Rhs>();

/** Distinct kernels compiled in this thread so far (to see that a path uses them). */
export function compiledKernels(): number {
  return marchFactories.size;
}

export const KERNEL_METHODS: readonly KernelMethodName[] = ["euler", "rk4", "dopri5"];

function kernelMethod(name: KernelMethodName, options: Dopri5Options): KernelMethod {
  if (name === "euler" || name === "rk4") return { name };
  if (name === "dopri5") {
    // the defaults of dopri5.ts
    return { name, rtol: options.rtol ?? 1e-6, atol: options.atol ?? 1e-9, h0: options.h0, maxSteps: options.maxSteps ?? 1_000_000 };
  }
  throw new RangeError(`no generated kernel for method \`${String(name)}\` (only ${KERNEL_METHODS.join(", ")})`);
}

/**
 * The generated march of `method` for a declared right-hand side; the table mode is chosen per
 * call (none, every row, every stride-th) and each mode compiled when first used.
 */
export function marchKernel(declared: DeclaredRhs, method: KernelMethodName, options: Dopri5Options = {}): MarchKernel {
  const checked = checkDeclared(declared);
  const m = kernelMethod(method, options);
  const stats = { steps: 0 };
  const variants = new Map<TableMode, March>();
  const variant = (mode: TableMode): March => {
    let march = variants.get(mode);
    if (march === undefined) {
      const source = marchSource(checked, m, mode);
      let factory = marchFactories.get(source);
      if (factory === undefined) {
        factory = new Function("linspaceAt", "Interrupted", "stats", source) as MarchFactory;
        marchFactories.set(source, factory);
      }
      march = factory(linspaceAt, Interrupted, stats);
      variants.set(mode, march);
    }
    return march;
  };
  const march: March = (y, t0, t1, n, stride, table, stop) =>
    variant(table === null ? "none" : stride === 1 ? "every" : "strided")(y, t0, t1, n, stride, table, stop);
  return Object.assign(march, { stats, dim: checked.dim });
}

/**
 * `method` with the generated march attached when `problem` declares its right-hand side and
 * the method has a kernel (euler, rk4, dopri5); otherwise `method` itself. iterate.ts's
 * tabulateSubSteps and iterateSolution then run the kernel; a single step still runs `into`.
 */
export function withKernel(method: Method, problem: Problem, name: string, options: Dopri5Options = {}): Method {
  if (problem.declared === undefined || !(KERNEL_METHODS as readonly string[]).includes(name)) return method;
  const march = marchKernel(problem.declared, name as KernelMethodName, options);
  if (march.dim !== method.dim) throw new RangeError(`declared right-hand side has ${march.dim} components, the problem ${method.dim}`);
  const solution: Solution = (y, t0, t1) => method(y, t0, t1);
  return Object.assign(solution, { dim: method.dim, into: method.into, march });
}

/** The plain rhs(t, y, dydt) of a declaration, generated from the same expressions. */
export function declaredRhs(declared: DeclaredRhs): Rhs {
  const source = rhsSource(checkDeclared(declared));
  let rhs = rhsFunctions.get(source);
  if (rhs === undefined) {
    rhs = (new Function(source) as () => Rhs)();
    rhsFunctions.set(source, rhs);
  }
  return rhs;
}

/**
 * A problem from a declaration alone: its `rhs` is generated from it, so the two cannot
 * disagree. In a user module: `build: (p) => declareProblem({ kind: "components", ... })`.
 * Throws a DeclarationError naming what is wrong.
 */
export function declareProblem(declared: DeclaredRhs): Problem {
  const { dim } = checkDeclared(declared);
  return { dim, rhs: declaredRhs(declared), declared };
}
