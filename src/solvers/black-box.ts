/**
 * A program as the fine or coarse solver: the state goes to it as the HDF5 file `{in}`, its
 * trajectory (or just the final state) comes back as `{out}`, both in the run's exchange directory.
 */
import { existsSync } from "node:fs";
import { isCancelled } from "../errors.js";
import { strippedLine } from "../shown.js";
import { loadHdf5, readDataset, writeHdf5 } from "../archive/hdf5.js";
import { Literal, type H5Snap } from "../expr/vector.js";
import { ioNames, removeQuietly, type CommandSpec } from "./command.js";
import { expandTemplate } from "./command-template.js";
import { runShell } from "../process/supervisor.js";
import { reachArchive, writeFineFile } from "./fine-file.js";
import { checkFinite } from "./finite.js";
import type { CoarseSpec, FineSpec } from "./spec.js";

/** Run a black-box command on the state y; returns what it wrote to `{out}`, checked, as rows of y's length. */
async function runBlackBox(kind: "coarse" | "fine", command: CommandSpec, iteration: number, h: number, y: Float64Array, t0: number, t1: number, stop?: () => boolean) {
  await loadHdf5();
  reachArchive(command.workdir);
  const { input, output } = ioNames(command, kind, iteration, t0, t1);
  const what = `${kind} command`; // the job error around it names the iteration and the slice
  try {
    writeHdf5(input, [{ name: "data", data: y, shape: [y.length], attributes: { t0: { dtype: "float64", value: t0 }, t1: { dtype: "float64", value: t1 } } }]);
    await runShell(expandTemplate(command.template, { in: input, out: output, t0, t1, iter: iteration, h }), what, stop).catch((e: unknown) => {
      // its stderr is the program's: escapes and line breaks must not reach a terminal or run.json
      throw isCancelled(e) || !(e instanceof Error) ? e : new Error(strippedLine(e.message, 4000));
    });
    if (!existsSync(output)) throw new Error(`${what} exited 0 but wrote no {out} file (${output})`);
    const { data, shape } = readDataset(output, "data");
    const rows = shape.length === 1 ? 1 : (shape[0] ?? 0);
    if (!((shape.length === 1 && shape[0] === y.length) || (shape.length === 2 && shape[1] === y.length && rows >= 1))) {
      throw new Error(`${what}: dataset \`data\` of {out} has shape [${shape.join(", ")}]; expected [${y.length}] or [rows, ${y.length}]`);
    }
    return { data, rows, dim: y.length };
  } finally {
    removeQuietly(input, output);
  }
}

export async function runFineCommand(spec: FineSpec, command: CommandSpec, y: Float64Array, t0: number, t1: number, stop?: () => boolean): Promise<H5Snap> {
  const out = await runBlackBox("fine", command, spec.iteration, spec.h, y, t0, t1, stop);
  return writeFineFile(spec, t0, t1, { ...out, n: out.rows - 1, stride: 1 });
}

export async function runCoarseCommand(spec: CoarseSpec, command: CommandSpec, y: Float64Array, t0: number, t1: number): Promise<Literal> {
  const out = await runBlackBox("coarse", command, spec.iteration, spec.h ?? t1 - t0, y, t0, t1);
  const last = out.data.slice((out.rows - 1) * out.dim, out.rows * out.dim);
  checkFinite(last, "coarse command");
  return new Literal(last);
}
