/**
 * The run's event log: every job's state change, phases, iterates and the end, appended to
 * <output>/events.jsonl in batches (one write every `flushMs`, not one per event), and handed to
 * in-process listeners (the live dashboard) as they happen.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { JobEvent } from "../exec/job.js";
import { log } from "../log.js";
import type { RunEvent, RunEventBody } from "./run-events.js";

export class EventLog {
  private readonly origin = performance.now();
  private fd: number | undefined;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(e: RunEvent) => void>();
  phase: "reference" | "parareal" = "reference";

  constructor(
    path: string | undefined,
    private readonly flushMs = 200,
  ) {
    if (path !== undefined) this.fd = openSync(path, "w", 0o644);
  }

  /** seconds since the log was opened (the run's start) */
  now(): number {
    return (performance.now() - this.origin) / 1000;
  }

  onEvent(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(body: RunEventBody): void {
    const event = { ...body, at: this.now() } as RunEvent;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a listener's failure (a closed dashboard) must not fail the run
      }
    }
    if (this.fd === undefined) return;
    this.buffer.push(JSON.stringify(event));
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Job events of an executor, as run events of the current phase. */
  attach(executor: { onEvent(listener: (e: JobEvent) => void): () => void }): () => void {
    return executor.onEvent((e) => {
      const kind = e.info.kind === "coarse" ? "coarse" : "fine";
      this.emit({
        type: "job",
        id: e.id,
        phase: this.phase,
        kind,
        iteration: e.info.iteration,
        slice: e.info.slice,
        state: e.state,
        ...(e.worker !== undefined ? { worker: e.worker } : {}),
        ...(e.seconds !== undefined ? { seconds: e.seconds } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
      });
    });
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.buffer.length === 0) return;
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    try {
      writeSync(this.fd, text);
    } catch (e) {
      // the log is a view of the run, not the run: a full disk stops the log, not the run
      log.warning(`event log: ${(e as Error).message}; no more events are written`);
      this.close();
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
