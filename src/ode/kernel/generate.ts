/**
 * Source of the generated functions: the whole sub-stepping loop of iterate.ts's `march`, with
 * one method's stages and the declared right-hand side inlined. Every statement mirrors the
 * generic code (iterate.ts, forward-euler.ts, rk4.ts, dopri5.ts) operation for operation, so the
 * numbers are bit-identical; only where values live changes: locals for `components`, scratch
 * arrays for `stencil` (each stage's loop also does the elementwise work that follows it).
 */
import { dormandPrince } from "../dopri5.js";
import type { CheckedRhs } from "./declared.js";
import { emit, numberLiteral as lit, type Emitter } from "./expression.js";

export type KernelMethodName = "euler" | "rk4" | "dopri5";

/** dopri5's settings as the generic solver takes them (Dopri5Options with defaults applied). */
export interface Dopri5Settings {
  readonly rtol: number;
  readonly atol: number;
  readonly h0?: number | undefined;
  readonly maxSteps: number;
}

export type KernelMethod = { readonly name: "euler" } | { readonly name: "rk4" } | ({ readonly name: "dopri5" } & Dopri5Settings);

/** No table (iterateSolution), a row after every step, or every stride-th row and the last. */
export type TableMode = "none" | "every" | "strided";

type Components = Extract<CheckedRhs, { kind: "components" }>;
type Stencil = Extract<CheckedRhs, { kind: "stencil" }>;

const range = (n: number) => Array.from({ length: n }, (_, j) => j);

/** `const <out><j> = f_j(inputs, time);` for every component, `let`s first. */
function rhsLocals(c: Components, inputs: readonly string[], time: string, out: string, decl: "const" | "let" = "const"): string {
  const lines: string[] = [];
  const timeName = `${out}_t`;
  if (c.usesTime) lines.push(`const ${timeName} = ${time};`);
  const locals = new Map<string, string>();
  c.state.forEach((name, j) => locals.set(name, inputs[j]!));
  for (const [name, value] of c.params) locals.set(name, lit(value));
  locals.set("t", timeName);
  const e: Emitter = { name: (n) => locals.get(n)! };
  c.lets.forEach(({ name, ast }, m) => {
    lines.push(`const ${out}_l${m} = ${emit(ast, e)};`);
    locals.set(name, `${out}_l${m}`);
  });
  c.derivatives.forEach((ast, j) => lines.push(`${decl} ${out}${j} = ${emit(ast, e)};`));
  return lines.join("\n");
}

/**
 * For every grid point g in order: `{ const f = <expression at g>; <body(f, g, cur)> }`, where
 * `cur` is input[g]. Points whose reads cross an end are unrolled with `outside` in place of
 * those reads; the rest is a loop that keeps the stencil's window of input values in locals,
 * loading one new value per point (u[g + 1] for a three-point stencil) instead of all of them.
 */
function rows(s: Stencil, input: string, time: string, body: (f: string, g: string, cur: string) => string, unroll: boolean): string {
  const lines: string[] = [];
  const params = new Map([...s.params].map(([name, value]) => [name, lit(value)]));
  if (s.usesTime) lines.push(`const rt = ${time};`);
  const row = (g: string, at: (offset: number) => string, cur: string) => {
    const e: Emitter = { name: (n) => (n === "t" ? "rt" : n === "i" ? g : params.get(n)!), at };
    return `{ const f = ${emit(s.expression, e)}; ${body("f", g, cur)} }`;
  };
  const unrolled = (g: number) =>
    row(
      String(g),
      (offset) => {
        const k = g + offset;
        return k < 0 ? lit(s.outside[0]) : k >= s.dim ? lit(s.outside[1]) : `${input}[${k}]`;
      },
      `${input}[${g}]`,
    );
  const [r0, r1] = s.reach;
  if (unroll) {
    // straight-line code, each input value loaded once, just before the first row that reads it
    let loaded = 0;
    for (let g = 0; g < s.dim; g++) {
      for (; loaded < Math.min(s.dim, g + r1 + 1); loaded++) lines.push(`const in${loaded} = ${input}[${loaded}];`);
      const at = (offset: number) => {
        const k = g + offset;
        return k < 0 ? lit(s.outside[0]) : k >= s.dim ? lit(s.outside[1]) : `in${k}`;
      };
      lines.push(row(String(g), at, `in${g}`));
    }
    return `{\n${lines.join("\n")}\n}`;
  }
  const first = Math.min(s.dim, -r0);
  const end = Math.max(first, s.dim - r1);
  for (let g = 0; g < first; g++) lines.push(unrolled(g));
  if (end > first) {
    const w = (offset: number) => (offset < 0 ? `wm${-offset}` : offset > 0 ? `wp${offset}` : "w0");
    const older = Array.from({ length: r1 - r0 }, (_, j) => r0 + j);
    const index = (offset: number, g: string) => (offset === 0 ? g : `${g} ${offset < 0 ? "-" : "+"} ${Math.abs(offset)}`);
    lines.push(`{ ${older.map((o) => `let ${w(o)} = ${input}[${first + o}];`).join(" ")}
for (let g = ${first}; g < ${end}; g++) {
const ${w(r1)} = ${input}[${index(r1, "g")}];
${row("g", w, "w0")}
${older.map((o) => `${w(o)} = ${w(o + 1)};`).join(" ")}
} }`);
  }
  for (let g = end; g < s.dim; g++) lines.push(unrolled(g));
  return `{\n${lines.join("\n")}\n}`;
}

/** `sum` of terms left to right after `first`, as the generic loops accumulate them. */
const chain = (first: string, terms: readonly string[]) => [first, ...terms].join(" + ");

const { A, C, E } = dormandPrince;

/** `const a<s><r> = h * A[s][r];` once per trial step instead of once per component. */
function stageCoefficients(s: number): string {
  return range(s).map((r) => `const a${s}${r} = h * ${lit(A[s]![r]!)};`).join(" ");
}

/** Below this error estimate the step is accepted and the step size grows by 5, whatever its exact value. */
const SMALL_ERR = 1e-4;

const stageTime = (s: number) => `(t + ${lit(C[s]!)} * h)`;
/**
 * dopri5.ts's step-size factor, min(5, max(0.2, 0.9 err^-1/5)) and 5 for err = 0, with one
 * shortcut: below err = 1e-4, 0.9 err^-1/5 > 5.6 and the clamp gives 5; above 1e4 it is < 0.15
 * and the clamp gives 0.2. So Math.pow (about 100 ns in V8, most of a small system's step) only
 * runs where its value matters, and the factor is the same bits. (err is finite and >= 0 here;
 * without the shortcut, err = 0 gives min(5, Infinity) = 5.) The warm-up turns it off, to run
 * the Math.pow branch too.
 */
export const STEP_FACTOR = `shortcut && err < ${lit(SMALL_ERR)} ? 5 : shortcut && err > 1e4 ? 0.2 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -1 / 5)))`;
const controller = `const factor = ${STEP_FACTOR};
h *= factor;`;

function dopri5Prologue(m: Dopri5Settings): string {
  const max = lit(m.maxSteps); // a checked number, as everything put into the source
  return `if (attempts >= ${max}) throw new Error(\`dopri5: more than \${${max}} steps between t = \${ta} and \${tb}\`);
const last = Math.abs(h) >= Math.abs(tb - t);
if (last) h = tb - t;`;
}

function dopri5Open(m: Dopri5Settings): string {
  return `if (tb !== ta) {
const span = tb - ta;
let h = ${m.h0 === undefined ? "span / 100" : lit(m.h0)};
let t = ta;
let attempts = 0;`;
}

const dopri5Loop = "while ((span > 0 && t < tb) || (span < 0 && t > tb)) {";
const nonFinite = "if (!Number.isFinite(err)) throw new Error(`dopri5: non-finite error estimate at t = ${t}`);\nattempts++;";

/**
 * err, dopri5.ts's max of the components' scaled errors |h e| / scale, as far as the step depends
 * on it: `small` is 1 when every one is below SMALL_ERR (none NaN), and `r(j)` reads the j-th
 * (locals r0, r1, ... or a stencil's array r). When small, err is finite, at most 1 and below
 * SMALL_ERR whatever its value, so the step is accepted and STEP_FACTOR's shortcut gives 5: 0
 * stands in for it. Otherwise (and in the warm-up, without the shortcut) the max, in dopri5.ts's
 * order. Why: V8 compiles Math.max to compare-and-branch, whose outcome waits for each division,
 * while C's max is one branchless instruction; the flag is branchless. Per trial step: heat1d
 * (31 points), whose error loop took 38% of it, 375 -> 300 ns; the oscillator 35 -> 24 ns, Lorenz
 * 46 -> 34 ns.
 */
function errorNorm(each: (body: (j: string) => string) => string, r = (j: string) => `r[${j}]`): string {
  return `let err = 0;
if (small === 0 || !shortcut) { ${each((j) => `err = Math.max(err, ${r(j)});`)} }`;
}

/** One sub-step from ta to tb on the state in locals s0, s1, ... */
function componentsStep(c: Components, m: KernelMethod): string {
  const js = range(c.dim);
  const s = js.map((j) => `s${j}`);
  const v = (p: string) => js.map((j) => `${p}${j}`);
  if (m.name === "euler") {
    return `const dt = tb - ta;
${rhsLocals(c, s, "ta", "d")}
${js.map((j) => `s${j} = s${j} + dt * d${j};`).join(" ")}`;
  }
  if (m.name === "rk4") {
    return `const h = tb - ta;
const half = h / 2;
${rhsLocals(c, s, "ta", "k1_")}
${js.map((j) => `const u${j} = s${j} + half * k1_${j};`).join(" ")}
${rhsLocals(c, v("u"), "ta + half", "k2_")}
${js.map((j) => `const v${j} = s${j} + half * k2_${j};`).join(" ")}
${rhsLocals(c, v("v"), "ta + half", "k3_")}
${js.map((j) => `const w${j} = s${j} + h * k3_${j};`).join(" ")}
${rhsLocals(c, v("w"), "tb", "k4_")}
${js.map((j) => `s${j} = s${j} + (h / 6) * (k1_${j} + 2 * k2_${j} + 2 * k3_${j} + k4_${j});`).join("\n")}`;
  }
  const stages = range(7)
    .slice(1)
    .map((st) => {
      const x = `${stageCoefficients(st)}\n${js.map((j) => `const x${st}_${j} = ${chain(`s${j}`, range(st).map((r) => `a${st}${r} * k${r}_${j}`))};`).join("\n")}`;
      return `${x}\n${rhsLocals(c, v(`x${st}_`), stageTime(st), `k${st}_`)}`;
    })
    .join("\n");
  return `${dopri5Open(m)}
${rhsLocals(c, s, "t", "k0_", "let")}
${dopri5Loop}
${dopri5Prologue(m)}
${stages}
let small = 1;
${js
  .map(
    (j) => `const e${j} = ${chain("0", range(7).map((r) => `${lit(E[r]!)} * k${r}_${j}`))};
const scale${j} = ${lit(m.atol)} + ${lit(m.rtol)} * Math.max(Math.abs(s${j}), Math.abs(x6_${j}));
const r${j} = Math.abs(h * e${j}) / scale${j};
small &= r${j} < ${lit(SMALL_ERR)};`,
  )
  .join("\n")}
${errorNorm((body) => js.map((j) => body(String(j))).join(" "), (j) => `r${j}`)}
${nonFinite}
if (err <= 1) { t = last ? tb : t + h; ${js.map((j) => `s${j} = x6_${j}; k0_${j} = k6_${j};`).join(" ")} }
${controller}
}
steps += attempts;
}`;
}

/**
 * Scratch arrays of a stencil kernel, made once per kernel, and whether a step swaps them. Euler
 * and RK4 swap the state's two arrays (locals declared `let`); dopri5 copies its accepted state
 * and FSAL stage instead (`const`): V8 builds an array that never changes into the code, address
 * and length, while a swapped one is a loop phi loaded and checked at every use (heat1d, 31
 * points: 490 -> 375 ns a trial step, for 62 copies per accepted step).
 */
const STENCIL_BUFFERS: Record<KernelMethodName, { readonly names: readonly string[]; readonly swapped: boolean }> = {
  euler: { names: ["a", "b"], swapped: true },
  rk4: { names: ["a", "b", "k1", "k2", "k3", "u", "v"], swapped: true },
  // r: each point's scaled error, |h e| / scale
  dopri5: { names: ["a", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "p", "q", "r"], swapped: false },
};

const swap = (x: string, y: string) => `{ const w = ${x}; ${x} = ${y}; ${y} = w; }`;

/** One sub-step from ta to tb on the state in array a. */
function stencilStep(s: Stencil, m: KernelMethod, unroll: boolean): string {
  const rhsRows = (input: string, time: string, body: (f: string, g: string, cur: string) => string) => rows(s, input, time, body, unroll);
  if (m.name === "euler") {
    return `const dt = tb - ta;
${rhsRows("a", "ta", (f, g, cur) => `b[${g}] = ${cur} + dt * ${f};`)}
${swap("a", "b")}`;
  }
  if (m.name === "rk4") {
    return `const h = tb - ta;
const half = h / 2;
${rhsRows("a", "ta", (f, g, cur) => `k1[${g}] = ${f}; u[${g}] = ${cur} + half * ${f};`)}
${rhsRows("u", "ta + half", (f, g) => `k2[${g}] = ${f}; v[${g}] = a[${g}] + half * ${f};`)}
${rhsRows("v", "ta + half", (f, g) => `k3[${g}] = ${f}; u[${g}] = a[${g}] + h * ${f};`)}
${rhsRows("u", "tb", (f, g) => `b[${g}] = a[${g}] + (h / 6) * (k1[${g}] + 2 * k2[${g}] + 2 * k3[${g}] + ${f});`)}
${swap("a", "b")}`;
  }
  // stage st reads the buffer written by stage st - 1 (p, q alternately) and writes the next one
  const buffer = (st: number) => (st % 2 === 1 ? "p" : "q");
  const combination = (st: number, g: string, f: string) => chain(`a[${g}]`, range(st).map((r) => `a${st}${r} * ${r === st - 1 ? f : `k${r}[${g}]`}`));
  const stages = range(6)
    .slice(1)
    .map((st) => `${stageCoefficients(st + 1)}\n${rhsRows(buffer(st), stageTime(st), (f, g) => `k${st}[${g}] = ${f}; ${buffer(st + 1)}[${g}] = ${combination(st + 1, g, f)};`)}`)
    .join("\n");
  // elementwise work on every point, as a loop or unrolled like the rows
  const points = (body: (g: string) => string) =>
    unroll ? range(s.dim).map((g) => body(String(g))).join("\n") : `for (let g = 0; g < ${s.dim}; g++) { ${body("g")} }`;
  const error = (f: string, g: string, cur: string) => `k6[${g}] = ${f};
const e = ${chain("0", range(7).map((r) => `${lit(E[r]!)} * ${r === 6 ? f : `k${r}[${g}]`}`))};
const scale = ${lit(m.atol)} + ${lit(m.rtol)} * Math.max(Math.abs(a[${g}]), Math.abs(${cur}));
const x = Math.abs(h * e) / scale;
r[${g}] = x; small &= x < ${lit(SMALL_ERR)};`;
  return `${dopri5Open(m)}
${rhsRows("a", "t", (f, g) => `k0[${g}] = ${f};`)}
${dopri5Loop}
${dopri5Prologue(m)}
${stageCoefficients(1)}
${points((g) => `p[${g}] = a[${g}] + a10 * k0[${g}];`)}
${stages}
let small = 1;
${rhsRows("q", stageTime(6), error)}
${errorNorm(points)}
${nonFinite}
if (err <= 1) { t = last ? tb : t + h; ${points((g) => `a[${g}] = q[${g}]; k0[${g}] = k6[${g}];`)} }
${controller}
}
steps += attempts;
}`;
}

/**
 * A stencil's rows are unrolled only while the step's source is at most this long (the rarely
 * used underflow march always loops). V8 optimizes no function of more than 60 KB of bytecode
 * (about 1.2 bytes per character of this source), hence Euler's and RK4's bound. dopri5's
 * unrolled trial step is slower than its loops well before that (ns per trial step, heat1d-like,
 * unrolled vs looped: 8 points, 11,800 characters: 208 vs 380; 16 points, 22,700: about even;
 * 31 points, 43,400: 540 vs 360), so it loops from about 17 points on.
 */
const MAX_UNROLLED_STEP: Record<KernelMethodName, number> = { euler: 44_000, rk4: 44_000, dopri5: 24_000 };

/**
 * The body of a factory `(linspaceAt, Interrupted, stats) => march` where march has the
 * signature of iterate.ts's march (y, t0, t1, n, stride, table, stop) plus two for the
 * warm-up (kernel.ts): `mask`, where `stop` is asked after step i when (i & mask) === 0, so
 * 2^16 - 1 gives iterate.ts's cadence and 0 reaches that call in a few steps; and `shortcut`,
 * dopri5's STEP_FACTOR shortcut, true but in a warm-up. `unroll` forces a stencil's rows
 * unrolled or looped (default: unrolled when small enough).
 */
export function marchSource(c: CheckedRhs, m: KernelMethod, mode: TableMode, unroll?: boolean): string {
  if (c.kind === "stencil" && unroll === undefined) return marchSource(c, m, mode, stencilStep(c, m, true).length <= MAX_UNROLLED_STEP[m.name]);
  const dim = c.dim;
  const js = range(dim);
  const stencil = c.kind === "stencil";
  const buffers = stencil ? STENCIL_BUFFERS[m.name] : { names: [], swapped: false };
  const writeRow = (at: string) =>
    stencil ? `for (let j = 0; j < ${dim}; j++) table[${at} + j] = a[j];` : js.map((j) => `table[${at} + ${j}] = s${j};`).join(" ");
  const saveRow =
    mode === "none"
      ? ""
      : mode === "every"
        ? `${writeRow("row")}\nrow += ${dim};`
        : `if (--countdown === 0 || i === n) {\ncountdown = stride;\n${writeRow("row")}\nrow += ${dim};\n}`;
  // the march with the time points of linspace as `time` gives them, all else the same
  const march = (name: string, time: string, unrolled: boolean) => `function ${name}(y, t0, t1, n, stride, table, stop, mask, shortcut) {
if (y.length !== ${dim}) throw new RangeError(\`kernel: the state has \${y.length} components, the problem ${dim}\`);
${stencil ? `${buffers.names.map((b) => `${buffers.swapped ? "let" : "const"} ${b} = ${b.toUpperCase()}_;`).join(" ")}\na.set(y);` : `let ${js.map((j) => `s${j} = y[${j}]`).join(", ")};`}
${mode === "none" ? "" : writeRow("0")}
const step = (t1 - t0) / n;
const T0 = +t0, T1 = +t1;
let row = ${dim};
let countdown = stride;
let ta = T0;
let steps = 0;
for (let i = 1; i <= n; i++) {
const tb = i === n ? T1 : ${time};
${c.kind === "stencil" ? stencilStep(c, m, unrolled) : componentsStep(c, m)}
ta = tb;
if ((i & mask) === 0 && stop !== undefined && stop()) throw new Interrupted();
${saveRow}
}
stats.steps = steps;
${stencil ? "return a.slice();" : `const out = new Float64Array(${dim});\n${js.map((j) => `out[${j}] = s${j};`).join(" ")}\nreturn out;`}
}`;
  return `"use strict";
${buffers.names.map((b) => `const ${b.toUpperCase()}_ = new Float64Array(${dim});`).join("\n")}
// NumPy's fallback when (t1 - t0) / n underflows to 0: a function of its own, because a call's
// result as one branch of tb's value makes V8 box tb at every step (twice a small system's step)
${march("underflow", "linspaceAt(t0, t1, n + 1, i)", false)}
// unary plus, the identity on numbers, keeps the parameters' times unboxed for the same reason
return ${march("march", "i * step + T0", unroll === true).replace("const step = (t1 - t0) / n;", "const step = (t1 - t0) / n;\nif (step === 0) return underflow(y, t0, t1, n, stride, table, stop, mask, shortcut);")};`;
}

/** The body of a factory `() => rhs(t, y, dydt)`: the plain callback, from the same emission. */
export function rhsSource(c: CheckedRhs): string {
  if (c.kind === "stencil") {
    return `"use strict";\nreturn function rhs(t, y, d) {\n${rows(c, "y", "t", (f, g) => `d[${g}] = ${f};`, c.dim <= 64)}\n};`;
  }
  const js = range(c.dim);
  return `"use strict";
return function rhs(t, y, d) {
const ${js.map((j) => `s${j} = y[${j}]`).join(", ")};
${rhsLocals(c, js.map((j) => `s${j}`), "t", "f")}
${js.map((j) => `d[${j}] = f${j};`).join(" ")}
};`;
}
