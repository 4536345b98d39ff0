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
import { readRunRecord, RUN_FILE, type RunRecord } from "../archive/run-record.js";
import { EVENTS_FILE } from "../dashboard/event-log.js";
import { EventFeed } from "../dashboard/feed.js";
import { followEventsFile } from "../dashboard/follow.js";
import { eventsFromRunRecord } from "../dashboard/from-run-record.js";
import { serveDashboard, type DashboardServer } from "../dashboard/server.js";
import { UsageError } from "../errors.js";

import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT } from "./dashboard-options.js";
export { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, dashboardPort } from "./dashboard-options.js";

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

export interface DashboardFlags {
  port: number;
  host: string;
  json: boolean;
}


export async function serveRunDirectory(output: string, flags: DashboardFlags): Promise<void> {
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
