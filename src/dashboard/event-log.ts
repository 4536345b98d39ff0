/**
 * `<output>/events.jsonl`, written by the run: one event per line, appended in batches (every
 * ~200 ms and at close) so a busy run makes a few small writes a second, not one per job. The
 * dashboard of another process follows this file (follow.ts).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "./events.js";

export const EVENTS_FILE = "events.jsonl";

export function eventsFilePath(output: string): string {
  return join(output, EVENTS_FILE);
}

export class EventLog {
  private pending: RunEvent[] = [];
  private fd: number | undefined;
  private readonly timer: NodeJS.Timeout;

  /** Start the file afresh (a new run replaces an old log; a follower sees the new file start over). */
  constructor(readonly path: string, intervalMs = 200) {
    this.fd = openSync(path, "w");
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  append(event: RunEvent): void {
    if (this.fd !== undefined) this.pending.push(event);
  }

  /** Write what is pending now (a sync write: it must land before a crash or exit, and is small). */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    let text = "";
    for (const e of this.pending) text += JSON.stringify(e) + "\n";
    this.pending = [];
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.fd === undefined) return;
    clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
