/**
 * The expression language of declared right-hand sides (see declared.ts): a whitelist parser
 * into a small tree, and its emission as JavaScript. Nothing of the source text reaches the
 * generated code: names become our own locals, numbers become literals we print ourselves.
 */

export type BinaryOp = "+" | "-" | "*" | "/" | "**";

export type Ast =
  | { readonly k: "num"; readonly value: number }
  | { readonly k: "name"; readonly name: string }
  /** the stencil's state at i + offset */
  | { readonly k: "at"; readonly offset: number }
  | { readonly k: "neg" | "pos"; readonly arg: Ast }
  | { readonly k: "bin"; readonly op: BinaryOp; readonly left: Ast; readonly right: Ast }
  | { readonly k: "call"; readonly fn: string; readonly args: readonly Ast[] };

/** Math functions an expression may call, with their numbers of arguments ([min, max]). */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  abs: [1, 1], sign: [1, 1], sqrt: [1, 1], cbrt: [1, 1], exp: [1, 1], expm1: [1, 1], log: [1, 1], log1p: [1, 1],
  log2: [1, 1], log10: [1, 1], sin: [1, 1], cos: [1, 1], tan: [1, 1], asin: [1, 1], acos: [1, 1], atan: [1, 1],
  sinh: [1, 1], cosh: [1, 1], tanh: [1, 1], asinh: [1, 1], acosh: [1, 1], atanh: [1, 1],
  floor: [1, 1], ceil: [1, 1], round: [1, 1], trunc: [1, 1],
  pow: [2, 2], atan2: [2, 2], min: [1, 8], max: [1, 8], hypot: [1, 8],
};

/** A declared right-hand side that cannot be compiled; the message says where and why. */
export class DeclarationError extends Error {
  constructor(message: string) {
    super(`declared right-hand side: ${message}`);
    this.name = "DeclarationError";
  }
}

/** Names the parser accepts, and the stencil's state array (whose only use is `u[i + k]`). */
export interface Scope {
  readonly names: ReadonlySet<string>;
  readonly stencil?: string;
}

/** Longest offset of a stencil read, u[i + 16]: wide enough for any difference scheme. */
export const MAX_OFFSET = 16;
const MAX_LENGTH = 10_000;

type Token = { readonly kind: "num" | "name" | "op"; readonly text: string; readonly at: number };

function tokenize(src: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/(),.[\]]))/y;
  let at = 0;
  while (true) {
    re.lastIndex = at;
    if (/^\s*$/.test(src.slice(at))) break;
    const m = re.exec(src);
    if (!m) {
      const col = at + (/^\s*/.exec(src.slice(at))?.[0].length ?? 0);
      throw new DeclarationError(`${where}: unexpected \`${src[col]}\` at column ${col + 1} of \`${src}\` (allowed: numbers, names, + - * / **, parentheses, Math functions)`);
    }
    const start = re.lastIndex - m[0].trimStart().length;
    tokens.push({ kind: m[1] !== undefined ? "num" : m[2] !== undefined ? "name" : "op", text: m[0].trim(), at: start });
    at = re.lastIndex;
  }
  return tokens;
}

/** Parse one expression, refusing anything outside the language (see declared.ts). */
export function parseExpression(src: string, scope: Scope, where: string): Ast {
  if (typeof src !== "string") throw new DeclarationError(`${where}: expected an expression as a string, got ${typeof src}`);
  if (src.length > MAX_LENGTH) throw new DeclarationError(`${where}: expression longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(src, where);
  let pos = 0;
  const fail = (what: string, token = tokens[pos]): never => {
    const place = token ? `at column ${token.at + 1} (\`${token.text}\`)` : "at the end";
    throw new DeclarationError(`${where}: ${what} ${place} of \`${src}\``);
  };
  const peek = (text: string) => tokens[pos]?.kind === "op" && tokens[pos]!.text === text;
  const expect = (text: string) => (peek(text) ? pos++ : fail(`expected \`${text}\``));

  const additive = (): Ast => {
    let left = multiplicative();
    while (peek("+") || peek("-")) {
      const op = tokens[pos++]!.text as BinaryOp;
      left = { k: "bin", op, left, right: multiplicative() };
    }
    return left;
  };
  const multiplicative = (): Ast => {
    let left = unary();
    while (peek("*") || peek("/")) {
      const op = tokens[pos++]!.text as BinaryOp;
      left = { k: "bin", op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Ast => {
    if (peek("-") || peek("+")) {
      const token = tokens[pos++]!;
      const arg = unary();
      // as in JavaScript, where -a ** b is a syntax error: the reader could take it either way
      if (arg.k === "bin" && arg.op === "**" && !parenthesized.has(arg)) fail("write (-a) ** b or -(a ** b), not -a ** b:", token);
      return { k: token.text === "-" ? "neg" : "pos", arg };
    }
    return power();
  };
  // ** is right-associative and binds tighter than * and /; its exponent may carry a sign
  const power = (): Ast => {
    const base = primary();
    if (!peek("**")) return base;
    pos++;
    return { k: "bin", op: "**", left: base, right: unary() };
  };
  const parenthesized = new WeakSet<Ast>();
  const primary = (): Ast => {
    const token = tokens[pos];
    if (token === undefined) return fail("expected a number, a name or `(`");
    if (token.kind === "num") {
      pos++;
      return { k: "num", value: Number(token.text) };
    }
    if (token.kind === "op") {
      if (token.text !== "(") return fail("expected a number, a name or `(`");
      pos++;
      const inner = additive();
      expect(")");
      parenthesized.add(inner);
      return inner;
    }
    pos++;
    let fn: string | undefined;
    if (token.text === "Math") {
      expect(".");
      const name = tokens[pos];
      if (name?.kind !== "name" || !Object.hasOwn(FUNCTIONS, name.text)) return fail(`Math.${name?.text ?? ""} is not allowed (allowed: ${Object.keys(FUNCTIONS).join(", ")})`, name);
      pos++;
      fn = name.text;
      if (!peek("(")) return fail(`Math.${fn} must be called`);
    } else if (peek("(")) {
      if (!Object.hasOwn(FUNCTIONS, token.text)) return fail(`unknown function \`${token.text}\` (allowed: ${Object.keys(FUNCTIONS).join(", ")})`, token);
      fn = token.text;
    }
    if (fn !== undefined) {
      expect("(");
      const args: Ast[] = [];
      if (!peek(")")) {
        args.push(additive());
        while (peek(",")) {
          pos++;
          args.push(additive());
        }
      }
      expect(")");
      const [min, max] = FUNCTIONS[fn]!;
      if (args.length < min || args.length > max) fail(`${fn} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`, token);
      return { k: "call", fn, args };
    }
    if (scope.stencil !== undefined && token.text === scope.stencil) return stencilRead(token);
    if (peek("[")) return fail(`only the stencil's state may be indexed, not \`${token.text}\``);
    if (!scope.names.has(token.text)) return fail(`unknown name \`${token.text}\` (known: ${[...scope.names].join(", ")})`, token);
    return { k: "name", name: token.text };
  };
  // u[i], u[i + k], u[i - k] with a whole number k
  const stencilRead = (token: Token): Ast => {
    if (!peek("[")) return fail(`the state \`${token.text}\` is read as ${token.text}[i], ${token.text}[i - 1], ${token.text}[i + 1], ...`, token);
    pos++;
    if (tokens[pos]?.text !== "i") return fail(`expected \`i\` in ${token.text}[i + k]`);
    pos++;
    let offset = 0;
    if (peek("+") || peek("-")) {
      const sign = tokens[pos++]!.text === "-" ? -1 : 1;
      const k = tokens[pos];
      if (k?.kind !== "num" || !/^\d+$/.test(k.text)) return fail(`expected a whole number in ${token.text}[i ± k]`, k);
      offset = sign * Number(k.text);
      if (Math.abs(offset) > MAX_OFFSET) return fail(`offsets reach at most ${MAX_OFFSET} points`, k);
      pos++;
    }
    expect("]");
    return { k: "at", offset };
  };

  const ast = additive();
  if (pos < tokens.length) fail("unexpected token");
  return ast;
}

/** Every name an expression reads. */
export function namesIn(ast: Ast, into = new Set<string>()): Set<string> {
  switch (ast.k) {
    case "name":
      into.add(ast.name);
      break;
    case "neg":
    case "pos":
      namesIn(ast.arg, into);
      break;
    case "bin":
      namesIn(ast.left, into);
      namesIn(ast.right, into);
      break;
    case "call":
      for (const a of ast.args) namesIn(a, into);
      break;
    default:
  }
  return into;
}

/** Offsets of the stencil reads, [most negative, most positive] (0 when none). */
export function reach(ast: Ast): [number, number] {
  switch (ast.k) {
    case "at":
      return [Math.min(0, ast.offset), Math.max(0, ast.offset)];
    case "neg":
    case "pos":
      return reach(ast.arg);
    case "bin": {
      const [a, b] = [reach(ast.left), reach(ast.right)];
      return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
    }
    case "call":
      return ast.args.map(reach).reduce((a, b) => [Math.min(a[0], b[0]), Math.max(a[1], b[1])], [0, 0]);
    default:
      return [0, 0];
  }
}

/** A number as a JavaScript literal that reads back as the same double (-0 included). */
export function numberLiteral(x: number): string {
  if (typeof x !== "number") throw new DeclarationError(`expected a number, got ${typeof x}`);
  if (Number.isNaN(x)) return "NaN";
  if (Object.is(x, -0)) return "(-0)";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "(-Infinity)";
  return x < 0 ? `(${String(x)})` : String(x);
}

/** How names and stencil reads appear in the generated code. */
export interface Emitter {
  name(name: string): string;
  at?(offset: number): string;
}

/**
 * JavaScript for the tree, every operation parenthesized as parsed: the generated code performs
 * the same operations in the same order as the source would in a hand-written callback.
 */
export function emit(ast: Ast, e: Emitter): string {
  switch (ast.k) {
    case "num":
      return numberLiteral(ast.value);
    case "name":
      return e.name(ast.name);
    case "at":
      if (!e.at) throw new DeclarationError("a stencil read outside a stencil");
      return e.at(ast.offset);
    case "neg":
      return `(-${emit(ast.arg, e)})`;
    case "pos":
      return `(+${emit(ast.arg, e)})`;
    case "bin":
      return `(${emit(ast.left, e)} ${ast.op} ${emit(ast.right, e)})`;
    case "call":
      return `Math.${ast.fn}(${ast.args.map((a) => emit(a, e)).join(", ")})`;
  }
}
