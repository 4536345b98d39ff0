/**
 * A job may name a problem module to import or a command to run: code from whoever can submit
 * jobs. The driver's own threads trust what the driver named; a Redis worker trusts modules and
 * commands only when started with --allow-modules / --allow-commands. An OpenFOAM case is a
 * command too (it names the application to run, and its dictionaries may compile and run code:
 * codeStream, coded function objects), so it needs --allow-commands. Passed down explicitly.
 */
import type { SolverSpec } from "./spec.js";

export interface Trust {
  readonly modules: boolean;
  readonly commands: boolean;
}

/** the driver's own process: it named the modules and commands itself */
export const TRUST_ALL: Trust = { modules: true, commands: true };
export const TRUST_NONE: Trust = { modules: false, commands: false };

/** Refuse a spec that needs more trust than this worker has. */
export function checkTrust(spec: SolverSpec, trust: Trust): void {
  if (spec.problem.module !== undefined && !trust.modules) {
    throw new Error(`this worker does not load problem modules (${spec.problem.module}); start it with --allow-modules`);
  }
  if (spec.command !== undefined && !trust.commands) {
    throw new Error(`this worker does not run solver commands (${spec.command.template}); start it with --allow-commands`);
  }
  if (spec.openfoam !== undefined && !trust.commands) {
    throw new Error(`this worker does not run OpenFOAM cases (${spec.openfoam.case.app} in ${spec.openfoam.case.dir}); start it with --allow-commands`);
  }
}
