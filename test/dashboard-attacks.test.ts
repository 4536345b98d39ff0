/**
 * The dashboard against hostile input and viewers (attack report D.29-D.32): Host headers when
 * --host spells loopback unusually, viewers that never read, events that would freeze the page
 * (in Debian's headless chromium, one browser for the file) and a run.json with values out of
 * range. About 4 s.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { launchChromium, openDashboardPage, type Chromium } from "../bench/chromium.js";
import { readRunRecord, type RunRecord } from "../src/archive/run-record.js";
import { checkRunEvent, type JobEvent, type RunEvent, type RunStartEvent } from "../src/dashboard/events.js";
import { EventFeed } from "../src/dashboard/feed.js";
import { followEventsFile } from "../src/dashboard/follow.js";
import { eventsFromRunRecord } from "../src/dashboard/from-run-record.js";
import { serveDashboard } from "../src/dashboard/server.js";
import { watchDashboard } from "../src/dashboard/sse-client.js";
import { syntheticRun } from "../src/dashboard/synthetic-run.js";
import { tempDir } from "./helpers.js";

let chromium: Chromium;
before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
});

/** GET `path` from 127.0.0.1:port (or `address`) with the Host header given: the status. */
function status(port: number, path: string, host: string, address = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host } }, (res) => {
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

const run = (slices: number, maxIterations: number): RunStartEvent => ({
  type: "run",
  at: 0,
  started: "2025-01-01T00:00:00.000Z",
  parameters: {},
  slices,
  maxIterations,
  tol: 1e-4,
  workers: 2,
  executor: "threads",
  method: "parareal",
});

const job = (id: number, iteration: number, slice: number, extra: Partial<JobEvent> = {}): JobEvent => ({ type: "job", at: 1, id, phase: "parareal", kind: "fine", iteration, slice, state: "done", ...extra });

test("D.29: with --host a loopback address in any spelling, only loopback Host headers with the port are served", async () => {
  const served: string[] = [];
  for (const host of ["LOCALHOST", "127.1", "2130706433", "::ffff:127.0.0.1", "::1"]) {
    let server;
    try {
      server = await serveDashboard({ feed: new EventFeed(), host });
    } catch (e) {
      // a machine without IPv6 (or mapped addresses) cannot bind these: the others prove the point
      if (host.includes(":") && ["EADDRNOTAVAIL", "EAFNOSUPPORT", "EINVAL"].includes((e as NodeJS.ErrnoException).code ?? "")) continue;
      throw e;
    }
    try {
      const p = server.port;
      const address = host === "::1" ? "::1" : "127.0.0.1";
      for (const evil of [`evil.example:${p}`, `evil.example`, `127.0.0.1.evil.example:${p}`, `evil@127.0.0.1:${p}`, `localhost:${p + 1}`, `127.0.0.1`]) {
        assert.equal(await status(p, "/events", evil, address), 403, `${host}: Host ${JSON.stringify(evil)}`);
      }
      assert.equal(await status(p, "/", `evil.example:${p}`, address), 403, `${host}: the page too`);
      for (const good of [`127.0.0.1:${p}`, `LOCALHOST:${p}`, `127.1:${p}`, `127.5.6.7:${p}`, `2130706433:${p}`, `[::1]:${p}`, `[::ffff:127.0.0.1]:${p}`]) {
        assert.equal(await status(p, "/", good, address), 200, `${host}: Host ${good}`);
      }
      served.push(host);
    } finally {
      await server.close();
    }
  }
  assert.ok(served.length >= 3, `checked: ${served.join(", ")}`);
});

/** `count` job events carrying an error of `errorBytes` characters each, after their run's line. */
function bulkyRun(count: number, errorBytes: number): RunEvent[] {
  const events: RunEvent[] = [run(1000, 1000)];
  const error = "e".repeat(errorBytes);
  for (let i = 0; i < count; i++) events.push(job(i, 1 + (i % 1000), 1 + (i % 1000), { state: "failed", error }));
  return events;
}

/** A client of /events that takes the response's first bytes, then never reads again. */
function neverReading(port: number): Promise<{ socket: Socket; status: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    socket.once("data", (d: Buffer) => {
      socket.pause();
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(d.toString("latin1"))?.[1] ?? 0) });
    });
    socket.on("error", reject);
  });
}

test("D.30: viewers that never read cost a socket buffer each, not the history; at most 32 at once; stalled ones are dropped", async (t) => {
  const feed = new EventFeed();
  const events = bulkyRun(12_000, 600); // ~8 MB on the wire
  feed.appendAll(events);
  const server = await serveDashboard({ feed, heartbeatMs: 100, stallMs: 1500 });
  const sockets: Socket[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
  });
  for (let i = 0; i < 31; i++) {
    const c = await neverReading(server.port);
    sockets.push(c.socket);
    assert.equal(c.status, 200);
  }
  // a real viewer still gets the whole history, and is the 32nd
  const viewer = await watchDashboard(server.url);
  t.after(() => viewer.close());
  await viewer.waitForEvents(events.length);
  assert.equal(server.clients(), 32);
  const over = await neverReading(server.port);
  sockets.push(over.socket);
  assert.equal(over.status, 503, "the 33rd is refused");
  // each never-reading viewer holds at most about one message beyond its socket (all of it was ~8 MB each)
  const unsent = server.unsentBytes();
  assert.ok(unsent < 31 * 512 * 1024, `${(unsent / 2 ** 20).toFixed(1)} MB written and not taken`);
  // they take nothing: dropped after stallMs, the reading viewer stays; a place is free again
  const start = performance.now();
  while (server.clients() > 1 && performance.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.clients(), 1, "only the reading viewer left");
  const again = await neverReading(server.port);
  sockets.push(again.socket);
  assert.equal(again.status, 200);
});

test("D.31: the feed drops jobs and iterates beyond the run's slices and iterations; grid cells of distinct jobs never share a key", async () => {
  const feed = new EventFeed();
  feed.appendAll([job(0, 1, 1), run(19, 19), job(1, 1, 19), job(2, 20, 1), job(3, 1, 20), job(4, 21, 1), job(5, 1e9, 1e9)]);
  feed.append({ type: "iterate", at: 2, iteration: 21, maxdif: 1 });
  feed.append({ type: "iterate", at: 2, iteration: 20, maxdif: 1 });
  assert.deepEqual(
    feed.events().map((e) => (e.type === "job" ? e.id : e.type)),
    ["run", 1, 2, "iterate"],
  );
  assert.equal(feed.skipped, 5, "before the run, slice 20 of 19, iteration 21 of 19 (+1), 1e9, the iterate 21");

  // the page's model, as built for the browser (it uses no DOM)
  const { RunModel } = (await import(new URL("../src/dashboard/page/model.js", import.meta.url).href)) as {
    RunModel: new () => { apply(e: RunEvent): void; cells: Map<unknown, { id: number }>; jobs: Map<number, { replaced?: boolean }> };
  };
  const model = new RunModel();
  model.apply(run(1 << 21, 4));
  // their keys were once (row * 2 + kind) * 2^20 + slice: equal for these two
  model.apply(job(1, 0, 2 ** 20 + 1));
  model.apply(job(2, 0, 1, { kind: "coarse" }));
  // a job run again in its cell: the later one is drawn
  model.apply(job(3, 2, 5));
  model.apply(job(4, 2, 5));
  assert.deepEqual([...model.cells.values()].map((j) => j.id), [1, 2, 4]);
  assert.deepEqual([1, 2, 3, 4].map((id) => model.jobs.get(id)?.replaced ?? false), [false, false, true, false]);
});

/** Lines of an events file. */
const lines = (events: readonly unknown[]): string => events.map((e) => JSON.stringify(e) + "\n").join("");

test("D.31: events that once froze the page (a job at iteration 1e9, slice 1e9; a run of 1e9 slices) leave it responsive", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "events.jsonl");
  // the report's file: a real run's line (19 slices) and one job far beyond it
  const real = syntheticRun({ slices: 19, convergeAt: 6, workers: 2 });
  writeFileSync(path, lines([...real, { ...job(999_999, 1e9, 1e9), state: "running" }]));
  const feed = new EventFeed();
  const follower = followEventsFile(path, feed, { intervalMs: 50 });
  t.after(() => follower.stop());
  const server = await serveDashboard({ feed, flushMs: 20 });
  t.after(() => server.close());
  const { page, errors } = await openDashboardPage(chromium, server.url);
  t.after(() => page.close());

  /** Waits (in the page) for the total to read `total`, then times a round trip into the page. */
  const settled = async (total: number, what: string): Promise<void> => {
    // the total is written by the render that drew everything (renderMs is its cost)
    await page.waitForFunction(`document.querySelector('[data-testid="count-total"]')?.textContent === "${total}"`, { timeout: 5000 });
    const start = performance.now();
    const renderMs = Number(await page.evaluate("document.body.dataset.renderMs"));
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `${what}: evaluate answered in ${ms.toFixed(0)} ms`);
    assert.ok(renderMs < 250, `${what}: a render took ${renderMs} ms`);
  };
  const jobs = new Set(real.flatMap((e) => (e.type === "job" ? [e.id] : []))).size;
  await settled(jobs, "the report's file");
  assert.match(await page.$eval("#skipped", (e) => e.textContent ?? ""), /^1 bad line/, "the job beyond the run is dropped, and said so");

  // a run that declares 1e9 slices and iterations (well-formed): jobs and iterates out there, and
  // a maxdif at each end of the doubles; the file is replaced, the page starts over
  const far = 1e9;
  const hostile: RunEvent[] = [run(far, far)];
  for (let i = 0; i < 20; i++) hostile.push(job(i, far - i, far - i, { worker: `w${i}` }), job(100 + i, i, i + 1, { kind: "coarse", worker: `w${i}` }));
  hostile.push({ type: "iterate", at: 1, iteration: 1, maxdif: 1e308 }, { type: "iterate", at: 2, iteration: 2, maxdif: 1 }, { type: "iterate", at: 3, iteration: far, maxdif: 5e-324 });
  writeFileSync(path + ".new", lines(hostile));
  renameSync(path + ".new", path);
  await settled(40, "a run of 1e9 slices and iterations");
  const grid = await page.$eval("[data-testid=grid]", (c) => ({ width: c.getAttribute("width"), height: Number(c.getAttribute("height")) }));
  assert.ok(grid.height < 40_000, `grid canvas ${grid.height} px high`);
  assert.deepEqual(errors, [], "no errors in the page");
});

/** A run.json that passes the schema: the harmonic demo's parameters, one job, one iterate. */
function recordWith(jobs: unknown[], iterates: unknown[]): unknown {
  return {
    format: "parareal-run/1",
    version: "0.1.0",
    status: "converged",
    started: "2025-01-01T00:00:00.000Z",
    parameters: { problem: { name: "harmonic", params: {} }, y0: [1, 0], tEnd: 5, points: 5, h: 0.01, fine: "euler", coarse: "euler", tol: 1e-4, saveEvery: 1, maxIterations: 4, reference: true },
    executor: "threads",
    iterations: 1,
    maxdif: [0.5],
    jobs,
    iterates,
  };
}

test("D.32: events made from run.json pass the events' own check; what fails it is left out", (t) => {
  const good = { kind: "fine", phase: "parareal", iteration: 1, slice: 2, submitted: 0.5, started: 0.6, finished: 0.9, status: "done", worker: "h:1:1", seconds: 0.3 };
  const dir = tempDir(t);
  const cases: [string, unknown][] = [
    // what the schema lets through: numbers of the right type, out of the events' ranges
    ["schema-valid", recordWith([good, { ...good, iteration: 5e12, slice: 0, submitted: -5, started: 1e300, finished: 2, seconds: 1e300 }], [{ iteration: 1, maxdif: 0.5, at: -10, seconds: 1 }])],
    // and a record nobody checked (the report's: a string time, 1e300, -5)
    ["unchecked", { ...(recordWith([good, { iteration: 1e300, slice: -5, submitted: "x", kind: "fine", phase: "parareal" }, { ...good, seconds: "y", worker: 5 }], []) as object), started: 7, executor: { x: 1 } }],
  ];
  for (const [name, value] of cases) {
    let record: RunRecord;
    if (name === "schema-valid") {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "run.json"), JSON.stringify(value));
      record = readRunRecord(join(dir, name))!;
    } else record = value as RunRecord;
    const events = eventsFromRunRecord(record);
    for (const e of events) assert.deepEqual(checkRunEvent(JSON.parse(JSON.stringify(e))), e, `${name}: ${JSON.stringify(e).slice(0, 120)}`);
    assert.equal(events[0]?.type, "run", `${name}: the run first`);
    const jobs = events.filter((e): e is JobEvent => e.type === "job");
    assert.ok(jobs.every((j) => j.id === 0 || (name === "unchecked" && j.id === 2 && j.state === "queued")), `${name}: only the good job's events: ${JSON.stringify(jobs).slice(0, 300)}`);
    assert.deepEqual(jobs.filter((j) => j.id === 0).map((j) => j.state), ["queued", "running", "done"], name);
    // and through the feed the server sends from: nothing dropped there any more
    const feed = new EventFeed();
    feed.appendAll(events);
    assert.equal(feed.length, events.length, name);
  }
});
