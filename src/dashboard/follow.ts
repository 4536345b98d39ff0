/**
 * Follow `<output>/events.jsonl` as another process writes it: poll its size, read what was added,
 * hand complete lines to a feed. The file may not exist yet, may end in half a line (the writer
 * flushes in batches), and may be truncated or replaced (a new run in the same directory): then
 * the feed starts over. Lines that are not events are skipped and counted, never fatal.
 */
import { open, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { parseEventLine, type RunEvent } from "./events.js";
import type { EventFeed } from "./feed.js";

export interface FollowOptions {
  /** polling period; default 200 ms (the writer's flush period) */
  intervalMs?: number;
}

export interface EventsFileFollower {
  /** Poll once now (also what the timer does); resolves when what was there has been read. */
  poll(): Promise<void>;
  stop(): void;
}

/** A line longer than this is not an event: skip it without holding it in memory. */
const MAX_LINE = 1 << 20;
/** Read at most this much per read call. */
const CHUNK = 4 << 20;
/** The file's first bytes identify it: a rewrite in place (same inode, longer) changes them. */
const HEAD = 256;

export function followEventsFile(path: string, feed: EventFeed, options: FollowOptions = {}): EventsFileFollower {
  let offset = 0;
  let ino = -1;
  let head = Buffer.alloc(0);
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let discarding = false;
  let stopped = false;
  let running: Promise<void> | undefined;

  const startOver = (): void => {
    offset = 0;
    ino = -1;
    head = Buffer.alloc(0);
    partial = [];
    partialBytes = 0;
    discarding = false;
    if (feed.length > 0 || feed.skipped > 0) feed.reset();
  };

  const takeLines = (chunk: Buffer): void => {
    const events: RunEvent[] = [];
    let bad = 0;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (discarding) {
        discarding = false;
        partial = [];
        partialBytes = 0;
        bad++;
        continue;
      }
      const line = (partialBytes > 0 ? Buffer.concat([...partial, piece]) : piece).toString("utf8").trim();
      partial = [];
      partialBytes = 0;
      if (line === "") continue;
      const event = parseEventLine(line);
      if (event) events.push(event);
      else bad++;
    }
    const rest = chunk.subarray(start);
    if (!discarding && rest.length > 0) {
      // copy: `chunk` is reused by the next read
      partial.push(Buffer.from(rest));
      partialBytes += rest.length;
      if (partialBytes > MAX_LINE) {
        discarding = true;
        partial = [];
        partialBytes = 0;
      }
    }
    if (bad > 0) feed.noteSkipped(bad);
    feed.appendAll(events);
  };

  const readNew = async (info: Stats): Promise<void> => {
    const file = await open(path, "r");
    try {
      if (head.length > 0) {
        const b = Buffer.alloc(head.length);
        const { bytesRead } = await file.read(b, 0, b.length, 0);
        if (bytesRead < head.length || !b.equals(head)) {
          startOver();
          ino = info.ino;
        }
      }
      if (head.length < HEAD) {
        const b = Buffer.alloc(Math.min(HEAD, info.size));
        const { bytesRead } = await file.read(b, 0, b.length, 0);
        head = b.subarray(0, bytesRead);
      }
      const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(info.size - offset, 0)));
      while (offset < info.size && !stopped) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, info.size - offset), offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        takeLines(buffer.subarray(0, bytesRead));
      }
    } finally {
      await file.close();
    }
  };

  const pollOnce = async (): Promise<void> => {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (e) {
      // not there (yet, or any more): whatever was read belonged to a file that is gone
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        if (ino !== -1) startOver();
        return;
      }
      throw e;
    }
    if (stopped || !info.isFile()) return;
    if (ino === -1) {
      // a file seen for the first time starts the history (the feed may hold a stand-in, e.g. from run.json)
      startOver();
      ino = info.ino;
    } else if (info.ino !== ino || info.size < offset) {
      startOver();
      ino = info.ino;
    }
    if (info.size > offset || head.length < Math.min(HEAD, info.size)) await readNew(info);
  };

  const poll = (): Promise<void> => {
    // one poll at a time: a slow read must not interleave with the next tick's
    running ??= pollOnce()
      .catch(() => undefined) // a transient error (permissions, a file being replaced): try again next tick
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void poll(), options.intervalMs ?? 200);
  timer.unref();
  void poll();
  return {
    poll,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
