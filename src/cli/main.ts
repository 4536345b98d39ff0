#!/usr/bin/env node
/** The `parareal` command. Errors end as one line on stderr: exit 2 for bad input, 1 otherwise. */
import v8 from "node:v8";
import { Command, CommanderError } from "commander";
import { UsageError } from "../errors.js";
import { addCommands } from "./commands.js";
import { version } from "../version.js";
import { oneLine } from "../shown.js";

// HDF5 (h5wasm) work is many short calls: background TurboFan tier-up of its 3 MB of wasm costs
// more CPU than it saves in a run, halving file-write speed on small machines. Must precede any
// wasm compile; the flag is process-wide, so worker threads get it too. PARAREAL_WASM_TIERUP=1 keeps it.
if (process.env.PARAREAL_WASM_TIERUP !== "1") v8.setFlagsFromString("--liftoff-only");

const debug = process.argv.includes("--debug");

function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    // help and version are not errors
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") process.exit(0);
    process.stderr.write(`parareal: ${error.message.replace(/^error: /, "")}\n`);
    process.exit(2);
  }
  // one line whatever the error says (a module's multi-line message, a program's escapes)
  const message = oneLine(error instanceof Error ? error.message : String(error), 8192);
  process.stderr.write(`parareal: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  process.exit(error instanceof UsageError ? 2 : 1);
}

const program = new Command("parareal")
  .description(
    "Parallel-in-time integration with parareal: a cheap coarse solver run serially, corrected by an accurate " +
      "fine solver run in parallel over time slices, until successive iterates agree to a tolerance. " +
      "Fine trajectories are archived as HDF5 files, one per job.",
  )
  .version(version)
  .exitOverride()
  .configureOutput({ writeErr: (s) => (s.startsWith("error:") ? undefined : process.stderr.write(s)) })
  .showSuggestionAfterError(true);
addCommands(program);
for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: (s) => (s.startsWith("error:") ? undefined : process.stderr.write(s)) });

process.on("unhandledRejection", fail);
// a throw from a timer or callback anywhere (a problem module's own): one line too, not a stack
process.on("uncaughtException", fail);
/**
 * Output that could not be written is a failure (a full disk, /dev/full), named as such; a closed
 * pipe (`parareal run --json | head`) is the reader's choice, not our failure.
 */
function stdoutFailed(e: NodeJS.ErrnoException): never {
  if (e.code === "EPIPE") process.exit(0);
  const why = e.code === "ENOSPC" ? "no space left on the device" : (e.code ?? e.message);
  process.stderr.write(`parareal: cannot write the output to stdout: ${why}\n`);
  process.exit(1);
}
process.stdout.on("error", stdoutFailed);
/** Exit once stdout has been written out: on a pipe, process.exit alone truncates long output. */
function exitAfterFlush(code: number): void {
  // the last write's error reaches this callback before the stream's error event
  process.stdout.write("", (e) => (e ? stdoutFailed(e) : process.exit(code)));
}

program
  .parseAsync(process.argv)
  // exit explicitly: a closed Redis client or thread pool may leave a handle for a moment
  .then(() => exitAfterFlush(typeof process.exitCode === "number" ? process.exitCode : 0), fail);
