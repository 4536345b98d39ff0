/**
 * The generated fine kernels (src/ode/kernel) against C, per step: the oscillator, Lorenz and
 * heat1d (31 points) with forward Euler, RK4 and dopri5. The C is written here by hand, the
 * same operations as the generic methods, the state in locals for the ODEs and in arrays for
 * heat1d (its stencil with the walls peeled off the loop), compiled with `cc -O2` in the same run.
 *
 * Per step: wall time of one march of n sub-steps without a table, divided by n; for dopri5,
 * divided by its trial steps (accepted and rejected, each 6 right-hand sides plus the error
 * estimate), which both sides count. The kernel runs 3 times to warm up, then it and the C
 * program take turns, 8 rounds of 2 runs each (C after one untimed run per process); min and
 * median are reported; the target is judged on the ratio of the medians (the ratio of the
 * minimums, shown beside it, is the steadier one on a busy machine).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asMethod, type Method, type Problem } from "../src/ode/problem.js";
import { forwardEuler } from "../src/ode/forward-euler.js";
import { rk4 } from "../src/ode/rk4.js";
import { dopri5 } from "../src/ode/dopri5.js";
import { iterateSolution } from "../src/ode/iterate.js";
import { marchKernel } from "../src/ode/kernel/kernel.js";
import type { KernelMethodName } from "../src/ode/kernel/generate.js";
import { problems } from "../src/models/builtin.js";
import type { Table } from "./table.js";

const WARMUP = 3;
const ROUNDS = 8;
export const TARGET_RATIO = 1.3;

interface Case {
  readonly problem: "harmonic" | "lorenz" | "heat1d";
  readonly method: KernelMethodName;
  /** sub-steps over [0, tEnd] */
  readonly n: number;
  readonly tEnd: number;
}

// sizes for about 10 to 40 ms a run; spans where the state stays far from subnormal numbers
const CASES: readonly Case[] = [
  { problem: "harmonic", method: "euler", n: 5_000_000, tEnd: 10 },
  { problem: "harmonic", method: "rk4", n: 2_000_000, tEnd: 10 },
  { problem: "harmonic", method: "dopri5", n: 100_000, tEnd: 10 },
  { problem: "lorenz", method: "euler", n: 3_000_000, tEnd: 1 },
  { problem: "lorenz", method: "rk4", n: 1_000_000, tEnd: 1 },
  { problem: "lorenz", method: "dopri5", n: 50_000, tEnd: 1 },
  { problem: "heat1d", method: "euler", n: 200_000, tEnd: 0.1 },
  { problem: "heat1d", method: "rk4", n: 50_000, tEnd: 0.1 },
  { problem: "heat1d", method: "dopri5", n: 5_000, tEnd: 0.1 },
];

const c = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));
const each = (n: number, f: (j: number) => string, sep = " ") => Array.from({ length: n }, (_, j) => f(j)).join(sep);

/** C expressions of each component's derivative over locals named by `v(j)`. */
type CRhs = (v: (j: number) => string) => string[];

function cRhs(problem: Problem, name: Case["problem"]): { dim: number; rhs: CRhs } | { dim: number; stencil: number } {
  const d = problem.declared!;
  const p = (k: string) => c(d.params![k]!);
  if (name === "harmonic") return { dim: 2, rhs: (v) => [v(1), `${p("damping")} * ${v(1)} - ${p("stiffness")} * ${v(0)}`] };
  if (name === "lorenz") {
    return {
      dim: 3,
      rhs: (v) => [`${p("sigma")} * (${v(1)} - ${v(0)})`, `${v(0)} * (${p("rho")} - ${v(2)}) - ${v(1)}`, `${v(0)} * ${v(1)} - ${p("beta")} * ${v(2)}`],
    };
  }
  return { dim: problem.dim, stencil: d.params!["c"]! };
}

const A = [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9], [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729], [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656], [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]];
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

const PRELUDE = `#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec a; clock_gettime(CLOCK_MONOTONIC, &a); return a.tv_sec * 1e9 + a.tv_nsec; }
static double maxd(double a, double b) { return a > b ? a : b; }
static double mind(double a, double b) { return a < b ? a : b; }
/* the kernel's step-size factor (generate.ts): pow only where the clamp does not decide */
#define STEP_FACTOR (err < 1e-4 ? 5 : err > 1e4 ? 0.2 : mind(5, maxd(0.2, 0.9 * pow(err, -1.0 / 5))))
`;

const LOOP_OPEN = `double step = (t1 - t0) / n, ta = t0;
for (long i = 1; i <= n; i++) {
double tb = i == n ? t1 : i * step + t0;`;

/** One C function `run(n, t0, t1, y, steps)` for an ODE with the state in locals. */
function cLocals(dim: number, rhs: CRhs, method: KernelMethodName): string {
  const s = (j: number) => `s${j}`;
  const body =
    method === "euler"
      ? `double dt = tb - ta;
${rhs(s).map((e, j) => `double d${j} = ${e};`).join("\n")}
${each(dim, (j) => `s${j} = s${j} + dt * d${j};`)}`
      : method === "rk4"
        ? `double h = tb - ta, half = h / 2;
${rhs(s).map((e, j) => `double k1_${j} = ${e};`).join("\n")}
${each(dim, (j) => `double u${j} = s${j} + half * k1_${j};`)}
${rhs((j) => `u${j}`).map((e, j) => `double k2_${j} = ${e};`).join("\n")}
${each(dim, (j) => `double v${j} = s${j} + half * k2_${j};`)}
${rhs((j) => `v${j}`).map((e, j) => `double k3_${j} = ${e};`).join("\n")}
${each(dim, (j) => `double w${j} = s${j} + h * k3_${j};`)}
${rhs((j) => `w${j}`).map((e, j) => `double k4_${j} = ${e};`).join("\n")}
${each(dim, (j) => `s${j} = s${j} + (h / 6) * (k1_${j} + 2 * k2_${j} + 2 * k3_${j} + k4_${j});`, "\n")}`
        : `if (tb != ta) {
double span = tb - ta, h = span / 100, t = ta; long attempts = 0;
${rhs(s).map((e, j) => `double k0_${j} = ${e};`).join("\n")}
while ((span > 0 && t < tb) || (span < 0 && t > tb)) {
if (attempts >= 1000000) { fprintf(stderr, "too many steps\\n"); exit(1); }
int last = fabs(h) >= fabs(tb - t);
if (last) h = tb - t;
${[1, 2, 3, 4, 5, 6]
  .map(
    (st) => `${each(dim, (j) => `double x${st}_${j} = s${j}${A[st]!.map((a, r) => ` + h * ${c(a)} * k${r}_${j}`).join("")};`, "\n")}
${rhs((j) => `x${st}_${j}`).map((e, j) => `double k${st}_${j} = ${e};`).join("\n")}`,
  )
  .join("\n")}
double err = 0;
${each(
  dim,
  (j) => `{ double e = 0${E.map((x, r) => ` + ${c(x)} * k${r}_${j}`).join("")};
double scale = 1e-9 + 1e-6 * maxd(fabs(s${j}), fabs(x6_${j}));
err = maxd(err, fabs(h * e) / scale); }`,
  "\n",
)}
if (!isfinite(err)) { fprintf(stderr, "non-finite\\n"); exit(1); }
attempts++;
if (err <= 1) { t = last ? tb : t + h; ${each(dim, (j) => `s${j} = x6_${j}; k0_${j} = k6_${j};`)} }
h *= STEP_FACTOR;
}
*steps += attempts;
}`;
  return `static void run(long n, double t0, double t1, double *y, long *steps) {
${each(dim, (j) => `double s${j} = y[${j}];`)}
${LOOP_OPEN}
${body}
ta = tb;
}
${each(dim, (j) => `y[${j}] = s${j};`)}
}`;
}

/** The same for heat1d: arrays, the stencil's first and last points outside the loop. */
function cStencil(dim: number, k: number, method: KernelMethodName): string {
  const rhs = `#define N ${dim}
static void rhs(const double *u, double *d) {
d[0] = ${c(k)} * (0 - 2 * u[0] + u[1]);
for (int i = 1; i < N - 1; i++) d[i] = ${c(k)} * (u[i - 1] - 2 * u[i] + u[i + 1]);
d[N - 1] = ${c(k)} * (u[N - 2] - 2 * u[N - 1] + 0);
}
static double k0[N], k1[N], k2[N], k3[N], k4[N], k5[N], k6[N], tmp[N], next[N];`;
  const ks = ["k0", "k1", "k2", "k3", "k4", "k5", "k6"];
  const body =
    method === "euler"
      ? `double dt = tb - ta;
rhs(y, k0);
for (int j = 0; j < N; j++) y[j] = y[j] + dt * k0[j];`
      : method === "rk4"
        ? `double h = tb - ta, half = h / 2;
rhs(y, k1); for (int j = 0; j < N; j++) tmp[j] = y[j] + half * k1[j];
rhs(tmp, k2); for (int j = 0; j < N; j++) tmp[j] = y[j] + half * k2[j];
rhs(tmp, k3); for (int j = 0; j < N; j++) tmp[j] = y[j] + h * k3[j];
rhs(tmp, k4); for (int j = 0; j < N; j++) y[j] = y[j] + (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);`
        : `if (tb != ta) {
double span = tb - ta, h = span / 100, t = ta; long attempts = 0;
rhs(y, k0);
while ((span > 0 && t < tb) || (span < 0 && t > tb)) {
if (attempts >= 1000000) { fprintf(stderr, "too many steps\\n"); exit(1); }
int last = fabs(h) >= fabs(tb - t);
if (last) h = tb - t;
${[1, 2, 3, 4, 5, 6]
  .map((st) => `for (int j = 0; j < N; j++) tmp[j] = y[j]${A[st]!.map((a, r) => ` + h * ${c(a)} * ${ks[r]}[j]`).join("")};\n${st === 6 ? "memcpy(next, tmp, sizeof next);\n" : ""}rhs(tmp, ${ks[st]});`)
  .join("\n")}
double err = 0;
for (int j = 0; j < N; j++) {
double e = 0${E.map((x, r) => ` + ${c(x)} * ${ks[r]}[j]`).join("")};
double scale = 1e-9 + 1e-6 * maxd(fabs(y[j]), fabs(next[j]));
err = maxd(err, fabs(h * e) / scale);
}
if (!isfinite(err)) { fprintf(stderr, "non-finite\\n"); exit(1); }
attempts++;
if (err <= 1) { t = last ? tb : t + h; memcpy(y, next, sizeof next); memcpy(k0, k6, sizeof k0); }
h *= STEP_FACTOR;
}
*steps += attempts;
}`;
  return `${rhs}
static void run(long n, double t0, double t1, double *y, long *steps) {
${LOOP_OPEN}
${body}
ta = tb;
}
}`;
}

/** A C program: argv n t1 reps warmup y0...; prints ns per step of each measured run. */
function cProgram(run: string, dim: number, method: KernelMethodName): string {
  return `${PRELUDE}${run}
int main(int argc, char **argv) {
long n = atol(argv[1]); double t1 = atof(argv[2]); int reps = atoi(argv[3]), warmup = atoi(argv[4]);
double y0[${dim}], y[${dim}], check = 0;
for (int j = 0; j < ${dim}; j++) y0[j] = atof(argv[5 + j]);
for (int r = 0; r < warmup + reps; r++) {
memcpy(y, y0, sizeof y); long steps = 0;
double a = now(); run(n, 0, t1, y, &steps); double b = now();
check += y[0];
if (r >= warmup) printf("%.4f\\n", (b - a) / ${method === "dopri5" ? "steps" : "n"});
}
fprintf(stderr, "%g\\n", check);
return 0;
}
`;
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[sorted.length >> 1]! };
};

/** Today's generic method, as makeMethod builds it, counting dopri5's trial steps. */
function genericMethod(method: KernelMethodName, problem: Problem): { method: Method; steps: { n: number } } {
  const steps = { n: 0 };
  if (method === "euler") return { method: forwardEuler(problem), steps };
  if (method === "rk4") return { method: rk4(problem), steps };
  const solve = dopri5(problem);
  const counted = asMethod(problem.dim, (y, t0, t1, out) => {
    out.set(solve(y, t0, t1));
    steps.n += solve.stats.accepted + solve.stats.rejected;
  });
  return { method: counted, steps };
}

export interface KernelRow {
  readonly problem: string;
  readonly method: KernelMethodName;
  readonly kernel: { min: number; median: number };
  readonly c?: { min: number; median: number };
  readonly generic: number;
  /** dopri5: trial steps per sub-step */
  readonly trialSteps?: number;
}

/** The C program of a case (its default parameters): `prog n t1 runs warmup y0...` prints ns per step of each run. */
export function cSource(name: Case["problem"], method: KernelMethodName): string {
  const entry = problems[name]!;
  const spec = cRhs(entry.build(entry.defaults), name);
  const run = "rhs" in spec ? cLocals(spec.dim, spec.rhs, method) : cStencil(spec.dim, spec.stencil, method);
  return cProgram(run, spec.dim, method);
}

/** Compile one C program with `cc -O2`; undefined when there is no `cc` (or it fails). */
function compileC(dir: string, name: string, source: string): string | undefined {
  const src = join(dir, `${name}.c`);
  const exe = join(dir, name);
  writeFileSync(src, source);
  const cc = spawnSync("cc", ["-O2", "-o", exe, src, "-lm"], { encoding: "utf8" });
  return cc.error || cc.status !== 0 ? undefined : exe;
}

/** `runs` timed runs of the C program, after one untimed, in ns per step. */
function runC(exe: string, k: Case, y0: Float64Array, runs: number): number[] {
  const r = spawnSync(exe, [String(k.n), String(k.tEnd), String(runs), "1", ...Array.from(y0, String)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`C kernel ${exe} failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").map(Number);
}

/**
 * Every case: the kernel, C (when `cc` exists) and the generic path, per step in ns. The
 * kernel and C take turns, ROUNDS rounds of two runs each, so that both see the same load
 * from whatever else runs on the machine.
 */
export function kernelRows(): KernelRow[] {
  const dir = mkdtempSync(join(tmpdir(), "parareal-bench-kernel-"));
  const rows: KernelRow[] = [];
  try {
    for (const k of CASES) {
      const entry = problems[k.problem]!;
      const problem = entry.build(entry.defaults);
      const y0 = Float64Array.from(entry.y0(entry.defaults));
      const kernel = marchKernel(problem.declared!, k.method);
      const perStep = () => (k.method === "dopri5" ? kernel.stats.steps : k.n);
      const timeKernel = () => {
        const start = performance.now();
        kernel(y0, 0, k.tEnd, k.n, 1, null);
        return ((performance.now() - start) * 1e6) / perStep();
      };
      const exe = compileC(dir, `${k.problem}-${k.method}`, cSource(k.problem, k.method));
      for (let r = 0; r < WARMUP; r++) timeKernel();
      const times: number[] = [];
      const cTimes: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (exe !== undefined) cTimes.push(...runC(exe, k, y0, 2));
        times.push(timeKernel(), timeKernel());
      }
      const trialSteps = k.method === "dopri5" ? kernel.stats.steps / k.n : undefined;
      // today's generic path, for scale: fewer sub-steps, three runs after one
      const generic = genericMethod(k.method, problem);
      const few = Math.max(1, Math.round(k.n / 10));
      const genericTimes = [0, 1, 2, 3].map(() => {
        generic.steps.n = 0;
        const start = performance.now();
        iterateSolution(generic.method, k.tEnd / few)(y0, 0, k.tEnd);
        return ((performance.now() - start) * 1e6) / (k.method === "dopri5" ? generic.steps.n : few);
      });
      rows.push({
        problem: k.problem === "heat1d" ? `heat1d (${problem.dim})` : k.problem,
        method: k.method,
        kernel: stats(times),
        ...(exe === undefined ? {} : { c: stats(cTimes) }),
        generic: stats(genericTimes.slice(1)).median,
        ...(trialSteps === undefined ? {} : { trialSteps }),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The rows as one table. */
export function kernelTable(rows: readonly KernelRow[]): Table {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  const header = ["problem", "method", "kernel ns/step min / median", "C -O2 min / median", "ratio of medians (of mins)", "target", "", "generic path", "note"];
  const cells = rows.map((r) => {
    const ratio = r.c === undefined ? undefined : r.kernel.median / r.c.median;
    return [
      r.problem,
      r.method,
      `${f(r.kernel.min)} / ${f(r.kernel.median)}`,
      r.c === undefined ? "no cc" : `${f(r.c.min)} / ${f(r.c.median)}`,
      ratio === undefined || r.c === undefined ? "" : `${ratio.toFixed(2)}x (${(r.kernel.min / r.c.min).toFixed(2)}x)`,
      `<= ${TARGET_RATIO}x`,
      ratio === undefined ? "skipped" : ratio <= TARGET_RATIO ? "met" : "MISSED",
      f(r.generic),
      r.trialSteps === undefined ? "" : `per trial step; ${r.trialSteps.toFixed(2)} per sub-step`,
    ];
  });
  return { title: "Generated fine kernels against C, per step (issue 15, target 5)", header, cells };
}

/** The median ns per step of a case's C program (3 runs after one), or undefined without `cc`. */
export function cNsPerStep(problem: Case["problem"], method: KernelMethodName): number | undefined {
  const k = CASES.find((c) => c.problem === problem && c.method === method);
  if (k === undefined) throw new RangeError(`no C program for ${problem} ${method}`);
  const dir = mkdtempSync(join(tmpdir(), "parareal-bench-c-"));
  try {
    const exe = compileC(dir, `${problem}-${method}`, cSource(problem, method));
    if (exe === undefined) return undefined;
    const entry = problems[problem]!;
    return stats(runC(exe, k, Float64Array.from(entry.y0(entry.defaults)), 3)).median;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
