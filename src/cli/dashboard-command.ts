/**
 * `parareal dashboard OUTPUT`: serve the live dashboard of the run in OUTPUT, finished or still
 * running elsewhere, by following OUTPUT/events.jsonl (or, for a run that wrote none, from its
 * run.json). Runs until SIGINT or SIGTERM, then exits 0.
 *
 * Also what `parareal run --dashboard [PORT]` needs: `startDashboard(feed, { host, port })` and
 * the option parser `dashboardPort`.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { readRunRecord, RUN_FILE, type RunRecord } from "../archive/run-record.js";
import { EVENTS_FILE } from "../dashboard/event-log.js";
import { EventFeed } from "../dashboard/feed.js";
import { followEventsFile } from "../dashboard/follow.js";
import { eventsFromRunRecord } from "../dashboard/from-run-record.js";
import { serveDashboard, type DashboardServer } from "../dashboard/server.js";
import { UsageError } from "../errors.js";

export const DEFAULT_DASHBOARD_HOST = "127.0.0.1";
/** `parareal dashboard` without --port; 0 picks a free port */
export const DEFAULT_DASHBOARD_PORT = 8765;

/** A TCP port, 0 (a free one) to 65535. */
export function dashboardPort(text: string): number {
  const x = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(x) && x >= 0 && x <= 65535)) throw new InvalidArgumentError(`\`${text}\` is not allowed: give a port from 0 (a free one) to 65535.`);
  return x;
}

/**
 * Serve the dashboard of `feed` (the run's in-memory events) on host:port; resolves once it
 * listens (its `url` is where to point a browser). Failing to listen is one line: a UsageError
 * for an address this machine does not have, an Error otherwise (a port in use).
 */
export async function startDashboard(feed: EventFeed, options: { host?: string; port?: number } = {}): Promise<DashboardServer> {
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  try {
    return await serveDashboard({ feed, host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (code === "EADDRINUSE") throw new Error(`dashboard: ${where} is in use: give another port, or 0 for a free one`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") throw new UsageError(`dashboard: cannot listen on ${where}: no such address on this machine`);
    if (code === "EACCES") throw new Error(`dashboard: not allowed to listen on ${where}`);
    throw e;
  }
}

interface Flags {
  port: number;
  host: string;
  json: boolean;
}

export function addDashboardCommand(program: Command): void {
  program
    .command("dashboard")
    .description(
      "Serve the live dashboard of the run in OUTPUT (its jobs per iteration and slice, maxdif per iteration, the task stream per worker, " +
        "progress and parameters), finished or still running elsewhere: it follows OUTPUT/events.jsonl. Prints the URL; SIGINT or SIGTERM stops it.",
    )
    .argument("<output>", "the --output directory of `parareal run`")
    .addOption(new Option("--port <n>", "port to listen on; 0 picks a free one").argParser(dashboardPort).default(DEFAULT_DASHBOARD_PORT))
    .option("--host <address>", "address to listen on (other than loopback: anyone who reaches it sees the run)", DEFAULT_DASHBOARD_HOST)
    .option("--json", "print {\"url\", \"output\"} as one JSON line instead of text", false)
    .action(async (output: string, flags: Flags) => {
      await serveRunDirectory(output, flags);
    });
}

async function serveRunDirectory(output: string, flags: Flags): Promise<void> {
  const dir = resolve(output);
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${output}`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${output}`);
  const eventsPath = join(dir, EVENTS_FILE);
  const hasEvents = existsSync(eventsPath);
  let record: RunRecord | undefined;
  try {
    record = readRunRecord(dir);
  } catch (e) {
    if (!hasEvents) throw new UsageError((e as Error).message);
  }
  if (!hasEvents && !record) throw new UsageError(`${output}: no ${EVENTS_FILE} and no ${RUN_FILE} (is it the --output of parareal run?)`);
  const feed = new EventFeed();
  // a run without an events file: its run.json stands in until (if ever) the file appears
  if (!hasEvents && record) feed.appendAll(eventsFromRunRecord(record));
  const follower = followEventsFile(eventsPath, feed);
  const server = await startDashboard(feed, { host: flags.host, port: flags.port });
  process.stdout.write(flags.json ? JSON.stringify({ url: server.url, output: dir }) + "\n" : `dashboard of ${dir}: ${server.url}\n`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  follower.stop();
  await server.close();
}
