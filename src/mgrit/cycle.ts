/**
 * One MGRIT iteration (an FAS V-cycle) laid out as plan steps, after Falgout et al., "Parallel
 * time integration with multigrid" (SIAM J. Sci. Comput. 2014), in its FAS form (XBraid,
 * PyMGRIT).
 *
 * Level l solves A_l(u) = g_l, i.e. u_0 = y0 and u_i = Φ_l(u_{i-1}) + g_{l,i} for i >= 1, with
 * g_0 = 0 on the finest level. On a coarse level the right-hand side comes from the level
 * above: for its point j, which is C-point i of level l-1,
 *   g_{l,j} = ψ_j - Φ_l(w_{j-1}),  ψ_j = Φ_{l-1}(u_{i-1}) + g_{l-1,i}  (the C-relaxed value),
 *   w = u restricted by injection to the C-points.
 * This is the usual FAS right-hand side R(g - A(u)) + A_l(R u) with u_i - u_i cancelled
 * exactly, so every update on a coarse level is
 *   u_j = Φ_l(u_{j-1}) + g_{l,j} = (Φ_l(u_{j-1}) + ψ_j) - Φ_l(w_{j-1}),
 * parareal's c1 + f1 - c2 in the same order: two-level MGRIT with F-relaxation is parareal to
 * the bit. The FAS correction u_C <- u_C + (v - R u) = v (injection, u_C unchanged since) is an
 * assignment; F-points then follow by F-relaxation (ideal interpolation).
 *
 * Parallel structure: in a relaxation sweep, the chains over different coarse intervals are
 * independent (parallel); within a chain the steps are serial. Restriction's coarse
 * propagations Φ_l(w_{j-1}) are independent. The coarsest level is one serial chain.
 */
import type { Hierarchy, Level } from "./hierarchy.js";
import type { Plan, ValueId } from "./plan.js";

export type Relaxation = "F" | "FCF";
export const RELAXATIONS: readonly Relaxation[] = ["F", "FCF"];

/** A coarse level's right-hand side, per point j >= 1 of that level (entry 0 unused). */
export interface Rhs {
  readonly psi: readonly ValueId[];
  readonly gamma: readonly ValueId[];
}

/** A level's values after an F-relaxation sweep. */
export interface Sweep {
  /** every point of the level: C-points as given, F-points relaxed */
  readonly u: readonly ValueId[];
  /** per C-point j >= 1 (entry 0: the initial value): Φ_l from the F-point before it, plus g */
  readonly psi: readonly ValueId[];
}

export class MgritPlanner {
  constructor(
    readonly hierarchy: Hierarchy,
    readonly relax: Relaxation,
    readonly plan: Plan,
  ) {
    if (!RELAXATIONS.includes(relax)) throw new RangeError(`unknown relaxation \`${String(relax)}\` (known: ${RELAXATIONS.join(", ")})`);
  }

  private level(l: number): Level {
    return this.hierarchy.levels[l]!;
  }

  /** u_i on level l from u_{i-1} = x: Φ_0(x) on the finest level, (Φ_l(x) + ψ_i) - γ_i below. */
  private step(l: number, i: number, x: ValueId, rhs: Rhs | undefined): ValueId {
    const pts = this.level(l).points;
    const p = this.plan.propagate(l, pts[i - 1]!, pts[i]!, x);
    if (l === 0 || rhs === undefined) return p;
    return this.plan.combine(p, rhs.psi[i]!, rhs.gamma[i]!);
  }

  /**
   * The initial guess at the finest level's C-points (the points of level 1): the coarse
   * solver swept serially over level 1's intervals from y0, as parareal's iteration 0 on that
   * grid. With more than two levels this is still level 1's sweep (not the coarsest level's),
   * so iteration 0 is parareal's on the same coarse grid for any number of levels.
   */
  initialGuess(y0: ValueId): ValueId[] {
    this.plan.phase = "initial";
    const pts = this.level(1).points;
    const c: ValueId[] = [y0];
    for (let j = 1; j < pts.length; j++) c.push(this.plan.propagate(1, pts[j - 1]!, pts[j]!, c[j - 1]!));
    return c;
  }

  /**
   * F-relaxation on level l from the C-point values c (one per point of level l+1): for every
   * coarse interval, a serial chain from its C-point through its F-points and one step more,
   * to ψ at the next C-point. Chains of different intervals are independent.
   */
  sweep(l: number, c: readonly ValueId[], rhs?: Rhs): Sweep {
    this.plan.phase = "F-relax";
    const { cpoints } = this.level(l);
    const u: ValueId[] = new Array<ValueId>(this.level(l).points.length).fill(-1);
    const psi: ValueId[] = [c[0]!];
    u[0] = c[0]!;
    for (let j = 1; j < cpoints.length; j++) {
      const [p, q] = [cpoints[j - 1]!, cpoints[j]!];
      let x = c[j - 1]!;
      u[p] = x;
      for (let i = p + 1; i < q; i++) u[i] = x = this.step(l, i, x, rhs);
      psi.push(this.step(l, q, x, rhs));
      u[q] = c[j]!;
    }
    return { u, psi };
  }

  /** F-relaxation on level l >= 1 after a coarse correction: F-points only, no step to the next C-point. */
  private interpolate(l: number, u: ValueId[], rhs: Rhs): void {
    const { cpoints } = this.level(l);
    for (let j = 1; j < cpoints.length; j++) {
      let x = u[cpoints[j - 1]!]!;
      for (let i = cpoints[j - 1]! + 1; i < cpoints[j]!; i++) u[i] = x = this.step(l, i, x, rhs);
    }
  }

  /**
   * Iteration k: a V-cycle from the finest level, given the F-relaxation sweep of the current
   * iterate (its C-point values and ψ, which the residual needed anyway). Returns the new
   * C-point values; their F-relaxation sweep (`sweep(0, c)`) completes the new iterate.
   */
  cycle(k: number, finest: Sweep): ValueId[] {
    this.plan.iteration = k;
    return this.vcycle(0, finest, undefined);
  }

  /** C-point values (level l+1 points) of level l's values u. */
  private cvalues(l: number, u: readonly ValueId[]): ValueId[] {
    return Array.from(this.level(l).cpoints, (p) => u[p]!);
  }

  /**
   * The V-cycle on level l, entered with level l's F-relaxed values `s`. Returns level l's new
   * values at every point (on the finest level: at its C-points only; F-points are left to the
   * next sweep, which the residual needs anyway).
   */
  private vcycle(l: number, s: Sweep, rhs: Rhs | undefined): ValueId[] {
    const last = this.hierarchy.levels.length - 1;
    if (l === last) return this.coarsestSolve(l, s.u[0]!, rhs!);
    if (this.relax === "FCF") {
      // C-relaxation: each C-point takes ψ, the value propagated from the F-point before it (no new step)
      const c = this.cvalues(l, s.u).map((v, j) => (j === 0 ? v : s.psi[j]!));
      s = this.sweep(l, c, rhs);
    }
    // restriction by injection, and the coarse right-hand side's Φ_{l+1}(w_{j-1}) (independent)
    this.plan.phase = "restrict";
    const w = this.cvalues(l, s.u);
    const coarse = this.level(l + 1).points;
    const gamma: ValueId[] = [w[0]!];
    for (let j = 1; j < w.length; j++) gamma.push(this.plan.propagate(l + 1, coarse[j - 1]!, coarse[j]!, w[j - 1]!));
    const next: Rhs = { psi: s.psi, gamma };
    let v: ValueId[];
    if (l + 1 === last) v = this.coarsestSolve(l + 1, w[0]!, next);
    else {
      v = this.vcycle(l + 1, this.sweep(l + 1, this.cvalues(l + 1, w), next), next);
    }
    // correction: u_C <- v; F-points by F-relaxation (deferred on the finest level)
    if (l === 0) return v;
    const u = [...s.u];
    this.level(l).cpoints.forEach((p, j) => (u[p] = v[j]!));
    this.plan.phase = "interpolate";
    this.interpolate(l, u, rhs!);
    return u;
  }

  /** The coarsest level, solved exactly: one serial chain u_j = (Φ(u_{j-1}) + ψ_j) - γ_j. */
  private coarsestSolve(l: number, y0: ValueId, rhs: Rhs): ValueId[] {
    this.plan.phase = "coarse-solve";
    const n = this.level(l).points.length;
    const v: ValueId[] = [y0];
    for (let j = 1; j < n; j++) v.push(this.step(l, j, v[j - 1]!, rhs));
    return v;
  }
}
