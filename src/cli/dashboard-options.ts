/** The dashboard's address options, apart from its server so that the CLI can define them cheaply. */
import { InvalidArgumentError } from "commander";

export const DEFAULT_DASHBOARD_HOST = "127.0.0.1";
/** `parareal dashboard` without --port; 0 picks a free port */
export const DEFAULT_DASHBOARD_PORT = 8765;

/** A TCP port, 0 (a free one) to 65535. */
export function dashboardPort(text: string): number {
  const x = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(x) && x >= 0 && x <= 65535)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give a port from 0 (a free one) to 65535.`);
  return x;
}
