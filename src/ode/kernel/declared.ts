/**
 * A right-hand side declared as data, so that a whole integration loop can be generated for it
 * (kernel.ts) instead of calling `rhs(t, y, dydt)` through typed arrays twice per stage.
 *
 * Two forms:
 *
 * - `components`: a small ODE system, the state in named locals.
 *
 *       { kind: "components", state: ["q", "p"], params: { damping: -1, stiffness: 1 },
 *         derivatives: { q: "p", p: "damping * p - stiffness * q" } }
 *
 *   `let` (optional) names intermediate values, evaluated in order before the derivatives:
 *   `let: { x2: "x * x" }`.
 *
 * - `stencil`: one expression for every point i of a grid of `dim` points (a method of lines),
 *   the state read as `u[i]`, `u[i - 1]`, `u[i + 2]`, ...; reads beyond either end give the
 *   constant `outside` (a Dirichlet boundary; `{ left, right }` for two values).
 *
 *       { kind: "stencil", dim: 31, state: "u", outside: 0, params: { c: 1024 },
 *         expression: "c * (u[i - 1] - 2 * u[i] + u[i + 1])" }
 *
 * Expressions are arithmetic only: decimal numbers, the declared names (state, `params`, `let`,
 * the time `t`, and in a stencil the index `i`), + - * / ** (as in JavaScript: ** binds tightest
 * and to the right, -a ** b is refused), unary - and +, parentheses, and calls of the functions
 * in FUNCTIONS (expression.ts), written `sin(x)` or `Math.sin(x)`. Nothing else parses: no
 * strings, properties, assignments or other calls. Names are identifiers, distinct, and not `t`,
 * `i`, `Math` or a function's name. Parameters are numbers, baked into the generated code.
 *
 * The generated code evaluates each expression exactly as JavaScript evaluates the same text:
 * same operations, same order (left to right, by precedence; parentheses as written). So a
 * declaration and a hand-written `rhs` with the same formulas give bit-identical numbers, and
 * `declareProblem` derives the `rhs` callback from the declaration itself.
 *
 * A declaration is code from the problem's author (a built-in problem or a user module), never
 * from a job payload: a payload only names a problem and gives numeric parameters.
 */
import { DeclarationError, FUNCTIONS, namesIn, parseExpression, reach, type Ast } from "./expression.js";

type Params = Readonly<Record<string, number>>;

export interface ComponentsRhs {
  readonly kind: "components";
  /** names of the state's components, y[0], y[1], ... */
  readonly state: readonly string[];
  readonly params?: Params;
  /** intermediate values, in order; each may use the state, params, t and the ones before it */
  readonly let?: Readonly<Record<string, string>>;
  /** d(name)/dt for every name of `state` */
  readonly derivatives: Readonly<Record<string, string>>;
}

export interface StencilRhs {
  readonly kind: "stencil";
  /** grid points, the state's length */
  readonly dim: number;
  /** the state's name in `expression`, read as state[i + k] */
  readonly state: string;
  /** the state's value beyond the ends of the grid */
  readonly outside: number | { readonly left: number; readonly right: number };
  readonly params?: Params;
  /** du[i]/dt */
  readonly expression: string;
}

export type DeclaredRhs = ComponentsRhs | StencilRhs;

/** A declaration parsed and checked: what the generators work from. */
export type CheckedRhs =
  | {
      readonly kind: "components";
      readonly dim: number;
      readonly state: readonly string[];
      readonly params: ReadonlyMap<string, number>;
      readonly lets: readonly { readonly name: string; readonly ast: Ast }[];
      readonly derivatives: readonly Ast[];
      readonly usesTime: boolean;
    }
  | {
      readonly kind: "stencil";
      readonly dim: number;
      readonly outside: readonly [number, number];
      readonly params: ReadonlyMap<string, number>;
      readonly expression: Ast;
      /** offsets of the widest reads: [most negative, most positive] */
      readonly reach: readonly [number, number];
      readonly usesTime: boolean;
    };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: unknown, what: string, taken: Set<string>): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) throw new DeclarationError(`${what} \`${String(name)}\` is not a name (letters, digits and _, not starting with a digit)`);
  if (name === "t" || name === "i" || name === "Math" || Object.hasOwn(FUNCTIONS, name)) throw new DeclarationError(`${what} \`${name}\` is reserved (t, i, Math and function names)`);
  if (taken.has(name)) throw new DeclarationError(`${what} \`${name}\` is declared twice`);
  taken.add(name);
  return name;
}

function checkNumber(value: unknown, what: string): number {
  if (typeof value !== "number") throw new DeclarationError(`${what} must be a number, got ${typeof value}`);
  return value;
}

function checkParams(params: unknown, taken: Set<string>): Map<string, number> {
  const out = new Map<string, number>();
  if (params === undefined) return out;
  if (typeof params !== "object" || params === null || Array.isArray(params)) throw new DeclarationError("params must be an object of numbers");
  for (const [name, value] of Object.entries(params)) out.set(checkName(name, "parameter", taken), checkNumber(value, `parameter \`${name}\``));
  return out;
}

function entries(x: unknown, what: string): [string, unknown][] {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new DeclarationError(`${what} must be an object of expressions`);
  return Object.entries(x);
}

/** Parse and check a declaration; throws a DeclarationError naming what is wrong. */
export function checkDeclared(declared: DeclaredRhs): CheckedRhs {
  if (typeof declared !== "object" || declared === null) throw new DeclarationError(`expected an object, got ${declared === null ? "null" : typeof declared}`);
  const taken = new Set<string>();
  if (declared.kind === "components") {
    if (!Array.isArray(declared.state) || declared.state.length === 0) throw new DeclarationError("components: `state` must be a non-empty array of names");
    const state = declared.state.map((n) => checkName(n, "state component", taken));
    const params = checkParams(declared.params, taken);
    const known = new Set([...state, ...params.keys(), "t"]);
    const lets = entries(declared.let ?? {}, "let").map(([name, src]) => {
      checkName(name, "let", taken);
      const ast = parseExpression(src as string, { names: known }, `let \`${name}\``);
      known.add(name); // later expressions may use it, this one not
      return { name, ast };
    });
    const given = entries(declared.derivatives, "derivatives");
    for (const [name] of given) if (!state.includes(name)) throw new DeclarationError(`derivatives: \`${name}\` is not a state component (state: ${state.join(", ")})`);
    const derivatives = state.map((name) => {
      const src = Object.hasOwn(declared.derivatives, name) ? declared.derivatives[name] : undefined;
      if (src === undefined) throw new DeclarationError(`derivatives: missing the derivative of \`${name}\``);
      return parseExpression(src, { names: known }, `derivative of \`${name}\``);
    });
    const used = new Set<string>();
    for (const ast of [...lets.map((l) => l.ast), ...derivatives]) namesIn(ast, used);
    return { kind: "components", dim: state.length, state, params, lets, derivatives, usesTime: used.has("t") };
  }
  if (declared.kind === "stencil") {
    const { dim } = declared;
    if (!Number.isInteger(dim) || dim < 1) throw new DeclarationError(`stencil: \`dim\` must be a whole number >= 1, got ${String(dim)}`);
    const state = checkName(declared.state, "stencil state", taken);
    const params = checkParams(declared.params, taken);
    const o = declared.outside;
    const outside: [number, number] =
      typeof o === "object" && o !== null ? [checkNumber(o.left, "outside.left"), checkNumber(o.right, "outside.right")] : [checkNumber(o, "outside"), o];
    const expression = parseExpression(declared.expression, { names: new Set([...params.keys(), "t", "i"]), stencil: state }, "stencil expression");
    return { kind: "stencil", dim, outside, params, expression, reach: reach(expression), usesTime: namesIn(expression).has("t") };
  }
  throw new DeclarationError(`unknown kind \`${String((declared as { kind?: unknown }).kind)}\` (components or stencil)`);
}
