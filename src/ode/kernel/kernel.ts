/**
 * Generated kernels: for a problem with a declared right-hand side (declared.ts), one function
 * per (declaration, parameters, method, table mode) runs the whole sub-stepping loop of
 * iterate.ts's `march`, with the state in locals (or scratch arrays for stencils) and no calls
 * per step. Compiled with `new Function` from source we generate (nothing of the declaration's
 * text reaches it but checked names and numbers), once per distinct source per thread.
 */
import type { Dopri5Options } from "../dopri5.js";
import { CancelledError } from "../../errors.js";
import { linspaceAt } from "../linspace.js";
import type { March, Method, Problem, Solution } from "../problem.js";
import { checkDeclared, type DeclaredRhs } from "./declared.js";
import { marchSource, rhsSource, type KernelMethod, type KernelMethodName, type TableMode } from "./generate.js";

/** A generated march; `stats.steps` counts dopri5's trial steps (accepted and rejected) of the last call. */
export interface MarchKernel extends March {
  readonly dim: number;
  readonly stats: { steps: number };
}

/** A generated march: iterate.ts's march, and `mask` and `shortcut` for the warm-up (generate.ts). */
type Generated = (...args: [...Parameters<March>, mask: number, shortcut: boolean]) => Float64Array;
/** What generated code throws when `stop` says so: the same error as the generic loop's. */
class Interrupted extends CancelledError {
  constructor() {
    super("integration");
  }
}

type MarchFactory = (at: typeof linspaceAt, interrupted: typeof Interrupted, stats: { steps: number }) => Generated;
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

/** iterate.ts asks `stop` every 2^16 steps. */
const CHUNK_MASK = (1 << 16) - 1;

function compile(source: string, stats: { steps: number }): Generated {
  let factory = marchFactories.get(source);
  if (factory === undefined) {
    factory = new Function("linspaceAt", "Interrupted", "stats", source) as MarchFactory;
    marchFactories.set(source, factory);
  }
  return factory(linspaceAt, Interrupted, stats);
}

/**
 * Run every part of a new march on a throwaway copy of the first job's start (the span of two
 * of its sub-steps in 16, asking `stop` at each and always calling Math.pow in dopri5; then
 * NumPy's underflow branch), before the real run. V8 optimizes the loop while it runs
 * (on-stack replacement); a site it has never seen run, such as the code after the loop or the
 * `stop` call, then deoptimizes it on every later call (measured: 30-50 ns a step instead of 4).
 * Results and errors of the warm-up are dropped.
 */
function warmUp(generated: Generated, y: Float64Array, t0: number, t1: number, n: number, stride: number, table: Float64Array | null, dim: number): void {
  const rows = table === null ? null : new Float64Array((WARM_UP_STEPS + 1) * dim);
  const part = n >= 2 ? t0 + (2 * (t1 - t0)) / n : t1;
  const end = part !== t0 ? part : t1 !== t0 ? t1 : t0 + 1;
  for (const to of [end, end, t0]) {
    try {
      generated(y, t0, to, WARM_UP_STEPS, stride === 1 ? 1 : 2, rows, never, 0, false);
    } catch {
      // a warm-up only needs the code to have run
    }
  }
}
const never = (): boolean => false;
// V8 allocates a function's feedback vector only after it has run about 8 times its size in bytecode
const WARM_UP_STEPS = 16;

/**
 * The generated march of `method` for a declared right-hand side; the table mode is chosen per
 * call (none, every row, every stride-th) and each mode compiled when first used.
 */
export function marchKernel(declared: DeclaredRhs, method: KernelMethodName, options: Dopri5Options = {}): MarchKernel {
  const checked = checkDeclared(declared);
  const m = kernelMethod(method, options);
  const stats = { steps: 0 };
  const variants = new Map<TableMode, Generated>();
  const march: March = (y, t0, t1, n, stride, table, stop) => {
    const mode = table === null ? "none" : stride === 1 ? "every" : "strided";
    let generated = variants.get(mode);
    if (generated === undefined) {
      generated = compile(marchSource(checked, m, mode), stats);
      warmUp(generated, y, t0, t1, n, stride, table, checked.dim);
      variants.set(mode, generated);
    }
    return generated(y, t0, t1, n, stride, table, stop, CHUNK_MASK, true);
  };
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
