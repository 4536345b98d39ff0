/**
 * What a dashboard viewer costs, without solvers: a synthetic 1,000-slice run's events (about
 * 140,000) are replayed into a feed at a given rate, once with nobody watching and once served
 * with a headless chromium showing the page. Prints the CPU seconds of this process (the run's
 * side: feed, encoding, sockets) and of chromium (all its processes), per second of replay.
 *
 *   node dist/bench/dashboard-replay.js [EVENTS_PER_SECOND=2400] [SLICES=1000]
 *
 * `npm run bench` runs it as its `viewer` section (the first 20 s of the replay).
 *
 * 2,400 events/s is what the 1,000-slice threads run of `npm run bench` produces on 2 cores
 * (~17,000 jobs, 3 events each, in ~20 s).
 */
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { EventFeed } from "../src/dashboard/feed.js";
import { serveDashboard } from "../src/dashboard/server.js";
import { syntheticRun } from "../src/dashboard/synthetic-run.js";
import type { RunEvent } from "../src/dashboard/events.js";
import { launchChromium, openDashboardPage } from "./chromium.js";

/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
export function processTreeCpuSeconds(root: number): number {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(name);
      const parent = Number(fields[1]);
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const walk = (pid: number): void => {
    total += cpu.get(pid) ?? 0;
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Append `events` to `feed` as a run would: at `rate` events per second, in 200 ms batches. */
async function replay(feed: EventFeed, events: readonly RunEvent[], rate: number): Promise<number> {
  const start = performance.now();
  let i = 0;
  while (i < events.length) {
    const due = Math.min(events.length, Math.floor(((performance.now() - start) / 1000) * rate));
    while (i < due) feed.append(events[i++]!);
    await sleep(200);
  }
  return (performance.now() - start) / 1000;
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

export interface ViewerCost {
  readonly events: number;
  /** replay seconds and this process's CPU seconds, nobody watching */
  readonly alone: { seconds: number; cpu: number };
  /** the same, served with one chromium viewer; chromium's CPU seconds (all its processes) */
  readonly served: { seconds: number; cpu: number; chromium: number };
  /** the page's last render, in ms */
  readonly renderMs: number;
  readonly errors: readonly string[];
}

/** Replay a synthetic run (its first `limit` events, if given) nobody watching, then with one chromium viewer. */
export async function measureViewerCost(rate: number, slices: number, limit = Number.POSITIVE_INFINITY): Promise<ViewerCost> {
  const all = syntheticRun({ slices, convergeAt: 20, workers: 2, fineSeconds: 0.02 });
  // a prefix of the run: the viewer must still see its end, so the last event (the run's end) is kept
  const events = all.length <= limit ? all : [...all.slice(0, limit - 1), all.at(-1)!];

  const alone = process.cpuUsage();
  const seconds0 = await replay(new EventFeed(), events, rate);
  const base = cpuSeconds(process.cpuUsage(alone));

  const feed = new EventFeed();
  const server = await serveDashboard({ feed });
  const chromium = await launchChromium();
  try {
    const { page, errors } = await openDashboardPage(chromium, server.url);
    const pid = chromium.browser.process()?.pid;
    if (pid === undefined) throw new Error("chromium has no process id");
    await sleep(1000);
    const browser0 = processTreeCpuSeconds(pid);
    const served = process.cpuUsage();
    const seconds1 = await replay(feed, events, rate);
    const own = cpuSeconds(process.cpuUsage(served));
    const browser = processTreeCpuSeconds(pid) - browser0;
    await page.waitForFunction(`document.querySelector("[data-testid=status]").textContent.startsWith("converged")`, { timeout: 60_000 });
    const renderMs = Number(await page.evaluate(`document.body.dataset.renderMs`));
    return { events: events.length, alone: { seconds: seconds0, cpu: base }, served: { seconds: seconds1, cpu: own, chromium: browser }, renderMs, errors };
  } finally {
    await chromium.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 2400);
  const slices = Number(process.argv[3] ?? 1000);
  const r = await measureViewerCost(rate, slices);
  console.log(`${r.events} events of a synthetic ${slices}-slice run, replayed at ${rate} events/s`);
  console.log(`nobody watching: ${r.alone.seconds.toFixed(1)} s, this process ${r.alone.cpu.toFixed(2)} CPU s`);
  const { seconds, cpu, chromium } = r.served;
  console.log(
    `served, one chromium viewer: ${seconds.toFixed(1)} s, this process ${cpu.toFixed(2)} CPU s (+${(cpu - r.alone.cpu).toFixed(2)} for serving, ` +
      `${((100 * (cpu - r.alone.cpu)) / seconds).toFixed(1)}% of a core), chromium ${chromium.toFixed(2)} CPU s (${((100 * chromium) / seconds).toFixed(1)}% of a core)`,
  );
  console.log(`page: last render ${r.renderMs} ms${r.errors.length > 0 ? `; errors: ${r.errors.join("; ")}` : ""}`);
}

// run as a script; imported by the bench's `viewer` section
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
