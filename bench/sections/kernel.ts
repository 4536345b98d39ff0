/**
 * Issue 15, target 5: the fine kernel at most 1.3x C per step on the oscillator, Lorenz and heat1d,
 * for every explicit method, C measured in the same run (bench/kernel.ts). First the oscillator's
 * Euler step as the fine solver runs it: one long march, and 79-step slices tabulated as a job does.
 */
import { withKernel } from "../../src/ode/kernel/kernel.js";
import { forwardEuler } from "../../src/ode/forward-euler.js";
import { iterateSolution, tabulateSubSteps } from "../../src/ode/iterate.js";
import { harmonicOscillator } from "../../src/models/harmonic.js";
import { kernelRows, kernelTable } from "../kernel.js";
import { median } from "../stats.js";
import { rowsTable, type Table } from "../table.js";

export async function run(): Promise<Table[]> {
  const kernels = kernelRows();
  const c = kernels.find((r) => r.problem === "harmonic" && r.method === "euler")?.c?.median;

  const oscillator = harmonicOscillator(1, 0.5);
  const method = withKernel(forwardEuler(oscillator), oscillator, "euler");
  const n = 5_000_000;
  const march = () => {
    const start = performance.now();
    iterateSolution(method, 1 / n)(Float64Array.of(1, 0), 0, 1);
    return ((performance.now() - start) * 1e6) / n;
  };
  march();
  const ours = median([march(), march(), march()]);
  // as the fine solver runs it: slices of 79 steps, every state kept in a fresh table
  const slices = 50_000;
  const scratch = new Float64Array(160);
  const tabulated = () => {
    const start = performance.now();
    for (let i = 0; i < slices; i++) tabulateSubSteps(method, Float64Array.of(1, 0), 0, 0.79, 79, 1, scratch);
    return ((performance.now() - start) * 1e6) / (slices * 79);
  };
  tabulated();
  const slicesNs = median([tabulated(), tabulated(), tabulated()]);
  const vsC = (x: number) => (c === undefined ? "no cc for comparison" : `C -O2 here: ${c.toFixed(2)} ns, ratio ${(x / c).toFixed(2)}`);
  return [
    rowsTable("Fine kernel: the oscillator's Euler step as the fine solver runs it", [
      { what: "fine kernel: forward Euler step of the oscillator (median of 3 marches of 5e6 steps)", value: ours, unit: "ns", target: 5, note: vsC(ours) },
      { what: "fine kernel: 79-step slices, every state tabulated (as the fine job)", value: slicesNs, unit: "ns", target: 5, note: vsC(slicesNs) },
    ]),
    kernelTable(kernels),
  ];
}
