/**
 * The live dashboard: event checks, the events-file follower, the server's stream and refusals,
 * and the page in Debian's chromium (headless, puppeteer-core) following a run in stages, in
 * process and through `parareal dashboard OUTPUT`. About 10 s, most of it the browser.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { launchChromium, openDashboardPage, type Chromium } from "../bench/chromium.js";
import { checkRunEvent, parseEventLine, type JobState, type RunEvent } from "../src/dashboard/events.js";
import { EventLog } from "../src/dashboard/event-log.js";
import { EventFeed } from "../src/dashboard/feed.js";
import { followEventsFile } from "../src/dashboard/follow.js";
import { serveDashboard } from "../src/dashboard/server.js";
import { watchDashboard } from "../src/dashboard/sse-client.js";
import { WireEncoder } from "../src/dashboard/wire.js";
import { syntheticRun } from "../src/dashboard/synthetic-run.js";
import { cliPath, repoRoot, runCli, tempDir } from "./helpers.js";
import { countColour, decodePng, distinctColours } from "./png.js";

/** What the page must show for a prefix of a run: every job's latest state, counted. */
function expectedCounts(events: readonly RunEvent[]): Record<JobState | "total", number> {
  const last = new Map<number, JobState>();
  for (const e of events) if (e.type === "job") last.set(e.id, e.state);
  const counts = { queued: 0, running: 0, done: 0, reused: 0, cancelled: 0, failed: 0, total: last.size };
  for (const s of last.values()) counts[s]++;
  return counts;
}

const maxdifPoints = (events: readonly RunEvent[]): number => events.filter((e) => e.type === "iterate" && e.maxdif !== null).length;

/** The states' colours, from the page's style sheet. */
function stateColour(state: JobState): string {
  const css = readFileSync(join(repoRoot, "src", "dashboard", "page", "style.css"), "utf8");
  const m = new RegExp(`--${state}:\\s*(#[0-9a-f]{6})`, "i").exec(css);
  assert.ok(m, `--${state} in style.css`);
  return m[1]!;
}

async function shownCounts(page: Page): Promise<Record<string, number>> {
  return page.$$eval("[data-testid^='count-']", (els) => Object.fromEntries(els.map((e) => [e.getAttribute("data-testid")!.slice(6), Number(e.textContent)])));
}

async function waitForText(page: Page, testid: string, text: string | RegExp): Promise<void> {
  // evaluated in the page (the test's TypeScript has no DOM types): the element's text matches
  const target = JSON.stringify(`[data-testid="${testid}"]`);
  const check = typeof text === "string" ? `=== ${JSON.stringify(text)}` : `.match(new RegExp(${JSON.stringify(text.source)})) !== null`;
  await page.waitForFunction(`(document.querySelector(${target})?.textContent ?? "")${check}`, { timeout: 5000 }).catch(async () => {
    const shown = await page.$eval(`[data-testid="${testid}"]`, (e) => e.textContent);
    assert.fail(`${testid} shows "${shown}", expected ${String(text)}`);
  });
}

async function assertShows(page: Page, events: readonly RunEvent[], what: string): Promise<void> {
  const want = expectedCounts(events);
  await waitForText(page, "count-total", String(want.total));
  await waitForText(page, "maxdif-points", String(maxdifPoints(events)));
  assert.deepEqual(await shownCounts(page), want, what);
  const marks = await page.$$eval("#maxdif-chart circle[data-series='maxdif']", (els) => els.length);
  assert.equal(marks, maxdifPoints(events), `${what}: maxdif marks in the chart`);
}

let chromium: Chromium;
before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
});

test("events: well-formed ones pass rebuilt, malformed ones are refused", () => {
  const run = syntheticRun({ reused: 2 });
  for (const e of run) assert.deepEqual(checkRunEvent(JSON.parse(JSON.stringify(e))), e);
  const job = { type: "job", at: 1, id: 3, phase: "parareal", kind: "fine", iteration: 2, slice: 4, state: "done", worker: "h:1:2", seconds: 0.5 };
  assert.deepEqual(parseEventLine(JSON.stringify({ ...job, extra: "dropped" })), job);
  const bad: unknown[] = [
    null,
    [],
    { ...job, type: "jobs" },
    { ...job, at: -1 },
    { ...job, state: "paused" },
    { ...job, slice: 0 },
    { ...job, iteration: 1.5 },
    { ...job, seconds: -1 },
    { ...job, worker: "x".repeat(5000) },
    { type: "iterate", at: 1, iteration: 1, maxdif: "1e-3" },
    { type: "end", at: 2, status: "done", iterations: 3 },
    { type: "run", at: 0, started: "x", parameters: [], slices: 3, maxIterations: 3, tol: 1e-4, workers: 2, executor: "threads", method: "parareal" },
  ];
  for (const b of bad) assert.equal(checkRunEvent(b), undefined, JSON.stringify(b)?.slice(0, 80));
  assert.equal(parseEventLine("{not json"), undefined);
  assert.equal(parseEventLine(""), undefined);
});

test("follower: a file that appears late, grows in partial lines, has bad lines, is truncated and replaced", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "events.jsonl");
  const feed = new EventFeed();
  let resets = 0;
  feed.subscribe({ appended: () => undefined, reset: () => resets++ });
  const follower = followEventsFile(path, feed, { intervalMs: 3_600_000 }); // polled by hand below
  t.after(() => follower.stop());
  await follower.poll();
  assert.equal(feed.length, 0, "no file yet");

  const run = syntheticRun({ slices: 5, convergeAt: 3 });
  const lines = run.map((e) => JSON.stringify(e) + "\n");
  // three lines and half of the fourth, split inside a multi-byte character
  const fourth = Buffer.from(lines[3]!.replace("}", ',"error":"é"}'));
  const split = fourth.indexOf(Buffer.from("é")) + 1;
  writeFileSync(path, Buffer.concat([Buffer.from(lines.slice(0, 3).join("")), fourth.subarray(0, split)]));
  await follower.poll();
  assert.equal(feed.length, 3);
  appendFileSync(path, Buffer.concat([fourth.subarray(split), Buffer.from("not an event\n\n{\"type\":\"job\"}\r\n"), Buffer.from(lines.slice(4).join(""))]));
  await follower.poll();
  assert.equal(feed.length, run.length, "every event, the split one included");
  assert.equal(feed.skipped, 2, "two bad lines skipped (the blank one is not counted)");
  assert.deepEqual(feed.events().slice(4), run.slice(4));
  assert.equal(resets, 0);

  // truncated and rewritten in place by a new run: the history starts over
  const next = syntheticRun({ slices: 4, convergeAt: 2, seed: 7 }).map((e) => (e.type === "run" ? { ...e, started: "2025-02-02T00:00:00.000Z" } : e));
  writeFileSync(path, next.slice(0, 10).map((e) => JSON.stringify(e) + "\n").join(""));
  await follower.poll();
  assert.equal(resets, 1, "truncation resets the feed");
  assert.deepEqual(feed.events(), next.slice(0, 10));
  assert.equal(feed.skipped, 0);

  // replaced by another file (rename over it): starts over again
  writeFileSync(path + ".new", lines.slice(0, 5).join(""));
  renameSync(path + ".new", path);
  await follower.poll();
  assert.equal(resets, 2, "a replaced file resets the feed");
  assert.equal(feed.length, 5);
});

test("wire: the page's decoder gives back every event the server's encoder wrote (times to 0.1 ms)", async () => {
  // the page's module, as built for the browser (it uses no DOM)
  const page = (await import(new URL("../src/dashboard/page/wire.js", import.meta.url).href)) as {
    WireDecoder: new () => { decode(items: unknown[]): RunEvent[] };
  };
  const run = syntheticRun({ reused: 2 });
  run.push({ type: "job", at: 9.87654321, id: 1_000_000, phase: "parareal", kind: "coarse", iteration: 0, slice: 6, state: "failed", worker: "w:1:1", seconds: 0.1, error: "boom" });
  const encoder = new WireEncoder();
  const decoder = new page.WireDecoder();
  const decoded: RunEvent[] = [];
  for (let i = 0; i < run.length; i += 100) {
    // in messages of 100, as JSON text, like the server's batches
    const text = "[" + run.slice(i, i + 100).map((e) => encoder.encode(e)).join(",") + "]";
    decoded.push(...decoder.decode(JSON.parse(text) as unknown[]));
  }
  const rounded = run.map((e) => (e.type === "job" ? { ...e, at: Math.round(e.at * 1e4) / 1e4 } : e));
  assert.deepEqual(decoded, rounded);
  const bytes = (f: (e: RunEvent) => string) => run.reduce((n, e) => n + f(e).length, 0);
  const compact = new WireEncoder();
  assert.ok(bytes((e) => compact.encode(e)) * 3 < bytes((e) => JSON.stringify(e)), "at least three times smaller than JSON objects");
});

test("event log: appended events reach the file in batches, as one JSON line each, and read back equal", async (t) => {
  const path = join(tempDir(t), "events.jsonl");
  const run = syntheticRun({ slices: 6, convergeAt: 4 });
  const log = new EventLog(path, 3_600_000); // flushed by hand below
  t.after(() => log.close());
  for (const e of run.slice(0, 10)) log.append(e);
  assert.equal(readFileSync(path, "utf8"), "", "nothing written before a flush");
  log.flush();
  assert.equal(readFileSync(path, "utf8").split("\n").length, 11);
  for (const e of run.slice(10)) log.append(e);
  log.close();
  log.append(run[0]!); // after close: ignored
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  assert.deepEqual(lines.map((l) => parseEventLine(l)), run);
  // and the periodic flush: a log with a short period writes without being asked
  const timed = new EventLog(path + ".2", 20);
  t.after(() => timed.close());
  timed.append(run[0]!);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(parseEventLine(readFileSync(path + ".2", "utf8").trim()), run[0]);
});

function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.host !== undefined ? { host: options.host } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A request line sent verbatim (clients normalise paths such as /../x). */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => (text += c));
    socket.on("end", () => resolve(text.split("\r\n")[0]!));
    socket.on("error", reject);
  });
}

test("server: serves the page and its assets only, refuses other paths, methods and foreign Host headers", async (t) => {
  const server = await serveDashboard({ feed: new EventFeed() });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await get(server.port, "/");
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(String(page.headers["content-security-policy"]), /default-src 'none'; script-src 'self'/);
  assert.match(page.body, /<script type="module" src="main.js">/);
  assert.equal((await get(server.port, "/main.js")).status, 200);
  assert.equal((await get(server.port, "/style.css?v=1")).status, 200);
  for (const path of ["/../package.json", "/%2e%2e/%2e%2e/package.json", "/page/main.js", "/main.js.map", "/etc/passwd", "/..%2f..%2fpackage.json"]) {
    assert.match(await rawGet(server.port, path), /^HTTP\/1\.1 404 /, path);
  }
  const post = await get(server.port, "/", { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, "GET, HEAD");
  assert.equal((await get(server.port, "/events", { method: "PUT" })).status, 405);
  assert.equal((await get(server.port, "/", { host: `attacker.example:${server.port}` })).status, 403, "DNS rebinding");
  assert.equal((await get(server.port, "/events", { host: `attacker.example:${server.port}` })).status, 403);
  assert.equal((await get(server.port, "/", { host: `localhost:${server.port}` })).status, 200);
});

test("server: history on connect, live events coalesced into few messages, resets, and close() with clients connected", async (t) => {
  const feed = new EventFeed();
  const run = syntheticRun();
  feed.appendAll(run.slice(0, 100));
  const server = await serveDashboard({ feed, flushMs: 50, heartbeatMs: 100 });
  let closed = false;
  t.after(() => (closed ? undefined : server.close()));
  const a = await watchDashboard(server.url);
  await a.waitForEvents(100);
  assert.equal(a.resets, 1, "a stream starts with a reset");
  const before = a.messages;
  // a busy run: one event at a time, all within one tick
  for (const e of run.slice(100)) feed.append(e);
  await a.waitForEvents(run.length);
  assert.ok(a.messages - before <= 2, `${run.length - 100} events in ${a.messages - before} messages`);
  const b = await watchDashboard(server.url);
  await b.waitForEvents(run.length);
  assert.equal(server.clients(), 2);
  feed.reset();
  feed.append(run[0]!);
  await a.waitFor(() => a.resets === 2 && a.events === 1);
  // heartbeats keep an idle stream alive: a comment line every heartbeatMs
  const raw = connect(server.port, "127.0.0.1", () => raw.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`));
  const heard = await new Promise<string>((resolve) => {
    let text = "";
    raw.setEncoding("utf8");
    raw.on("data", (c: string) => {
      text += c;
      if (text.includes(": heartbeat\n\n")) resolve(text);
    });
  });
  assert.match(heard, /^HTTP\/1\.1 200 [\s\S]*content-type: text\/event-stream[\s\S]*event: reset\n[\s\S]*: heartbeat\n\n/i);
  // an idle keep-alive connection too: close() must not wait for it
  const idle = connect(server.port, "127.0.0.1");
  await new Promise((r) => idle.once("connect", r));
  const start = performance.now();
  await server.close();
  closed = true;
  await Promise.all([a.ended, b.ended, new Promise((r) => raw.once("close", r))]);
  const ms = performance.now() - start;
  assert.ok(ms < 1000, `close() took ${ms.toFixed(0)} ms`);
  idle.destroy();
});

test("page in chromium: counts per state and maxdif points while the run goes, cancelled jobs after convergence, tooltip, screenshot", async (t) => {
  const run = syntheticRun({ slices: 19, convergeAt: 14, workers: 2, reused: 3 });
  const cut1 = run.findIndex((e) => e.type === "iterate" && e.iteration === 4) + 1;
  const cut2 = run.findIndex((e) => e.type === "iterate" && e.iteration === 9) + 1;
  assert.ok(expectedCounts(run.slice(0, cut1)).running > 0 && expectedCounts(run.slice(0, cut1)).queued > 0, "the first stage has running and queued jobs");
  assert.ok(expectedCounts(run).cancelled > 0 && expectedCounts(run).reused === 3);
  const feed = new EventFeed();
  feed.appendAll(run.slice(0, cut1));
  const server = await serveDashboard({ feed });
  t.after(() => server.close());
  const { page, errors } = await openDashboardPage(chromium, server.url, { width: 1280, height: 1000 });
  t.after(() => page.close());

  await assertShows(page, run.slice(0, cut1), "stage 1 (history on connect)");
  await waitForText(page, "status", /^running: parareal/);
  await waitForText(page, "connection", "live");
  for (const e of run.slice(cut1, cut2)) feed.append(e);
  await assertShows(page, run.slice(0, cut2), "stage 2 (live)");
  for (const e of run.slice(cut2)) feed.append(e);
  await assertShows(page, run, "after convergence");
  await waitForText(page, "status", "converged after 14 iterations");
  const shown = await shownCounts(page);
  assert.equal(shown.cancelled, expectedCounts(run).cancelled);
  assert.equal(shown.queued, 0);
  assert.equal(shown.running, 0);
  await waitForText(page, "eta", "0 s");
  assert.match(await page.$eval("#maxdif-chart", (e) => e.textContent ?? ""), /tol = 1\.000e-4/);

  // the reused fine job of iteration 1, slice 2: hover its cell
  const grid = await page.$eval("[data-testid=grid]", (c) => {
    const r = c.getBoundingClientRect();
    const data = Object.fromEntries(["left", "top", "cell-width", "row-height", "fine-height", "first-row"].map((k) => [k, Number(c.getAttribute(`data-${k}`))]));
    return { x: r.left, y: r.top, ...data };
  });
  const g = (k: string) => (grid as Record<string, number>)[k]!;
  await page.mouse.move(grid.x + g("left") + 1.5 * g("cell-width"), grid.y + g("top") + (2 - g("first-row")) * g("row-height") + g("fine-height") / 2);
  const tip = await page.$eval("#tooltip", (e) => ({ hidden: e.hasAttribute("hidden"), text: e.textContent ?? "" }));
  assert.equal(tip.hidden, false);
  assert.match(tip.text, /^fine job, iteration 1, slice 2\nstate: reused\nworker: synthetic:\d+:\d\ncompute: /);
  await page.mouse.move(0, 0);

  const shot = join(tempDir(t), "dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  const png = decodePng(readFileSync(shot));
  assert.equal(png.width, 1280);
  assert.ok(png.height > 1000, `height ${png.height}`);
  assert.ok(distinctColours(png) > 100, `${distinctColours(png)} colours`);
  // the grid's cells in the states' colours: many done, some cancelled and reused
  assert.ok(countColour(png, stateColour("done")) > 20_000, "done cells");
  assert.ok(countColour(png, stateColour("cancelled")) > 2_000, "cancelled cells");
  assert.ok(countColour(png, stateColour("reused")) > 500, "reused cells");
  assert.deepEqual(errors, [], "no errors in the page");
});

/** `parareal dashboard DIR --port 0 --json`: the URL it prints, and the process. */
async function startDashboardCommand(dir: string): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [cliPath, "dashboard", dir, "--port", "0", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    void exited.then((code) => reject(new Error(`parareal dashboard exited ${code}: ${stderr}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

test("parareal dashboard OUTPUT: follows events.jsonl as another process writes it; SIGTERM exits 0", async (t) => {
  const dir = tempDir(t);
  const run = syntheticRun({ slices: 12, convergeAt: 8, workers: 3, seed: 3 });
  const cut = run.findIndex((e) => e.type === "iterate" && e.iteration === 3) + 1;
  const path = join(dir, "events.jsonl");
  // the first batch ends in half a line, as a writer flushing in batches may leave it
  const text = run.map((e) => JSON.stringify(e) + "\n").join("");
  const cutAt = run.slice(0, cut).map((e) => JSON.stringify(e) + "\n").join("").length;
  writeFileSync(path, text.slice(0, cutAt + 20));
  const cmd = await startDashboardCommand(dir);
  let stopped = false;
  t.after(() => (stopped ? undefined : cmd.stop()));
  assert.match(cmd.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const { page, errors } = await openDashboardPage(chromium, cmd.url);
  t.after(() => page.close());
  await assertShows(page, run.slice(0, cut), "from the file, mid-run");
  appendFileSync(path, text.slice(cutAt + 20));
  await assertShows(page, run, "the file completed");
  await waitForText(page, "status", "converged after 8 iterations");
  assert.deepEqual(errors, []);
  const start = performance.now();
  assert.equal(await cmd.stop(), 0);
  stopped = true;
  assert.ok(performance.now() - start < 2000, "exits promptly with a viewer connected");
});

test("parareal dashboard OUTPUT: a run without events.jsonl is shown from its run.json", async (t) => {
  const dir = tempDir(t);
  const r = await runCli(["run", "--points", "8", "--t-end", "5", "--workers", "2", "--output", dir, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { iterations: number; maxdif: number[] };
  const record = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { jobs: { kind: string; iteration: number; status?: string }[] };
  // a run made before runs wrote their event log: only run.json
  rmSync(join(dir, "events.jsonl"));
  const cmd = await startDashboardCommand(dir);
  t.after(() => cmd.stop());
  const { page, errors } = await openDashboardPage(chromium, cmd.url);
  t.after(() => page.close());
  await waitForText(page, "count-done", String(record.jobs.filter((j) => j.status === "done").length));
  await waitForText(page, "count-cancelled", String(record.jobs.filter((j) => j.status === "cancelled").length));
  await waitForText(page, "maxdif-points", String(report.maxdif.length));
  await waitForText(page, "status", new RegExp(`^converged after ${report.iterations} iterations: from run.json`));
  assert.deepEqual(errors, []);
});

test("parareal dashboard: bad input is one line on stderr, exit 2", async (t) => {
  const dir = tempDir(t);
  const cases: [string[], RegExp][] = [
    [["dashboard", join(dir, "nope")], /^parareal: no such directory: .*nope\n$/],
    [["dashboard", dir], /^parareal: .*: no events\.jsonl and no run\.json \(is it the --output of parareal run\?\)\n$/],
    [["dashboard", dir, "--port", "70000"], /^parareal: .*`70000` is not allowed: give a port from 0 \(a free one\) to 65535\.\n$/],
    [["dashboard", dir, "--port", "-1"], /^parareal: .*`-1` is not allowed/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test("parareal run --dashboard: the page follows a real run, counts right while it goes, cancelled jobs after convergence", async (t) => {
  const dir = tempDir(t);
  const output = join(dir, "run");
  const sleepy = join(repoRoot, "examples", "problems", "sleepy.mjs");
  const child = spawn(process.execPath, [cliPath, "run", "--problem", sleepy, "--no-reference", "--workers", "4", "--dashboard", "0", "--output", output], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  t.after(() => void child.kill("SIGKILL"));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL: ${stderr}`)), 15_000);
    child.stderr.on("data", () => {
      const m = /dashboard at (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const { page, errors } = await openDashboardPage(chromium, url);
  try {
    // in progress: some jobs done, none of the run's end yet; the counts add up to the jobs known
    await page.waitForFunction(`Number(document.querySelector('[data-testid="count-done"]')?.textContent ?? 0) >= 10`, { timeout: 20_000 });
    const during = await shownCounts(page);
    const states = ["queued", "running", "done", "reused", "cancelled", "failed"] as const;
    assert.equal(states.reduce((n, s) => n + (during[s] ?? 0), 0), during.total, `counts add up: ${JSON.stringify(during)}`);
    assert.equal(await exited, 0, stderr);
    // after convergence: exactly what the run's event log says, cancelled jobs included
    const events = readFileSync(join(output, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as RunEvent);
    await assertShows(page, events, "after the run");
    assert.ok(expectedCounts(events).cancelled > 0, "convergence cancelled jobs");
    assert.ok((await shownCounts(page)).cancelled! > 0);
    assert.deepEqual(errors, [], "no error in the page");
  } finally {
    await page.close();
  }
});
