/** Logging as the command line sets it: the level checked, the log file tried before anything runs. */
import { appendFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { log } from "../log.js";
import { logLevel } from "./parse.js";

export function configureLog(flags: { log: string; logFile?: string | undefined }): void {
  const level = logLevel(flags.log);
  if (flags.logFile !== undefined) {
    if (flags.logFile.trim() === "") throw new UsageError("--log-file ``: give a file name");
    try {
      appendFileSync(flags.logFile, "");
    } catch (e) {
      throw new UsageError(`--log-file ${flags.logFile}: cannot append to it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  log.configure({ level, file: flags.logFile });
}
