/**
 * `<output>/events.jsonl`, written by the run: one event per line, appended in batches (every
 * ~200 ms and at close) so a busy run makes a few small writes a second, not one per job; the
 * same events go to in-process listeners (the live dashboard's feed) as they happen. The
 * dashboard of another process follows the file (follow.ts).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { JobEvent as ExecutorJobEvent } from "../exec/job.js";
import type { Phase, RunEvent } from "./events.js";

export const EVENTS_FILE = "events.jsonl";

export function eventsFilePath(output: string): string {
  return join(output, EVENTS_FILE);
}

/** Any event without its time: `at` is added when it is logged. */
export type RunEventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "at"> : never) : never;

export class EventLog {
  private pending: RunEvent[] = [];
  private fd: number | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly origin = performance.now();
  private readonly listeners = new Set<(e: RunEvent) => void>();
  /** the phase job events belong to */
  phase: Phase = "reference";

  /** Start the file afresh (a new run replaces an old log; a follower sees the new file start over). */
  constructor(
    readonly path: string | undefined,
    intervalMs = 200,
  ) {
    if (path !== undefined) this.fd = openSync(path, "w");
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** seconds since the log was opened: the run's clock */
  now(): number {
    return (performance.now() - this.origin) / 1000;
  }

  /** Hand every event to `listener` as well (the live dashboard). */
  onEvent(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(event: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a listener's failure (a closed dashboard) must not fail the run
      }
    }
    if (this.fd !== undefined) this.pending.push(event);
  }

  /** Log an event now. */
  emit(body: RunEventBody): void {
    this.append({ ...body, at: this.now() } as RunEvent);
  }

  /** An executor's job events, as run events of the current phase. */
  attach(executor: { onEvent(listener: (e: ExecutorJobEvent) => void): () => void }): () => void {
    return executor.onEvent((e) => {
      this.emit({
        type: "job",
        id: e.id,
        phase: this.phase,
        kind: e.info.kind === "coarse" ? "coarse" : "fine",
        iteration: e.info.iteration,
        slice: e.info.slice,
        state: e.state,
        ...(e.worker !== undefined ? { worker: e.worker } : {}),
        ...(e.seconds !== undefined ? { seconds: e.seconds } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
      });
    });
  }

  /** Write what is pending now (a sync write: it must land before a crash or exit, and is small). */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    let text = "";
    for (const e of this.pending) text += JSON.stringify(e) + "\n";
    this.pending = [];
    try {
      writeSync(this.fd, text);
    } catch {
      // the log is a view of the run, not the run: a full disk stops the log, not the run
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  close(): void {
    clearInterval(this.timer);
    if (this.fd === undefined) return;
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
