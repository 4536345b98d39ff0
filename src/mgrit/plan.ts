/**
 * An MGRIT run as a plan: a list of steps over numbered values, each step either
 *   propagate  Φ_l over one interval of level l (level 0: the fine solver, a fine job;
 *              level >= 1: the coarse solver), or
 *   combine    (a + b) - c, in that order (parareal's c1 + f1 - c2, an expression, not a job).
 * A step's inputs are values made by earlier steps, so the list is in dependency order and a
 * step may run as soon as its inputs exist: the serial oracle runs the list in order, a
 * scheduler maps every value to a future. Steps are memoized: asking again for a propagation
 * of the same value over the same interval, or a combine of the same three values, returns the
 * earlier value and adds no step. That is the reuse the parareal scheduler does (a state's
 * coarse result computed once; slices already exact not recomputed), found structurally.
 */
import type { Solution } from "../ode/problem.js";

export type ValueId = number;

/** What a step is for, for logs and job names. */
export type Phase = "initial" | "F-relax" | "restrict" | "coarse-solve" | "interpolate";

export interface PropagateStep {
  readonly op: "propagate";
  /** 0: the fine solver; >= 1: the coarse solver over that level's interval */
  readonly level: number;
  /** the interval, as indices into the finest grid */
  readonly from: number;
  readonly to: number;
  readonly input: ValueId;
  readonly output: ValueId;
  readonly iteration: number;
  readonly phase: Phase;
}

export interface CombineStep {
  readonly op: "combine";
  readonly a: ValueId;
  readonly b: ValueId;
  readonly c: ValueId;
  readonly output: ValueId;
  readonly iteration: number;
  readonly phase: Phase;
}

export type Step = PropagateStep | CombineStep;

export class Plan {
  readonly steps: Step[] = [];
  /** propagations asked for per level, reused ones included: the work without reuse */
  readonly requested: number[] = [];
  /** propagation steps made per level: the work with reuse */
  readonly emitted: number[] = [];
  /** per value: fine propagations on the longest dependency chain that ends in it */
  readonly fineDepth: number[] = [];
  /** per value: coarse propagations on the longest dependency chain that ends in it (by coarse count) */
  readonly coarseDepth: number[] = [];
  /** labels for the steps made from now on */
  iteration = 0;
  phase: Phase = "initial";
  private readonly memo = new Map<string, ValueId>();

  /** A value given from outside (the initial state). */
  input(): ValueId {
    return this.newValue(0, 0);
  }

  get values(): number {
    return this.fineDepth.length;
  }

  private newValue(fine: number, coarse: number): ValueId {
    this.fineDepth.push(fine);
    this.coarseDepth.push(coarse);
    return this.fineDepth.length - 1;
  }

  /** Φ_level(input) over finest-grid points from..to. */
  propagate(level: number, from: number, to: number, input: ValueId): ValueId {
    this.requested[level] = (this.requested[level] ?? 0) + 1;
    const key = `p${level}:${from}:${to}:${input}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const fine = this.fineDepth[input]! + (level === 0 ? 1 : 0);
    const coarse = this.coarseDepth[input]! + (level === 0 ? 0 : 1);
    const output = this.newValue(fine, coarse);
    this.steps.push({ op: "propagate", level, from, to, input, output, iteration: this.iteration, phase: this.phase });
    this.emitted[level] = (this.emitted[level] ?? 0) + 1;
    this.memo.set(key, output);
    return output;
  }

  /** (a + b) - c. */
  combine(a: ValueId, b: ValueId, c: ValueId): ValueId {
    const key = `c${a}:${b}:${c}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const fine = Math.max(this.fineDepth[a]!, this.fineDepth[b]!, this.fineDepth[c]!);
    const coarse = Math.max(this.coarseDepth[a]!, this.coarseDepth[b]!, this.coarseDepth[c]!);
    const output = this.newValue(fine, coarse);
    this.steps.push({ op: "combine", a, b, c, output, iteration: this.iteration, phase: this.phase });
    this.memo.set(key, output);
    return output;
  }
}

/** (a + b) - c element by element, in parareal's order of operations. */
export function combineInto(a: Float64Array, b: Float64Array, c: Float64Array, out: Float64Array): Float64Array {
  for (let j = 0; j < out.length; j++) out[j] = a[j]! + b[j]! - c[j]!;
  return out;
}

/**
 * Runs a plan's steps in order on plain arrays: the serial oracle's executor. `propagator(l)`
 * is Φ_l as a Solution over (t[from], t[to]).
 */
export class SerialRunner {
  private readonly values: (Float64Array | undefined)[] = [];
  private done = 0;

  constructor(
    readonly plan: Plan,
    readonly t: ArrayLike<number>,
    readonly propagator: (level: number) => Solution,
  ) {}

  set(id: ValueId, value: Float64Array): void {
    this.values[id] = value;
  }

  get(id: ValueId): Float64Array {
    const v = this.values[id];
    if (v === undefined) throw new Error(`MGRIT plan: value ${id} is not computed yet`);
    return v;
  }

  /** Run every step added since the last call. */
  run(): void {
    const steps = this.plan.steps;
    for (; this.done < steps.length; this.done++) {
      const s = steps[this.done]!;
      if (s.op === "propagate") {
        this.values[s.output] = this.propagator(s.level)(this.get(s.input), this.t[s.from]!, this.t[s.to]!);
      } else {
        const a = this.get(s.a);
        this.values[s.output] = combineInto(a, this.get(s.b), this.get(s.c), new Float64Array(a.length));
      }
    }
  }
}
