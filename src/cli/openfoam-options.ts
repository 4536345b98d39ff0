/**
 * The options of `parareal run --openfoam CASE`: the case, its application, fields, time steps and
 * coarse mesh. They go together: OpenFOAM options without --openfoam, or problem options (--h,
 * --problem, --fine, ...) with it, are refused with one line naming the option.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { OpenFoamInput } from "../config/openfoam-config.js";
import { positiveNumber } from "./parse.js";

export interface OpenFoamFlags {
  openfoam?: string;
  fineDt?: number;
  coarseDt?: number;
  app?: string;
  fields?: string[];
  coarseCase?: string;
  keepCases: boolean;
}

/** option attribute -> flag, for messages */
const OPENFOAM_OPTIONS: Record<string, string> = { fineDt: "--fine-dt", coarseDt: "--coarse-dt", app: "--app", fields: "--fields", coarseCase: "--coarse-case", keepCases: "--keep-cases" };
/** options of a problem run that mean nothing for a case, and what to give instead */
const PROBLEM_OPTIONS: Record<string, string> = {
  problem: "--problem",
  param: "--param",
  coarseParam: "--coarse-param (give a coarser mesh with --coarse-case)",
  fine: "--fine",
  coarse: "--coarse",
  fineCmd: "--fine-cmd",
  coarseCmd: "--coarse-cmd",
  coarseH: "--coarse-h (the coarse step is --coarse-dt)",
  h: "--h (the fine step is --fine-dt)",
  y0: "--y0 (the initial state is the case's start time)",
  rtol: "--rtol",
  atol: "--atol",
  omega0: "--omega0",
  zeta: "--zeta",
};

function fieldList(text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) throw new InvalidArgumentError(`\`${text}\` is not allowed: give field names separated by commas, e.g. U,p,phi.`);
  return names;
}

export function addOpenFoamOptions(command: Command): Command {
  return command
    .option("--openfoam <case>", "solve an OpenFOAM case: its application is the fine solver (at --fine-dt) and the coarse one (at --coarse-dt); t runs from the case's start time to --t-end")
    .addOption(new Option("--fine-dt <x>", "with --openfoam: the fine solver's deltaT (default: the case's)").argParser(positiveNumber))
    .addOption(new Option("--coarse-dt <x>", "with --openfoam: the coarse solver's deltaT (required)").argParser(positiveNumber))
    .option("--app <name>", "with --openfoam: the solver application (default: the controlDict's application)")
    .addOption(new Option("--fields <list>", "with --openfoam: the fields of the state, e.g. U,p,phi (default: every field the application writes)").argParser(fieldList))
    .option("--coarse-case <dir>", "with --openfoam: run the coarse solver on this case (the same geometry on a coarser mesh), mapFields between the meshes")
    .option("--keep-cases", "with --openfoam: keep every job's scratch copy of the case in OUTPUT/cases", false);
}

/** The OpenFOAM part of the run the flags describe, or undefined for a problem run. */
export function openFoamInput(flags: OpenFoamFlags & { param: string[]; coarseParam: string[] }, given: (option: string) => boolean): OpenFoamInput | undefined {
  if (flags.openfoam === undefined) {
    const stray = Object.keys(OPENFOAM_OPTIONS).find(given);
    if (stray !== undefined) throw new InvalidArgumentError(`${OPENFOAM_OPTIONS[stray]} applies to OpenFOAM runs only: give --openfoam CASE`);
    return undefined;
  }
  for (const [option, flag] of Object.entries(PROBLEM_OPTIONS)) {
    const set = option === "param" ? flags.param.length > 0 : option === "coarseParam" ? flags.coarseParam.length > 0 : given(option);
    if (set) throw new InvalidArgumentError(`${flag.split(" ")[0]} does not apply to --openfoam runs${flag.includes("(") ? ` ${flag.slice(flag.indexOf("("))}` : ""}`);
  }
  return {
    case: flags.openfoam,
    ...(flags.app === undefined ? {} : { app: flags.app }),
    ...(flags.fields === undefined ? {} : { fields: flags.fields }),
    ...(flags.coarseCase === undefined ? {} : { coarseCase: flags.coarseCase }),
    ...(flags.fineDt === undefined ? {} : { fineDt: flags.fineDt }),
    ...(flags.coarseDt === undefined ? {} : { coarseDt: flags.coarseDt }),
    ...(flags.keepCases ? { keepCases: true } : {}),
  };
}
