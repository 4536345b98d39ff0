// Generated fine kernels (src/ode/kernel): bit for bit the generic path, wired into the fine
// solver, for built-in problems and user modules; invalid declarations refused. About 4 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { dopri5 } from "../src/ode/dopri5.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { iterateSolution, keptRows, subSteps, tabulateSubSteps } from "../src/ode/iterate.js";
import { CancelledError } from "../src/errors.js";
import { linspace } from "../src/ode/linspace.js";
import { asMethod, type Method, type Problem } from "../src/ode/problem.js";
import { rk4 } from "../src/ode/rk4.js";
import type { DeclaredRhs } from "../src/ode/kernel/declared.js";
import { DeclarationError } from "../src/ode/kernel/expression.js";
import { STEP_FACTOR } from "../src/ode/kernel/generate.js";
import { compiledKernels, declaredRhs, declareProblem, withKernel } from "../src/ode/kernel/kernel.js";
import { loadHdf5, readDataset } from "../src/archive/hdf5.js";
import { problems } from "../src/models/builtin.js";
import { loadProblemModule } from "../src/models/user-module.js";
import { runFine } from "../src/solvers/fine.js";
import { fineSpec } from "../src/solvers/spec.js";
import type { RunReport } from "../src/parareal/driver.js";
import { repoRoot, runCli, tempDir } from "./helpers.js";

type Name = "euler" | "rk4" | "dopri5";
const METHODS: readonly Name[] = ["euler", "rk4", "dopri5"];

/** Today's generic methods, as makeMethod builds them. */
function generic(name: Name, problem: Problem, options: { rtol?: number; atol?: number; maxSteps?: number } = {}): Method {
  if (name === "euler") return forwardEuler(problem);
  if (name === "rk4") return rk4(problem);
  const solve = dopri5(problem, options);
  return asMethod(problem.dim, (y, t0, t1, out) => out.set(solve(y, t0, t1)));
}

function assertSameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  const [x, y] = [new BigUint64Array(a.buffer, a.byteOffset, a.length), new BigUint64Array(b.buffer, b.byteOffset, b.length)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.fail(`${what}: element ${i} differs: ${a[i]} (generic) vs ${b[i]} (kernel)`);
}

// a sub-step per problem that keeps every explicit method stable over a few slices
const H: Record<string, number> = { harmonic: 0.01, lorenz: 1e-3, vanderpol: 1e-3, brusselator: 1e-3, heat1d: 1e-4 };

test("every built-in problem x explicit method: the kernel's tables and states are the generic path's, bit for bit", () => {
  const before = compiledKernels();
  for (const [name, entry] of Object.entries(problems)) {
    const problem = entry.build(entry.defaults);
    assert.ok(problem.declared, `${name} declares its right-hand side`);
    const y0 = Float64Array.from(entry.y0(entry.defaults));
    const t = linspace(0, entry.tEnd, entry.points);
    for (const method of METHODS) {
      const plain = generic(method, problem);
      const fast = withKernel(generic(method, problem), problem, method);
      assert.ok(fast.march, `${name} ${method} has a kernel`);
      // three consecutive slices, as fine jobs: every row, then every 3rd and every 7th (odd n, partial last stride)
      let y: Float64Array = y0;
      for (let s = 0; s < 3; s++) {
        const [t0, t1] = [t[s]!, t[s + 1]!];
        const n = subSteps(t0, t1, H[name]!);
        for (const stride of [1, 3, 7]) {
          const a = tabulateSubSteps(plain, y, t0, t1, n, stride);
          const b = tabulateSubSteps(fast, y, t0, t1, n, stride);
          assert.equal(b.rows, a.rows);
          assertSameBits(a.data, b.data, `${name} ${method} slice ${s} (n = ${n}) stride ${stride}`);
        }
        // odd n and a stride longer than the slice
        const odd = tabulateSubSteps(plain, y, t0, t1, 13, 20);
        assertSameBits(odd.data, tabulateSubSteps(fast, y, t0, t1, 13, 20).data, `${name} ${method} n = 13, stride 20`);
        const last = iterateSolution(plain, H[name]!)(y, t0, t1);
        assertSameBits(last, iterateSolution(fast, H[name]!)(y, t0, t1), `${name} ${method} without a table`);
        y = last;
      }
      // NumPy's underflow fallback: (t1 - t0) / n is 0, the time points come from linspaceAt
      if (method !== "dopri5") {
        const [t0, t1] = [0, 1e-322];
        assert.equal((t1 - t0) / 64, 0);
        assertSameBits(tabulateSubSteps(plain, y0, t0, t1, 64, 1).data, tabulateSubSteps(fast, y0, t0, t1, 64, 1).data, `${name} ${method} underflow`);
      }
      // an empty interval: every step is of width 0 (dopri5 returns its input unchanged)
      assertSameBits(tabulateSubSteps(plain, y0, 0.5, 0.5, 5, 2).data, tabulateSubSteps(fast, y0, 0.5, 0.5, 5, 2).data, `${name} ${method} t0 = t1`);
    }
  }
  // 5 problems x 3 methods x (every row, strided, no table)
  assert.equal(compiledKernels() - before, 45);
});

test("dopri5 in the underflow case, and with other tolerances: the same refusal and the same numbers", () => {
  const problem = problems["harmonic"]!.build({ omega0: 1, zeta: 0.5 });
  const y0 = Float64Array.of(1, 0);
  // linspace(0, 1e-322, 65): the first sub-step has width 0 (skipped), the second 5e-324, whose
  // first trial step, span / 100, is 0 and never gets anywhere
  const few = { maxSteps: 5000 };
  const refusal = (m: Method) => assert.throws(() => tabulateSubSteps(m, y0, 0, 1e-322, 64, 1), /dopri5: more than 5000 steps between t = 0 and 5e-324/);
  refusal(generic("dopri5", problem, few));
  refusal(withKernel(generic("dopri5", problem, few), problem, "dopri5", few));
  for (const [name, entry, t1] of [["lorenz", problems["lorenz"]!, 0.05], ["heat1d", problems["heat1d"]!, 0.01]] as const) {
    const p = entry.build(entry.defaults);
    const y = Float64Array.from(entry.y0(entry.defaults));
    const options = { rtol: 1e-9, atol: 1e-12 };
    const a = tabulateSubSteps(generic("dopri5", p, options), y, 0, t1, 7, 2);
    const b = tabulateSubSteps(withKernel(generic("dopri5", p, options), p, "dopri5", options), y, 0, t1, 7, 2);
    assertSameBits(a.data, b.data, `${name} dopri5 rtol 1e-9`);
  }
});

test("dopri5 on a stencil: error estimates that decide the step (rejections, Math.pow) and a non-finite one, as the generic path", () => {
  const entry = problems["heat1d"]!;
  const p = entry.build(entry.defaults);
  const y = Float64Array.from(entry.y0(entry.defaults));
  // sub-steps of 0.05: every trial step's error matters (the generic solver rejects some)
  const solve = dopri5(p);
  solve(y, 0, 0.05);
  assert.ok(solve.stats.rejected > 0, "some trial steps rejected");
  const a = tabulateSubSteps(generic("dopri5", p), y, 0, 0.1, 2, 1);
  assertSameBits(a.data, tabulateSubSteps(withKernel(generic("dopri5", p), p, "dopri5"), y, 0, 0.1, 2, 1).data, "heat1d dopri5, sub-steps of 0.05");
  // a NaN in the state: the same refusal, at the same time
  const bad = Float64Array.from(y);
  bad[7] = Number.NaN;
  const refusal = (m: Method) => assert.throws(() => tabulateSubSteps(m, bad, 0, 0.01, 10, 1), /dopri5: non-finite error estimate at t = 0$/);
  refusal(generic("dopri5", p));
  refusal(withKernel(generic("dopri5", p), p, "dopri5"));
});

test("dopri5's step-size factor: where the kernel skips Math.pow, the clamp gives the same factor", () => {
  const full = (err: number) => (err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -1 / 5))));
  const factor = new Function("err", "shortcut", `return ${STEP_FACTOR};`) as (err: number, shortcut: boolean) => number;
  const kernel = (err: number) => factor(err, true);
  const errs = [0, Number.MIN_VALUE, 1e-4, 1e4, Number.MAX_VALUE, 1.8816764231589208e-4, 1853.0201157407409];
  for (let e = -323; e <= 308; e += 0.005) errs.push(10 ** e);
  for (const x of [1e-4, 1e4]) for (let k = 1; k < 50; k++) errs.push(x * (1 - k * Number.EPSILON), x * (1 + k * Number.EPSILON));
  for (const err of errs) assert.ok(Object.is(kernel(err), full(err)) && Object.is(factor(err, false), full(err)), `err ${err}: ${kernel(err)} vs ${full(err)}`);
});

test("the kernel asks `stop` at the same steps as the generic loop and stops the same way", () => {
  const problem = problems["harmonic"]!.build({ omega0: 1, zeta: 0.5 });
  const n = 3 * 65536 + 5;
  for (const m of [forwardEuler(problem), withKernel(forwardEuler(problem), problem, "euler")]) {
    let asked = 0;
    tabulateSubSteps(m, Float64Array.of(1, 0), 0, 1, n, 1000, undefined, () => (asked++, false));
    assert.equal(asked, 3, "every 2^16 steps");
    asked = 0;
    assert.throws(() => tabulateSubSteps(m, Float64Array.of(1, 0), 0, 1, n, 1, undefined, () => ++asked === 2), CancelledError);
    assert.equal(asked, 2);
  }
});

test("a declaration computes what JavaScript computes for the same text (precedence, associativity, signs, Math)", () => {
  const expressions = [
    "x - 1 - x * 3 / 7 + 2",
    "2 ** 3 ** 0.5 * x",
    "(-x) ** 2 - -x ** 2 * 0",
    "-(x ** 3) / +y",
    "x / y / 3 * y - x * (y - 1e-3) + .5e2",
    "Math.sin(t) * exp(-x) + max(x, y, 0.1) - atan2(y, x) + hypot(x, y, t)",
    "0 - x * 0",
  ];
  for (const src of expressions) {
    let js: ((x: number, y: number, t: number) => number) | undefined;
    try {
      js = new Function("x", "y", "t", "const { exp, max, atan2, hypot } = Math; return " + src) as (x: number, y: number, t: number) => number;
    } catch {
      // JavaScript refuses the text (-x ** 2): so must the declaration
      assert.throws(() => declareProblem({ kind: "components", state: ["x", "y"], derivatives: { x: src, y: "0" } }), /write \(-a\) \*\* b/);
      continue;
    }
    const rhs = declaredRhs({ kind: "components", state: ["x", "y"], derivatives: { x: src, y: "0" } });
    for (const [x, y, t] of [[0.3, -1.7, 2.5], [-0, 0, 0], [1e-300, 3e300, -1]] as const) {
      const d = new Float64Array(2);
      rhs(t, Float64Array.of(x, y), d);
      assert.ok(Object.is(d[0], js(x, y, t)), `${src} at (${x}, ${y}, ${t}): ${d[0]} vs ${js(x, y, t)}`);
    }
  }
});

test("names are the author's own: state and parameters named like the generated code's locals still work", () => {
  // s0, d1, h, n, table, y... are names inside the generated march; the declaration's names are renamed
  const declared: DeclaredRhs = {
    kind: "components",
    state: ["s1", "s0", "y"],
    params: { h: 0.5, n: -2, table: 3, k1_0: 0.25 },
    let: { d0: "h * s0 - n", step: "d0 * d0" },
    derivatives: { s1: "s0", s0: "-s1 * table + k1_0 * y", y: "step - t * y" },
  };
  const byHand: Problem = {
    dim: 3,
    rhs(t, v, d) {
      const [a, b, c] = [v[0]!, v[1]!, v[2]!];
      const d0 = 0.5 * b - -2;
      const step = d0 * d0;
      d[0] = b;
      d[1] = -a * 3 + 0.25 * c;
      d[2] = step - t * c;
    },
  };
  const problem = declareProblem(declared);
  const y0 = Float64Array.of(0.1, 0.2, 0.3);
  for (const method of METHODS) {
    const a = tabulateSubSteps(generic(method, byHand), y0, 0.25, 0.75, 41, 4);
    assertSameBits(a.data, tabulateSubSteps(generic(method, problem), y0, 0.25, 0.75, 41, 4).data, `${method}: generated rhs`);
    assertSameBits(a.data, tabulateSubSteps(withKernel(generic(method, problem), problem, method), y0, 0.25, 0.75, 41, 4).data, `${method}: kernel`);
  }
});

test("stencils: wider reads, two wall values, the index i and t, grids narrower than the stencil", () => {
  for (const dim of [1, 3, 40]) {
    const declared: DeclaredRhs = {
      kind: "stencil",
      dim,
      state: "w",
      outside: { left: 1, right: -0.5 },
      params: { c: 0.3 },
      expression: "c * (w[i - 2] - 4 * w[i - 1] + 6 * w[i] - 4 * w[i + 1] + w[i + 2]) + i * t",
    };
    const at = (w: Float64Array, k: number) => (k < 0 ? 1 : k >= dim ? -0.5 : w[k]!);
    const byHand: Problem = {
      dim,
      rhs(t, w, d) {
        for (let i = 0; i < dim; i++) d[i] = 0.3 * (at(w, i - 2) - 4 * at(w, i - 1) + 6 * w[i]! - 4 * at(w, i + 1) + at(w, i + 2)) + i * t;
      },
    };
    const problem = declareProblem(declared);
    const y0 = Float64Array.from({ length: dim }, (_, i) => Math.sin(i + 1));
    for (const method of METHODS) {
      const a = tabulateSubSteps(generic(method, byHand), y0, 0, 0.02, 9, 2);
      assertSameBits(a.data, tabulateSubSteps(generic(method, problem), y0, 0, 0.02, 9, 2).data, `dim ${dim} ${method}: generated rhs`);
      assertSameBits(a.data, tabulateSubSteps(withKernel(generic(method, problem), problem, method), y0, 0, 0.02, 9, 2).data, `dim ${dim} ${method}: kernel`);
    }
  }
});

test("invalid declarations are refused, naming what and where", () => {
  const components = (derivative: string, extra: Partial<Record<string, unknown>> = {}) =>
    ({ kind: "components", state: ["x"], params: { k: 2 }, derivatives: { x: derivative }, ...extra }) as unknown as DeclaredRhs;
  const refused: [DeclaredRhs, RegExp][] = [
    [components("k * z"), /derivative of `x`: unknown name `z` \(known: x, k, t\) at column 5/],
    [components("x.constructor"), /unexpected token at column 2 \(`\.`\)/],
    [components("process.exit(1)"), /unknown name `process`/],
    [components("eval(1)"), /unknown function `eval`/],
    [components("Math.random()"), /Math\.random is not allowed/],
    [components("'1' + x"), /unexpected `'` at column 1/],
    [components("x = 1"), /unexpected `=` at column 3/],
    [components("x; k"), /unexpected `;`/],
    [components("`${x}`"), /unexpected `\``/],
    [components("-x ** 2"), /write \(-a\) \*\* b or -\(a \*\* b\)/],
    [components("x[0]"), /only the stencil's state may be indexed/],
    [components("sin(x, k)"), /sin takes 1 argument, got 2/],
    [components("(x + 1"), /expected `\)` at the end/],
    [components(""), /expected a number, a name or `\(` at the end/],
    [components("1", { params: { k: "2; alert(1)" } }), /parameter `k` must be a number, got string/],
    [components("1", { state: ["x", "x"] }), /state component `x` is declared twice/],
    [components("1", { state: ["t"], derivatives: { t: "1" } }), /state component `t` is reserved/],
    [components("1", { params: { "k k": 1 } }), /parameter `k k` is not a name/],
    [components("1", { derivatives: { x: "1", q: "2" } }), /derivatives: `q` is not a state component/],
    [components("1", { state: ["x", "v"] }), /missing the derivative of `v`/],
    [components("1", { let: { a: "a + 1" } }), /let `a`: unknown name `a`/],
    [{ kind: "stencil", dim: 0, state: "u", outside: 0, expression: "u[i]" }, /stencil: `dim` must be a whole number >= 1, got 0/],
    [{ kind: "stencil", dim: 5, state: "u", outside: 0, expression: "u[j]" }, /expected `i` in u\[i \+ k\]/],
    [{ kind: "stencil", dim: 5, state: "u", outside: 0, expression: "u[i + 1.5]" }, /expected a whole number in u\[i ± k\]/],
    [{ kind: "stencil", dim: 5, state: "u", outside: 0, expression: "u[i + 17]" }, /offsets reach at most 16 points/],
    [{ kind: "stencil", dim: 5, state: "u", outside: 0, expression: "u + 1" }, /the state `u` is read as u\[i\]/],
    [{ kind: "stencil", dim: 5, state: "u", outside: "0", expression: "u[i]" } as unknown as DeclaredRhs, /outside must be a number, got string/],
    [{ kind: "ode" } as unknown as DeclaredRhs, /unknown kind `ode` \(components or stencil\)/],
  ];
  for (const [declared, message] of refused) {
    assert.throws(
      () => declareProblem(declared),
      (e: unknown) => e instanceof DeclarationError && /^declared right-hand side: /.test(e.message) && message.test(e.message),
      `${JSON.stringify(declared)} should be refused with ${message}`,
    );
  }
});

/** examples/problems/forced.mjs with a hand-written rhs callback instead of its declaration. */
function plainForced(dir: string): string {
  const index = pathToFileURL(join(repoRoot, "dist", "src", "index.js")).href;
  const file = join(dir, "forced-plain.mjs");
  writeFileSync(
    file,
    `import { defineProblem } from ${JSON.stringify(index)};
export default defineProblem({
  defaults: { w: 1.5, f: 0.3 },
  build: (p) => ({ dim: 2, rhs(t, y, d) { const w2 = p.w * p.w; d[0] = y[1]; d[1] = p.f * Math.cos(t) - w2 * y[0]; } }),
  y0: () => [1, 0], tEnd: 4, points: 9, fine: { method: "rk4", h: 0.01 }, coarse: { method: "euler" },
});
`,
  );
  return file;
}

test("user modules: a declared right-hand side runs the kernel, a plain callback the generic path, with the same files", async (t) => {
  const dir = tempDir(t);
  await loadHdf5();
  const modules = { declared: join(repoRoot, "examples", "problems", "forced.mjs"), plain: plainForced(dir) };
  for (const method of METHODS) {
    const data: Float64Array[] = [];
    for (const [kind, file] of Object.entries(modules)) {
      const before = compiledKernels();
      const url = pathToFileURL(file).href;
      await loadProblemModule(url);
      const spec = fineSpec({ name: kind, params: { f: 0.7 }, module: url }, 1, { h: 0.01, archive: join(dir, `${kind}-${method}`), method, saveEvery: 3 });
      const { snap } = await runFine(spec, Float64Array.of(1, 0), 0.5, 1.27);
      data.push(readDataset(snap.path, "data").data);
      assert.equal(compiledKernels() - before, kind === "declared" ? 1 : 0, `${kind} ${method}: kernels compiled`);
    }
    assert.equal(data[0]!.length, keptRows(subSteps(0.5, 1.27, 0.01), 3) * 2);
    assertSameBits(data[1]!, data[0]!, `${method}: the plain module's file and the declared module's`);
  }
  // a whole run through the CLI and its worker threads: the same maxdif history and final states
  const runs = await Promise.all(
    Object.values(modules).map((file, i) => runCli(["run", "--problem", file, "--fine", "dopri5", "--json", "--workers", "1", "--output", join(dir, `run-${i}`)])),
  );
  const [a, b] = runs.map((r) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as RunReport;
  });
  assert.ok(a!.converged);
  assert.deepEqual(b!.maxdif, a!.maxdif);
  assert.deepEqual(b!.final, a!.final);
  assert.deepEqual(b!.reference, a!.reference);
});

test("a user module whose declaration is invalid fails its job with the declaration's message", async (t) => {
  const dir = tempDir(t);
  const index = pathToFileURL(join(repoRoot, "dist", "src", "index.js")).href;
  const file = join(dir, "bad.mjs");
  writeFileSync(
    file,
    `import { declareProblem, defineProblem } from ${JSON.stringify(index)};
export default defineProblem({ defaults: { k: 1 }, build: (p) => declareProblem({ kind: "components", state: ["y"], params: p, derivatives: { y: "-k * y + require(1)" } }), y0: () => [1], tEnd: 1, points: 3, fine: { method: "euler", h: 0.1 }, coarse: { method: "euler" } });
`,
  );
  const r = await runCli(["run", "--problem", file, "--output", join(dir, "out")]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /declared right-hand side: derivative of `y`: unknown function `require`/);
});
